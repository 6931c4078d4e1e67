"""What a library says whatever the case: the facts every engine decides against.

Takes: a checked `Program`.
Returns: `Law`, computed once per library: each clause's life and its status on a date (cached
per date), how clauses relate (exceptions, refinements), the control-list scopes and the
classifications, the entity lists (`Screening`), the codes the library names and its placeholder
codes, the library's identity (`LibraryIdentity`), and the warnings of contract §4 that depend on
the law rather than on the case.
Guarantees: the interpreter and every faster engine read these facts from here, so they cannot
disagree on them; nothing here reads a case.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import hashlib
import re

import attrs

from policylang import ast
from policylang._version import __version__
from policylang.diagnostics import Diagnostic, warning
from policylang.eval.decision import Reason
from policylang.eval.values import code_within
from policylang.program import ClauseKey, Program
from policylang.semantics import validity
from policylang.semantics.screening import Screening

_MEMO_LIMIT = 100_000     # a memo that outgrows this (codes from untrusted cases) starts afresh

# Contract §6: an announcement whose number is not known is named with `U` and its issue date.
PROVISIONAL_ID = re.compile(r"^[A-Z]+-[0-9]{4}-U[0-9]{4}$")


@attrs.frozen
class LibraryIdentity:
    """Which law decided (contract §4 `library`): the package version, a SHA-256 over the
    library's `.ecp` files, and the date through which its sources were reviewed."""
    version: str
    digest: str
    checked_through: datetime.date | None

    def to_json(self) -> dict:
        return {"version": self.version, "digest": self.digest,
                "checked_through": self.checked_through.isoformat() if self.checked_through else None}


def package_version() -> str:
    return __version__


def library_identity(program: Program) -> LibraryIdentity:
    """The identity of a library: the same files (names and bytes) always give the same digest,
    wherever they lie on disk and in whatever order they were named."""
    parts = sorted((m.name, hashlib.sha256(m.span.file.text.encode("utf-8")).hexdigest())
                   for m in program.modules if m.span is not None)
    digest = hashlib.sha256("".join(f"{name}\0{h}\n" for name, h in parts).encode()).hexdigest()
    checked = min((c.date for c in program.checked), default=None)
    return LibraryIdentity(package_version(), "sha256:" + digest, checked)


def _announcement_days(ann: ast.Announcement) -> list[datetime.date]:
    """The days an announcement without clauses starts and stops being in force."""
    start = ann.effective or ann.issued
    days = [start] if start else []
    if ann.until:
        days.append(ann.until + datetime.timedelta(days=1))
    return days


