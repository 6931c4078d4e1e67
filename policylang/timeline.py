"""`policylang timeline`: every announcement and clause of a library, and its state on a date.

Takes: a checked `Program`, a date (default: today), and optionally a range of days.
Returns: for each clause, its `Status` on that date rendered in words (in force since when; not
yet in force, from when; suspended by which clause, from when through when; expired; repealed),
the date that status began, and the coming changes after the date, grouped by day and
announcement, so that a person sees at a glance what changed on, say, 2026-11-11; with a range
(`--from`, `--to`), the changes of status in it first, coloured on a terminal (`echo`).
Guarantees: every date comes from `semantics/validity.py` (`lives()`, `Life.status()`,
`Life.changes()`): this module computes no date rule of its own. It reads the program and
changes nothing.

>>> import datetime
>>> from policylang.library import load_shipped
>>> program, _ = load_shipped()
>>> rows = clause_rows(program, datetime.date(2026, 11, 21))
>>> next(r for r in rows if r.key.policy == "MOFCOM-2025-55" and r.key.clause == "I").describe()
'in force since 2026-11-11'
"""

from __future__ import annotations

import datetime
import json
import sys
from itertools import groupby
from pathlib import Path

import attrs
import click

from policylang import diagnostics as D
from policylang.library import load, policies_dir
from policylang.options import DATE
from policylang.program import ClauseKey, Program
from policylang.semantics import validity

ONE_DAY = datetime.timedelta(days=1)
RECENT_DAYS = 30  # how far back "recent changes" look


@attrs.frozen
class ClauseRow:
    """One clause on one date: its status, and the first day of that status (None: since ever)."""
    key: ClauseKey
    title: str | None
    status: validity.Status
    since: datetime.date | None
    repealed_by: ClauseKey | None = None

    def describe(self) -> str:
        st = self.status
        if st.state == validity.IN_FORCE:
            text = f"in force since {self.since or st.start}"
            return text + (f" until {st.end}" if st.end else "")
        if st.state == validity.NOT_YET:
            return f"not yet in force (from {st.start})" if st.start else "not yet in force (no start date)"
        if st.state == validity.SUSPENDED:
            w = st.window
            return f"suspended by {w.by} from {w.start} through {w.end} (applies again from {w.end + ONE_DAY})"
        if st.state == validity.REPEALED:
            return f"repealed from {st.end + ONE_DAY}" + (f" by {self.repealed_by}" if self.repealed_by else "")
        return f"expired after {st.end}"

    def to_json(self) -> dict:
        st = self.status
        out = {"policy": self.key.policy, "clause": self.key.clause, "state": st.state,
               "since": _iso(self.since), "start": _iso(st.start), "end": _iso(st.end),
               "describe": self.describe()}
        if st.window is not None:
            out["suspended"] = {"by": str(st.window.by), "from": _iso(st.window.start),
                                "through": _iso(st.window.end)}
        return out


@attrs.frozen
class Change:
    """A coming change: on `day`, these clauses of one announcement take a new status."""
    day: datetime.date
    policy: str
    clauses: tuple[str, ...]
    becomes: str

    def to_json(self) -> dict:
        return {"date": self.day.isoformat(), "policy": self.policy, "clauses": list(self.clauses),
                "becomes": self.becomes}


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def same_status(a: validity.Status, b: validity.Status) -> bool:
    """Whether a clause has the same status on two days: the same state, in the same window."""
    return a.state == b.state and a.window == b.window


def _since(life: validity.Life, day: datetime.date) -> datetime.date | None:
    """The first day of the status the clause has on `day` (None when it has had it always)."""
    now, since = life.status(day), None
    for change in sorted((c for c in life.changes() if c <= day), reverse=True):
        if not same_status(life.status(change), now):
            break
        since = change
        if not same_status(life.status(change - ONE_DAY), now):
            break
    return since


def state_on(program: Program, day: datetime.date, with_clauses: bool = True) -> dict:
    """The library's state on `day` as `timeline --format json` gives it (and `GET /v1/timeline`):
    every clause's status, the changes just past and those to come."""
    doc = {"clauses": [r.to_json() for r in clause_rows(program, day)]} if with_clauses else {}
    doc.update({"recent_changes": [c.to_json() for c in recent_changes(program, day)],
                "changes": [c.to_json() for c in coming_changes(program, day)]})
    return doc


def clause_rows(program: Program, day: datetime.date) -> list[ClauseRow]:
    """Every clause of the program, in announcement and clause order, with its status on `day`."""
    table = validity.lives(program)
    return [ClauseRow(key, program.clauses[key].title, table[key].status(day), _since(table[key], day),
                      table[key].repealed_by)
            for key in _ordered(program)]


def coming_changes(program: Program, day: datetime.date) -> list[Change]:
    """The changes of status after `day`, by date, then announcement, clauses of one status together."""
    return changes_between(program, day, None)


def recent_changes(program: Program, day: datetime.date, days: int = RECENT_DAYS) -> list[Change]:
    """The changes of status in the `days` days up to and including `day`."""
    return changes_between(program, day - datetime.timedelta(days=days), day)


