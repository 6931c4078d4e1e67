"""The life of a legal instrument: when each clause is in force.

Takes: a `Program` (its announcements, clauses, suspensions and repeals) and a date.
Returns: for each clause, its `Status` on that date: in force, not yet in force, no longer in
force (expired or repealed), or suspended by a named clause over a window; and the dates on which
any status changes (`changes`), for timelines.
Guarantees: the date rules of contract §2, in one place:
- a clause starts on its own `effective` date, else its announcement's, else the issue date
  ("on publication" means from the issue date);
- `until` and `through` dates are inclusive: a suspension "until 10 Nov 2026" covers that day and
  the clause applies again from 11 Nov 2026;
- a clause whose start fell inside a suspension applies from the first day after it ends; this
  needs no special case, because on every date the clause is in force exactly when the date is on
  or after its start, not after its end, not repealed, and inside no suspension window.

>>> import datetime
>>> w = Window(None, datetime.date(2025, 11, 7), datetime.date(2026, 11, 10))
>>> w.covers(datetime.date(2026, 11, 10)), w.covers(datetime.date(2026, 11, 11))
(True, False)
"""

from __future__ import annotations

import datetime

import attrs

from policylang import ast
from policylang.program import ClauseKey, Program

IN_FORCE, NOT_YET, EXPIRED, REPEALED, SUSPENDED = "in_force", "not_yet", "expired", "repealed", "suspended"


@attrs.frozen
class Window:
    """A suspension of a clause, by a clause of another instrument, both ends inclusive."""
    by: ClauseKey | None
    start: datetime.date
    end: datetime.date

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@attrs.frozen
class Status:
    """What a clause is on one date, with the dates that explain it."""
    state: str
    start: datetime.date | None = None          # first day in force
    end: datetime.date | None = None            # last day in force (until / repeal - 1)
    window: Window | None = None                # the suspension in effect, when suspended

    @property
    def in_force(self) -> bool:
        return self.state == IN_FORCE


@attrs.frozen
class Life:
    """Everything that decides a clause's status, gathered from the whole program."""
    start: datetime.date | None
    until: datetime.date | None
    repealed_from: datetime.date | None
    repealed_by: ClauseKey | None
    windows: tuple[Window, ...]

    def status(self, day: datetime.date) -> Status:
        if self.start is None or day < self.start:
            return Status(NOT_YET, self.start, self.until)
        if self.repealed_from is not None and day >= self.repealed_from:
            return Status(REPEALED, self.start, self.repealed_from - datetime.timedelta(days=1))
        if self.until is not None and day > self.until:
            return Status(EXPIRED, self.start, self.until)
        for w in self.windows:
            if w.covers(day):
                return Status(SUSPENDED, self.start, self.until, w)
        return Status(IN_FORCE, self.start, self.until)

    def changes(self) -> list[datetime.date]:
        """The dates on which the status may change (each the first day of a new status)."""
        days = {self.start}
        if self.until:
            days.add(self.until + datetime.timedelta(days=1))
        if self.repealed_from:
            days.add(self.repealed_from)
        for w in self.windows:
            days |= {w.start, w.end + datetime.timedelta(days=1)}
        return sorted(d for d in days if d is not None)


def lives(program: Program) -> dict[ClauseKey, Life]:
    """The life of every clause of the program."""
    windows: dict[ClauseKey, list[Window]] = {k: [] for k in program.clauses}
    repeals: dict[ClauseKey, tuple[datetime.date, ClauseKey]] = {}
    for ann, clause in program.all_clauses():
        by = ClauseKey(ann.id, clause.id)
        for s in clause.suspensions:
            for key in _targets(program, s.targets, ann.id):
                windows[key].append(Window(by, s.start, s.end))
        for r in clause.repeals:
            for key in _targets(program, r.targets, ann.id):
                if key not in repeals or r.start < repeals[key][0]:
                    repeals[key] = (r.start, by)
    result: dict[ClauseKey, Life] = {}
    for ann, clause in program.all_clauses():
        key = ClauseKey(ann.id, clause.id)
        repeal = repeals.get(key)
        result[key] = Life(
            start=clause.effective or ann.effective or ann.issued,
            until=clause.until or ann.until,
            repealed_from=repeal[0] if repeal else None,
            repealed_by=repeal[1] if repeal else None,
            windows=tuple(sorted(windows[key], key=lambda w: w.start)),
        )
    return result


def announcement_in_force(program: Program, table: dict[ClauseKey, Life], policy: str,
                          day: datetime.date) -> bool:
    """An announcement is in force on a day when any of its clauses is (or, with no clauses, by its dates)."""
    keys = [k for k in table if k.policy == policy]
    if keys:
        return any(table[k].status(day).in_force for k in keys)
    ann = program.announcements.get(policy)
    start = ann and (ann.effective or ann.issued)
    return bool(start and start <= day and (ann.until is None or day <= ann.until))


def _targets(program: Program, refs: tuple[ast.Ref, ...], home: str) -> list[ClauseKey]:
    keys: list[ClauseKey] = []
    for ref in refs:
        keys += program.clauses_for(ref, home)
    return keys