class Law:
    """The case-independent facts of one library. Build once, share between engines. With a
    reviewer's `dispositions` (`semantics/dispositions.py`), its screening lists the parties
    they match and clears the near matches they reject: one mechanism, read by the `listed`
    built-ins and the near matches of every engine alike."""

    def __init__(self, program: Program, dispositions=None):
        self.program = program
        self.lives = validity.lives(program)
        self.order: list[ClauseKey] = list(program.clauses)
        self.exceptions_to: dict[ClauseKey, list[ClauseKey]] = {k: [] for k in self.order}
        self.refined: dict[ClauseKey, list[ClauseKey]] = {k: [] for k in self.order}
        self.excepted: dict[ClauseKey, list[ClauseKey]] = {k: [] for k in self.order}
        self.controls: list[tuple[ClauseKey, ast.ControlScope]] = []
        self.classifiers: list[tuple[ClauseKey, ast.Classification]] = []
        for key, clause in program.clauses.items():
            for ref in clause.exception_to:
                for target in program.clauses_for(ref, key.policy):
                    self.exceptions_to[target].append(key)
                    self.excepted[key].append(target)
            for ref in clause.refines:
                self.refined[key] += program.clauses_for(ref, key.policy)
            self.controls += [(key, c) for c in clause.controls]
            self.classifiers += [(key, c) for c in clause.classifications]
        self.identity = library_identity(program)
        # What depends on the date alone changes only on the days a status changes: the days
        # between two such changes form a period, and what depends on the date alone (statuses,
        # the control scopes in force, the entries of the lists in force, near matches) is
        # computed once per period.
        self.change_days = sorted({d for life in self.lives.values() for d in life.changes()}
                                  | {d for a in program.announcements.values() for d in _announcement_days(a)})
        self.position = {k: n for n, k in enumerate(self.order)}
        # The clauses that refine, except or are excepted by another: combining is simple without.
        self.related = frozenset(k for k in self.order if self.refined[k] or self.excepted[k] or self.exceptions_to[k])
        self.screening = Screening(program.entity_lists, self.announcement_active, self.period)
        if dispositions:
            self.screening = self.screening.reviewed(dispositions)
        self._statuses: dict[int, dict[ClauseKey, validity.Status]] = {}
        self._controlled: dict[tuple[str, int], bool] = {}
        self._scopes_at: dict[str, list[tuple[ClauseKey, ast.ControlScope]]] = {}
        for key, scope in self.controls:
            self._scopes_at.setdefault(scope.value, []).append((key, scope))
        self._named: dict[str, bool] = {}
        self._code_memo: dict[str, tuple[Diagnostic, ...]] = {}
        # Clauses whose applying may need a warning: suspended once (a revival), a disputed
        # reading, a provisional identifier.
        self._noted = frozenset(k for k in self.order if self.lives[k].windows or program.clauses[k].disputed
                                or PROVISIONAL_ID.match(k.policy))
        self._disputed = frozenset(k for k in self.order if program.clauses[k].disputed)
        self._provisional = frozenset(a for a in program.announcements if PROVISIONAL_ID.match(a))
        self._revivals: dict[tuple[ClauseKey, int], validity.Window | None] = {}
        self._reasons = functools.lru_cache(maxsize=4096)(self._reason)

    @functools.cached_property
    def explainer(self):
        """Why relevant clauses did not apply (`explain.py`), built when first asked for."""
        from policylang.eval.explain import Explainer
        return Explainer(self)

    # -------------------------------------------------------------- time

    def period(self, day: datetime.date) -> int:
        """The stretch of days `day` lies in: no clause changes status inside one."""
        return bisect.bisect_right(self.change_days, day)

    def statuses_on(self, day: datetime.date) -> dict[ClauseKey, validity.Status]:
        """Every clause's status on the day (computed once per period)."""
        period = self.period(day)
        found = self._statuses.get(period)
        if found is None:
            found = self._statuses[period] = {k: self.lives[k].status(day) for k in self.order}
        return found

    def announcement_active(self, policy: str, day: datetime.date) -> bool:
        return validity.announcement_in_force(self.program, self.lives, policy, day)

    def is_controlled(self, code: str, day: datetime.date) -> bool:
        """Contract §5: a control-list clause in force on the day covers the code (computed once
        per code and period)."""
        key = (code, self.period(day))
        found = self._controlled.get(key)
        if found is None:
            if len(self._controlled) > _MEMO_LIMIT:
                self._controlled.clear()
            status = self.statuses_on(day)
            found = self._controlled[key] = any(status[k].in_force for k in self.covering(code))
        return found

    def covering(self, code: str) -> tuple[ClauseKey, ...]:
        """The control clauses whose scopes cover the code, found by the code's prefixes."""
        parts = code.split(".")
        found = []
        for n in range(1, len(parts) + 1):
            for key, scope in self._scopes_at.get(".".join(parts[:n]), ()):
                if scope.covers(code):
                    found.append(key)
        return tuple(found)

    # -------------------------------------------------------------- citations

    def reason(self, key: ClauseKey, effect: str) -> Reason:
        """A clause that applies, cited as a reader would cite it, quoting its text (contract §4);
        made once per clause and effect."""
        return self._reasons(key, effect)

    def _reason(self, key: ClauseKey, effect: str) -> Reason:
        clause = self.program.clauses[key]
        ann = self.program.announcements[key.policy]
        texts = {t.lang: t.text for t in clause.texts}
        quote = texts.get("en") or texts.get("zh")
        citation = clause.source or (f"{ann.source}, {key.clause}" if ann.source else str(key))
        source = f"{citation}: “{quote}”" if quote else citation
        return Reason(key, effect, source, clause.title, texts, clause.url or ann.url)

    def revival(self, key: ClauseKey, day: datetime.date) -> validity.Window | None:
        """The suspension whose end alone makes a clause in force on `day` again, when no later
        instrument of the library (one issued after the suspension ended) speaks of it."""
        ended = [w for w in self.lives[key].windows if w.end < day]
        if not ended:
            return None
        last = max(ended, key=lambda w: w.end)
        for ann in self.program.announcements.values():
            if ann.issued and last.end < ann.issued <= day and self._names(ann, key.policy):
                return None
        return last

    @staticmethod
    def _names(ann: ast.Announcement, policy: str) -> bool:
        refs = [r for c in ann.clauses for r in (*c.exception_to, *c.refines,
                                                   *(t for s in c.suspensions for t in s.targets),
                                                   *(t for r in c.repeals for t in r.targets))]
        return any(r.announcement == policy for r in refs)

    # -------------------------------------------------------------- codes

    def names_code(self, code: str) -> bool:
        found = self._named.get(code)
        if found is None:
            if len(self._named) > _MEMO_LIMIT:
                self._named.clear()
            found = self._named[code] = self._names_code(code)
        return found

    def _names_code(self, code: str) -> bool:
        """Whether a control clause of the library, on any date, covers the code or heads an entry
        under it: `3C001.z` lies in `3C001`; the heading `2B902` holds `2B902.a`; a Wassenaar-style
        `3A001.a` lies in no scope (No. 58 controls `3A001 exactly`), nor does `2B104`.

        Catch-all clauses (No. 62 I, second paragraph) apply whatever the code; a code no control
        clause names is still outside what the library's lists say (contract §4)."""
        if self.covering(code):
            return True
        prefix = code + "."
        return any(value.startswith(prefix) for value in self._scopes_at)

    def placeholder_for(self, code: str) -> ast.Placeholder | None:
        return next((p for c, p in self.program.placeholders.items() if code_within(code, c)), None)

    # -------------------------------------------------------------- warnings (contract §4)

    def warnings(self, day: datetime.date, code: str | None, combined, classified,
                 reasons: list[ClauseKey]) -> tuple[Diagnostic, ...]:
        """The warnings a decision must carry: a code outside the library, a placeholder code, a
        revival inferred from a suspension's end, a disputed reading the outcome rests on, a
        provisional identifier cited (contract §4). `combined` says which clauses apply, are set
        aside or would apply but sleep; `classified` which clause classified the item; `reasons`
        the clauses that decided, in the decision's order."""
        found: list[Diagnostic] = []
        if code is not None:
            found += self._code_warnings(code)
        applying = [k for k, _ in combined.applying]
        if not self._noted.isdisjoint(applying) or classified or combined.sleeping or combined.overridden:
            found += self._clause_warnings(day, applying, reasons, combined, classified)
        return tuple(found)

    def _code_warnings(self, code: str) -> tuple[Diagnostic, ...]:
        found = self._code_memo.get(code)
        if found is None:
            if len(self._code_memo) > _MEMO_LIMIT:
                self._code_memo.clear()
            found = []
            if not self.names_code(code):
                found.append(warning("W402", path="item.control_code", item_code=code,
                                     help="the outcome covers only the announcements in the library"))
            placeholder = self.placeholder_for(code)
            if placeholder is not None:
                found.append(warning("W403", path="item.control_code", item_code=code, reason=placeholder.doc))
            found = self._code_memo[code] = tuple(found)
        return found

    def _clause_warnings(self, day, applying, reasons, combined, classified) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        revived: dict[tuple[str, validity.Window], list[str]] = {}
        period = self.period(day)
        for key in applying:
            if not self.lives[key].windows:
                continue
            memo = (key, period)
            if memo not in self._revivals:
                self._revivals[memo] = self.revival(key, day)
            window = self._revivals[memo]
            if window is not None:
                revived.setdefault((key.policy, window), []).append(key.clause)
        for (policy, window), clauses in revived.items():
            found.append(warning("W404", path="reasons", policy=policy, clauses=", ".join(clauses),
                                 by=str(window.by), end=window.end.isoformat(),
                                 help="the sources were checked through the library's `checked_through` date"))
        readings = [*reasons, *(c.key for c in classified)]
        if not self._disputed.isdisjoint(readings):
            for key in dict.fromkeys(readings):
                note = self.program.clauses[key].disputed
                if note:
                    found.append(warning("W405", path="reasons", clause=str(key), reading=note))
        cited = [*applying, *(k for k, _ in combined.sleeping), *(k for k, _ in combined.overridden),
                 *(c.key for c in classified)]
        if self._provisional.isdisjoint(k.policy for k in cited):
            return found
        for policy in dict.fromkeys(k.policy for k in cited):
            if policy in self._provisional:
                found.append(warning("W406", path="reasons", policy=policy,
                                     help="the announcement's number is not known; the library names it by its issue date"))
        return found