def changes_between(program: Program, after: datetime.date, through: datetime.date | None) -> list[Change]:
    """The changes of status on the days after `after`, up to `through` (inclusive; None: no end)."""
    table = validity.lives(program)
    events: list[tuple[datetime.date, str, str, str]] = []
    for key in _ordered(program):
        life = table[key]
        for change in life.changes():
            if change > after and (through is None or change <= through) \
                    and not same_status(life.status(change), life.status(change - ONE_DAY)):
                phrase = _change_phrase(life.status(change - ONE_DAY), life.status(change), life.repealed_by)
                events.append((change, key.policy, phrase, key.clause))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return [Change(d, p, tuple(e[3] for e in group), becomes)
            for (d, p, becomes), group in groupby(events, key=lambda e: (e[0], e[1], e[2]))
            for group in [list(group)]]


def bands(program: Program, day: datetime.date) -> dict:
    """Every announcement and clause with its whole life as bands, for a drawn time line.

    Each clause's `bands` run from one change of status to the next (`from` and `through` both
    inclusive; `from` None: since ever, `through` None: with no end); `state` is its status in
    the band (`validity`'s names), with `by` the suspending or repealing clause. `revivals` are
    the days on which some clause applies again after a suspension ended, with the clauses;
    `day` is the date the page calls today.

    >>> from policylang.library import load_shipped
    >>> found = bands(load_shipped()[0], datetime.date(2026, 11, 30))
    >>> [r["date"] for r in found["revivals"]][:2]
    ['2026-11-11', '2026-11-28']
    """
    table = validity.lives(program)
    announcements: dict[str, dict] = {}
    revivals: dict[datetime.date, list[str]] = {}
    for key in _ordered(program):
        life, ann = table[key], program.announcements[key.policy]
        entry = announcements.setdefault(key.policy, {
            "policy": key.policy, "title": next((t.text for t in ann.titles), None),
            "issued": _iso(ann.issued), "url": getattr(ann, "url", None), "clauses": []})
        days = [d for d in life.changes()]
        spans: list[dict] = []
        edges = [None, *days]
        for i, first in enumerate(edges):
            last = days[i] - ONE_DAY if i < len(days) else None
            probe = first if first is not None else (days[0] - ONE_DAY if days else day)
            status = life.status(probe)
            band = {"from": _iso(first), "through": _iso(last), "state": status.state}
            if status.window is not None:
                band["by"] = str(status.window.by)
            elif status.state == validity.REPEALED and life.repealed_by is not None:
                band["by"] = str(life.repealed_by)
            if spans and spans[-1]["state"] == band["state"] and spans[-1].get("by") == band.get("by"):
                spans[-1]["through"] = band["through"]
            else:
                spans.append(band)
            if first is not None and status.state == validity.IN_FORCE \
                    and life.status(first - ONE_DAY).state == validity.SUSPENDED:
                revivals.setdefault(first, []).append(f"{key.policy} {key.clause}")
        entry["clauses"].append({"clause": key.clause, "title": program.clauses[key].title,
                                 "state": life.status(day).state, "bands": spans})
    return {"date": day.isoformat(), "announcements": list(announcements.values()),
            "revivals": [{"date": d.isoformat(), "clauses": c} for d, c in sorted(revivals.items())]}


def _change_phrase(before: validity.Status, after: validity.Status, repealed_by: ClauseKey | None) -> str:
    if after.state == validity.IN_FORCE:
        if before.state == validity.SUSPENDED:
            return f"in force: the suspension by {before.window.by} ended on {before.window.end}"
        return "takes effect"
    if after.state == validity.SUSPENDED:
        w = after.window
        return f"suspended by {w.by} through {w.end}"
    if after.state == validity.REPEALED:
        return "repealed" + (f" by {repealed_by}" if repealed_by else "")
    return "expires"


def _ordered(program: Program) -> list[ClauseKey]:
    def announcement_order(policy: str) -> tuple:
        authority, year, number = policy.rsplit("-", 2)
        ann = program.announcements[policy]
        # a provisional identifier (`U0622`, contract §6) has no number: it sorts by its date
        return (int(year), authority, int(number) if number.isdigit() else 10**6, ann.issued or datetime.date.min)
    return sorted(program.clauses, key=lambda k: announcement_order(k.policy))


def render_text(program: Program, day: datetime.date, rows: list[ClauseRow], changes: list[Change],
                recent: list[Change] = ()) -> str:
    lines = [f"Timeline on {day}", ""]
    width = max((len(r.key.clause) for r in rows), default=6)
    counts: dict[str, int] = {}
    for policy, group in groupby(rows, key=lambda r: r.key.policy):
        group = list(group)
        counts[policy] = len(group)
        ann = program.announcements[policy]
        title = next((t.text for t in ann.titles if t.lang == "en"), None)
        described = {r.describe() for r in group}
        summary = f"[{described.pop()}]" if len(described) == 1 else _summary({r.status.state for r in group})
        lines.append(f"{policy}  {summary}" + (f"  {title}" if title else ""))
        for r in group:
            lines.append(f"  {r.key.clause:<{width}}  {r.describe()}")
        lines.append("")
    if recent:
        lines.append(f"Changes in the {RECENT_DAYS} days up to {day}:")
        lines += [_change_line(c, counts) for c in recent]
        lines.append("")
    lines.append(f"Coming changes after {day}:" if changes else f"No changes are scheduled after {day}.")
    lines += [_change_line(c, counts) for c in changes]
    return "\n".join(lines)


