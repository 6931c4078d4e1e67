"""Comparing decisions: one symbolic case decided twice, on two dates or by two libraries.

Takes: the `Library` and `DecisionEncoding` of each side (two libraries compared share one
`Domains`, so that the same z3 variables are the same case for both), the facts of the days each
side decides on (`WindowFacts`), and for a side decided as of a fixed day, that day.
Returns: `Side`, a library's decision with those facts fixed: which clauses apply, their effects,
the outcome, and the constraints a case must meet to be decided at all; `Probe`, a fresh z3
context in which to ask for a case on which two sides differ, and read it back as a witness.
Guarantees: a side's formulas are the encoding's, with the facts (and the case's date, for a
side decided as of a day) replaced by constants in one substitution, so a side means exactly
what the interpreter decides with those facts. Like every query of the analysis, a probe's
answers depend only on what it is asked (`session.py`).
"""

from __future__ import annotations

import datetime
from typing import Any

import z3

from policylang.analysis.decide import DATE, NOT_CONTROLLED, DecisionEncoding, Library
from policylang.analysis.encode import Facts, WindowFacts
from policylang.analysis.session import RLIMIT, SessionModel, Translator
from policylang.analysis.symbolic import day
from policylang.analysis.witness import realise
from policylang.program import ClauseKey


def substitute_all(terms: list, pairs: list) -> list:
    """`z3.substitute` of many terms in one traversal of what they share: they are packed as the
    arguments of one uninterpreted function, which no simplification touches."""
    if not terms:
        return []
    pack = z3.Function("pack#", *[t.sort() for t in terms], z3.BoolSort())
    done = z3.substitute(pack(*terms), *pairs) if pairs else pack(*terms)
    return [done.arg(i) for i in range(len(terms))]


class Side:
    """A library deciding the symbolic case with the facts of some days fixed."""

    def __init__(self, lib: Library, enc: DecisionEncoding, facts: WindowFacts, on: datetime.date | None = None):
        self.lib, self.enc, self.facts, self.on = lib, enc, facts, on
        order = lib.order
        plain = enc.applies()
        terms = [plain[k] for k in order] + [enc.effect[k] for k in order] + list(enc.fixed)
        pairs = [(Facts.in_force(k), z3.BoolVal(k in facts.in_force)) for k in order]
        pairs += [(Facts.active(a), z3.BoolVal(a in facts.active_announcements)) for a in lib.program.announcements]
        if on is not None:
            pairs.append((DATE, z3.IntVal(day(on))))
        done = substitute_all(terms, pairs)
        n = len(order)
        self.applies = dict(zip(order, done[:n]))
        self.effect = dict(zip(order, done[n:2 * n]))
        self.fixed = done[2 * n:]

    def outcome(self, clauses: list[ClauseKey] | None = None) -> Any:
        """The rank of the outcome the clauses decide (all of the library's by default)."""
        rank = z3.IntVal(NOT_CONTROLLED)
        for k in clauses if clauses is not None else self.lib.order:
            if self.lib.effects[k]:
                rank = z3.If(z3.And(self.applies[k], self.effect[k] < rank), self.effect[k], rank)
        return rank


class Probe:
    """A fresh z3 context holding what every compared case meets: the domains of the variables
    both encodings read, and each side's conditions for a case to be decided."""

    def __init__(self, sides: list[Side], extra: list | None = None):
        self.sides = sides
        self.tr = Translator(z3.Context())
        self.solver = z3.Solver(ctx=self.tr.ctx)
        self.solver.set("rlimit", RLIMIT)
        constraints = [c for s in sides for c in s.enc.builder.constraints]
        constraints += [c for s in sides for c in s.fixed] + list(extra or ())
        self.solver.add(self.tr.many(constraints))
        self.queries = 0

    def find(self, formula: Any) -> SessionModel | None:
        self.queries += 1
        self.solver.push()
        self.solver.add(self.tr(formula))
        model = SessionModel(self.solver.model(), self.tr) if self.solver.check() == z3.sat else None
        self.solver.pop()
        return model

    def witness(self, model: SessionModel, case_id: str) -> dict:
        """The case of a model, as every side's encoding reads it (their fields merged)."""
        out: dict = {}
        for s in self.sides:
            out = _merge(out, realise(s.lib.program, s.lib.domains, model, s.enc.case, case_id))
        return out


def _merge(a: Any, b: Any) -> Any:
    """Two readings of one case: fields either gives, nested records merged."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(out[k], v) if k in out else v
        return out
    return a


__all__ = ["Side", "Probe", "substitute_all"]
