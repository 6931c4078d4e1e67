"""The decision of contract §4, encoded: which clauses apply to the symbolic case in a date window.

Takes: a checked `Program`, search `Bounds`, and a set of days on which every clause's status and
every announcement's status is the same (a window group, see `windows`).
Returns: `DecisionEncoding`, holding the constraints a real, valid case meets (`base`), and for
each clause `holds`, its effect rank `effect`, and `applies(...)`, the formula that is true
exactly when the interpreter lets the clause apply; `outcome(...)` is the rank of the outcome.
Guarantees: the combining rules mirror `eval/interpreter.py` step by step: classification first
(by the first `classify` whose condition holds), `invalid` rules and evaluation errors rule a case
out, a clause applies when it holds, is in force, a clause it refines applies and requires a
licence, and no exception to it applies. `applies` can leave clauses out or ignore exceptions, so
that the search can ask what a clause changes.

>>> from policylang.library import load_shipped
>>> program, _ = load_shipped()
>>> lib = Library(program)
>>> len(lib.windows()) > 2
True
>>> enc = DecisionEncoding(lib)
>>> solver = z3.Solver(); solver.add(enc.base + lib.fact_constraints(lib.windows()[-1:]))
>>> solver.check(enc.applies()[ClauseKey("MOFCOM-2025-61", "V")])
sat
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs
import z3

from policylang.analysis.encode import Encoder, Facts, WindowFacts, missing_like
from policylang.analysis.findings import FIRST_DAY, LAST_DAY
from policylang.analysis.symbolic import TRUE, Bounds, CaseBuilder, Domains, SCode, Unsupported, day, merge
from policylang.eval.interpreter import Interpreter
from policylang.program import ClauseKey, Program
from policylang.semantics import outcomes, validity

NO_EFFECT = 6                       # the rank of a clause that holds without an effect
NOT_CONTROLLED = outcomes.rank("not_controlled")
LICENSE = outcomes.rank("license_required")
DATE = z3.Int("case.date")          # the symbolic case's date (see `CaseBuilder`)


@attrs.frozen
class Window:
    """Days on which nothing changes: every clause's status and every announcement's are fixed."""
    start: datetime.date
    end: datetime.date
    facts: WindowFacts
    statuses: dict = attrs.field(eq=False, hash=False)


class Library:
    """The static facts of a program the analysis needs: relations, lives, windows, domains."""

    def __init__(self, program: Program, bounds: Bounds = Bounds(), domains: Domains | None = None):
        self.program, self.bounds = program, bounds
        self.interpreter = Interpreter(program)
        self.lives = self.interpreter.lives
        self.domains = domains or Domains(program)
        self.order = list(program.clauses)
        self.rules = {k: program.clauses[k].rules for k in self.order}
        self.effects = {k: sorted({r.effect for r in self.rules[k] if r.effect}, key=outcomes.rank)
                        for k in self.order}
        self.obligations = {k: any(r.obligations for r in self.rules[k]) for k in self.order}

    def windows(self, first: datetime.date = FIRST_DAY, last: datetime.date = LAST_DAY) -> list[Window]:
        days = {first, last + datetime.timedelta(days=1)} | self.change_days()
        bounds = sorted(d for d in days if first <= d <= last + datetime.timedelta(days=1))
        out = []
        for start, nxt in zip(bounds, bounds[1:]):
            statuses = {k: self.lives[k].status(start) for k in self.order}
            out.append(Window(start, nxt - datetime.timedelta(days=1), self.facts_on(start), statuses))
        return out

    def facts_on(self, day: datetime.date) -> WindowFacts:
        """Which clauses and announcements are in force on a day."""
        return WindowFacts(frozenset(k for k in self.order if self.lives[k].status(day).in_force),
                           frozenset(a for a in self.program.announcements
                                     if validity.announcement_in_force(self.program, self.lives, a, day)))

    def change_days(self) -> set[datetime.date]:
        """The days on which a clause's or an announcement's status may change."""
        days = set()
        for life in self.lives.values():
            days |= set(life.changes())
        for ann in self.program.announcements.values():
            days |= {d for d in (ann.issued, ann.effective) if d}
            if ann.until:
                days.add(ann.until + datetime.timedelta(days=1))
        return days

    def groups(self, windows: list[Window]) -> list[list[Window]]:
        """Windows with the same facts, searched together."""
        by: dict[WindowFacts, list[Window]] = {}
        for w in windows:
            by.setdefault(w.facts, []).append(w)
        return list(by.values())

    def fact_constraints(self, windows: list[Window]) -> list[Any]:
        """What a group of windows fixes: its days, and which clauses and announcements are in force."""
        facts = windows[0].facts
        days = z3.Or([z3.And(DATE >= day(w.start), DATE <= day(w.end)) for w in windows])
        return [days, *(Facts.in_force(k) == (k in facts.in_force) for k in self.order),
                *(Facts.active(a) == (a in facts.active_announcements) for a in self.program.announcements)]


class DecisionEncoding:
    """One symbolic case decided on a symbolic date (a window fixes the facts of its days)."""

    def __init__(self, lib: Library, assume: Any = None, prefix: str = ""):
        self.lib = lib
        program = lib.program
        self.builder = CaseBuilder(program, lib.domains, lib.bounds, prefix)
        self.enc = Encoder(program, lib.domains, self.builder, lib.interpreter.controls,
                           lib.interpreter.screening.entries)
        self.case = self.enc.case
        self.date = self.case.get("date").v
        self.opaque: list[ClauseKey] = []
        self._classify()
        self.invalid = [self._condition(rule.condition, None) for rule, _ in program.invalid_rules]
        self.holds_rule = {k: [self._condition(r.condition, k) for r in lib.rules[k]] for k in lib.order}
        self.holds = {k: z3.Or(v) if v else z3.BoolVal(False) for k, v in self.holds_rule.items()}
        self.effect = {k: self._effect(k) for k in lib.order}
        self.fixed = [z3.Not(z3.Or(self.invalid)) if self.invalid else TRUE,
                      z3.Not(z3.Or(self.enc.errors)) if self.enc.errors else TRUE]
        if assume is not None:
            self.fixed.append(self._condition(assume, None))
        self.assumed, self.assumption = assume is not None, assume
        self._applies: dict[tuple, dict[ClauseKey, Any]] = {}
        self._eligible: dict[ClauseKey, Any] = {}

    @property
    def base(self) -> list[Any]:
        """What every real, valid case in the window meets (domains grow as fields are read)."""
        return [*self.builder.constraints, *self.fixed]

    # -------------------------------------------------------------- building

    def _condition(self, expr, key: ClauseKey | None) -> Any:
        try:
            return self.enc.truth(expr)
        except Unsupported:
            if key is not None:
                self.opaque.append(key)
            return z3.Bool(f"opaque:{key}:{id(expr)}")

    def _classify(self) -> None:
        item = self.case.get("item")
        raw = item.get("control_code")
        category = item.get("category")
        ready = z3.And(item.given, category.given, z3.Not(raw.given))
        found = missing_like(raw)
        for _, c in reversed(self.lib.interpreter.classifiers):
            member = self.enc.member("Category", c.category)
            chosen = z3.And(category.v == member.v, self.enc._guarded(
                z3.And(ready, category.v == member.v), lambda: self._condition(c.condition, None)))
            found = merge(chosen, self.lib.domains.code_lit(c.code), found)
        item.overrides["control_code"] = merge(ready, found, raw)
        self.raw_code = raw
        self.enc.forget_definitions()

    def _effect(self, k: ClauseKey) -> Any:
        rank = z3.IntVal(NO_EFFECT)
        pairs = sorted(((outcomes.rank(r.effect), h) for r, h in zip(self.lib.rules[k], self.holds_rule[k])
                        if r.effect), key=lambda p: -p[0])
        for r, h in pairs:               # the most restrictive holding rule wins: build it last
            rank = z3.If(h, z3.IntVal(r), rank)
        return rank

    # -------------------------------------------------------------- combining (contract §4)

    def applies(self, removed: frozenset = frozenset(), ignore_exceptions: frozenset = frozenset(),
                timeless: bool = False) -> dict[ClauseKey, Any]:
        """Whether each clause applies; `removed` clauses never do, exceptions by `ignore_exceptions`
        are not heeded, and `timeless` ignores time and all exceptions (the interpreter's
        `would_apply`, used for reporting suspended clauses). A clause that depends on nothing
        removed or ignored keeps the formula it has in the plain case."""
        config = (removed, ignore_exceptions, timeless)
        if config in self._applies:
            return self._applies[config]
        lib, result = self.lib, {}
        exceptions_to = lib.interpreter.exceptions_to
        excepted = lib.interpreter.excepted
        refined = lib.interpreter.refined
        eligible: dict[ClauseKey, Any] = {}
        if (removed or ignore_exceptions) and not timeless:
            plain, touched = self.applies(), self.touched(removed, ignore_exceptions)
            eligible.update({k: v for k, v in self._eligible.items() if k not in touched})
            result.update({k: v for k, v in plain.items() if k not in touched})

        def base(k: ClauseKey) -> Any:
            """Applies but for the exceptions to it (the interpreter's `eligible`)."""
            if k in eligible:
                return eligible[k]
            if k in removed:
                eligible[k] = z3.BoolVal(False)
                return eligible[k]
            parts = [self.holds[k]]
            if not timeless:
                parts.append(Facts.in_force(k))
            if refined[k]:
                parts.append(z3.Or([z3.And(go(r), self.effect[r] <= LICENSE) for r in refined[k]]))
            if excepted[k]:  # an exception applies only where a clause it names would apply
                parts.append(z3.Or([base(t) for t in excepted[k]]))
            eligible[k] = z3.And(parts)
            return eligible[k]

        def go(k: ClauseKey) -> Any:
            if k in result:
                return result[k]
            parts = [base(k)]
            if not timeless:
                parts += [z3.Not(go(e)) for e in exceptions_to[k] if e not in ignore_exceptions]
            result[k] = z3.And(parts)
            return result[k]

        for k in lib.order:
            go(k)
        if not config[0] and not config[1] and not timeless:
            self._eligible = eligible
        self._applies[config] = result
        return result

    def touched(self, removed: frozenset, ignored: frozenset = frozenset()) -> frozenset:
        """The clauses whose formula differs from the plain case's when `removed` clauses are
        left out and the exceptions of `ignored` not heeded: those, the clauses those exceptions
        apply to, and every clause that depends on one of these."""
        interp = self.lib.interpreter
        touched = set(removed) | {k for k in self.lib.order if set(interp.exceptions_to[k]) & ignored}
        depends = {k: set(interp.refined[k]) | set(interp.excepted[k]) | set(interp.exceptions_to[k])
                   for k in self.lib.order}
        grown = True
        while grown:
            grown = False
            for k in self.lib.order:
                if k not in touched and depends[k] & touched:
                    touched.add(k)
                    grown = True
        return frozenset(touched)

    def outcome(self, applies: dict[ClauseKey, Any]) -> Any:
        """The rank of the outcome (0 prohibited … 5 not controlled)."""
        rank = z3.IntVal(NOT_CONTROLLED)
        for k, a in applies.items():
            if self.lib.effects[k]:
                e = self.effect[k]
                rank = z3.If(z3.And(a, e < rank), e, rank)
        return rank


__all__ = ["Library", "DecisionEncoding", "Window", "SCode"]