def _change_line(c: Change, counts: dict[str, int]) -> str:
    which = "all clauses" if len(c.clauses) == counts.get(c.policy) and len(c.clauses) > 1 else ", ".join(c.clauses)
    return f"  {c.day}  {c.policy} {which}: {c.becomes}"


def _summary(states: set[str]) -> str:
    if states == {validity.IN_FORCE}:
        return "[in force]"
    if validity.IN_FORCE in states:
        return "[partly in force]"
    if states == {validity.SUSPENDED}:
        return "[suspended]"
    if states == {validity.NOT_YET}:
        return "[not yet in force]"
    return "[not in force]"


# How a line of the text report is coloured on a terminal (rich styles; no colour elsewhere).
STYLES = (("Timeline on", "bold"), ("Coming changes", "bold"), ("Changes ", "bold"), ("No changes", "bold"),
          ("suspension by", "bold magenta"), ("takes effect", "green"), ("suspended by", "yellow"),
          ("in force", "green"), ("not yet in force", "blue"), ("repealed", "red"), ("expire", "red"))


def _style(line: str) -> str | None:
    """The style of a report line: headers bold, revivals (a suspension that ended) bold magenta,
    in force green, suspended yellow, not yet in force blue, repealed or expired red."""
    if line and not line.startswith(" ") and "[" in line and not line.startswith(("Timeline", "Coming", "Changes")):
        return "bold cyan"                       # an announcement's heading
    if line.startswith("  ") and " in force: the suspension by " in line:
        return "bold magenta"
    return next((style for word, style in STYLES if word in line), None)


def echo(text: str) -> None:
    """Print a report, coloured when standard output is a terminal that wants colour (rich
    honours `NO_COLOR` and `FORCE_COLOR`), plain otherwise."""
    from rich.console import Console
    from rich.text import Text
    console = Console(file=sys.stdout, highlight=False, soft_wrap=True, emoji=False)
    if not console.is_terminal or console.no_color:
        click.echo(text)
        return
    for line in text.split("\n"):
        console.print(Text(line, style=_style(line) or ""))


def render_changes(program: Program, first: datetime.date, last: datetime.date | None, changes: list[Change]) -> str:
    """The changes of a range of days, each day's first."""
    counts = {p: sum(1 for k in program.clauses if k.policy == p) for p in program.announcements}
    span = f"from {first} through {last}" if last else f"from {first} on"
    if not changes:
        return f"No changes of status {span}."
    return "\n".join([f"Changes of status {span}:", *(_change_line(c, counts) for c in changes)])


@click.command("timeline")
@click.option("--date", "day", type=DATE,
              help="The date to show (YYYY-MM-DD). Default: today (with --to, that day).")
@click.option("--from", "first", type=DATE, help="Show the changes of status from this day on (inclusive).")
@click.option("--to", "last", type=DATE, help="… through this day (inclusive).")
@click.option("--changes-only", is_flag=True, help="Print the changes only, not every clause's state.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def timeline(day, first, last, changes_only: bool, policy_dirs: tuple[Path, ...], fmt: str) -> None:
    """Show every announcement and clause with its state on a date, and the changes to come.

    With --from/--to, the changes of status in that range come first (coloured on a terminal:
    revivals, a suspension that ended, stand out); --changes-only prints only them."""
    if first and last and last < first:
        raise click.BadParameter("--to must not come before --from", param_hint="--to")
    on = day or last or datetime.date.today()
    program, diags = load(policy_dirs or [policies_dir()])
    if program is None:
        click.echo(D.render_json(diags) if fmt == "json" else D.render_text(diags), err=True)
        sys.exit(2)
    ranged = first is not None or last is not None
    start = first or on
    in_range = changes_between(program, start - ONE_DAY, last) if ranged else []
    if fmt == "json":
        doc: dict = {"date": on.isoformat()}
        if ranged:
            doc.update({"from": start.isoformat(), "to": _iso(last), "changes_in_range": [c.to_json() for c in in_range]})
        if not changes_only or not ranged:
            doc.update(state_on(program, on, with_clauses=not changes_only))
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    parts = [render_changes(program, start, last, in_range)] if ranged else []
    if not changes_only:
        rows, changes, recent = clause_rows(program, on), coming_changes(program, on), recent_changes(program, on)
        parts.append(render_text(program, on, rows, changes, recent))
    elif not ranged:
        parts.append(render_changes(program, on + ONE_DAY, None, coming_changes(program, on)))
    echo("\n\n".join(parts))
