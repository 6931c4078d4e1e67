"""Concrete cases in the symbolic encoding: the bridge that lets the encoding be tested against the
interpreter (STYLE habit 6: any second path agrees with the reference on random cases).

Takes: a `DecisionEncoding` and a case as the interpreter reads it (a `RecordValue`).
Returns: `pin(...)`, the z3 constraints that fix the symbolic case to that case (or `Unpinnable`
when the case lies outside the encoding's bounds: a longer list, a deeper record, a code or name
outside the finite domains that a condition could tell apart), and `Agreement`, which decides a
pinned case with the solver and reports what the interpreter and the encoding say.
Guarantees: only the fields the encoding reads are pinned; every other field cannot change a
decision, since no condition reads it.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import z3

from policylang.analysis.decide import DecisionEncoding, Library
from policylang.analysis.encode import RecordView
from policylang.analysis.symbolic import (FILLER_NAMES, SBool, SCode, SDate, SEnum, SEnumSet, SList, SNum, SRecord,
                                          SText, real)
from policylang.analysis.witness import applied
from policylang.eval.cases import CaseReader, split_cases
from policylang.eval.expressions import Evaluator
from policylang.eval.values import MISSING, code_within
from policylang.program import ClauseKey
from policylang.semantics import outcomes, units


class Unpinnable(Exception):
    """The case lies outside the bounds of the encoding."""


def pin(lib: Library, sym: SRecord, value: Any) -> list[Any]:
    """Constraints that make the symbolic record equal to the concrete one."""
    out: list[Any] = []
    for name, s in sym.fields.items():
        cv = value.get(name)
        if name in sym.explicit:
            if cv is MISSING:
                out.append(z3.Not(sym.explicit[name]))
                continue
            out.append(sym.explicit[name])
            s = sym.raw[name]
        out += _pin_value(lib, s, cv)
    return out


def _pin_value(lib: Library, s: Any, cv: Any) -> list[Any]:
    if isinstance(s, RecordView):
        s = s.record
    missing = cv is MISSING
    if isinstance(s, SRecord):
        if not missing and z3.is_false(z3.simplify(s.given)):
            raise Unpinnable("a record deeper than the bounds")
        return [s.given == (not missing)] + ([] if missing else pin(lib, s, cv))
    if isinstance(s, SList):
        items = () if missing else tuple(cv)
        if len(items) > len(s.elems):
            raise Unpinnable("a list longer than the bounds")
        out = [s.length == len(items)] if s.length is not None else []
        for e, v in zip(s.elems, items):
            out += pin(lib, e, v) if isinstance(e, SRecord) else [_scalar(lib, e, v)]
        return out
    if isinstance(s, SEnumSet):
        names = set() if missing else {m.name for m in cv}
        return [has == (m in names) for has, m in zip(s.has, lib.domains.members(s.enum))]
    return [s.given == (not missing)] + ([] if missing else [_scalar(lib, s, cv)])


def _scalar(lib: Library, s: Any, cv: Any) -> Any:
    d = lib.domains
    match s:
        case SBool():
            return s.v == z3.BoolVal(cv)
        case SNum():
            return s.v == real(cv.base if isinstance(cv, units.Quantity) else Fraction(cv))
        case SDate():
            return s.v == cv.toordinal()
        case SEnum():
            return s.v == d.member_index(s.enum, cv.name)
        case SCode():
            if cv in d.code_index:
                return s.v == d.code_index[cv]
            if any(code_within(cv, c) or code_within(c, cv) for c in d.codes[1:]):
                raise Unpinnable(f"code {cv} is not in the domain")
            return s.v == 0
        case SText():
            if cv in d.text_index:
                return s.v == d.text_index[cv]
            from policylang.semantics.screening import normalise
            if normalise(cv) in set(d.normal_texts):
                raise Unpinnable(f"name {cv} is not in the domain")
            return s.v == d.text_index[FILLER_NAMES[3]]
    raise Unpinnable(f"a value of kind {type(s).__name__}")


class Agreement:
    """Decides concrete cases with the solver, to compare with the interpreter."""

    def __init__(self, lib: Library):
        self.lib = lib
        self.enc = DecisionEncoding(lib)
        self.windows = lib.windows()
        self.solver = z3.Solver()
        self.solver.add(self.enc.base)

    def read(self, case: dict):
        raw = split_cases(json.dumps(case, ensure_ascii=False, default=str), "case.json")[0]
        interp = self.lib.interpreter
        reader = CaseReader(self.lib.program, Evaluator(interp._context(self._date(case), None)))
        return reader.read(raw, None), interp.decide(raw)

    @staticmethod
    def _date(case: dict):
        import datetime
        return datetime.date.fromisoformat(case["date"])

    def compare(self, case: dict) -> tuple[dict, dict] | None:
        """(what the interpreter says, what the encoding says) for a case, or None when the case
        is outside the bounds. Each side: outcome, and the clauses that apply."""
        read, decision = self.read(case)
        if read.value is None:
            return None
        try:
            pins = pin(self.lib, self.enc.case, read.value)
        except Unpinnable:
            return None
        day = self._date(case)
        window = next(w for w in self.windows if w.start <= day <= w.end)
        self.solver.push()
        self.solver.add(pins + self.lib.fact_constraints([window]))
        result = self.solver.check()
        said: dict = {"outcome": "error" if result == z3.unsat else None, "applies": set()}
        if result == z3.sat:
            m = self.solver.model()
            A = self.enc.applies()
            said["outcome"] = outcomes.OUTCOMES[m.eval(self.enc.outcome(A), model_completion=True).as_long()]
            said["applies"] = {k for k in self.lib.order
                               if (self.lib.effects[k] or self.lib.obligations[k])
                               and z3.is_true(m.eval(A[k], model_completion=True))}
        self.solver.pop()
        truth = {"outcome": decision.outcome, "applies": applied(decision) if decision.outcome != "error" else set()}
        return truth, said


__all__ = ["pin", "Agreement", "Unpinnable", "ClauseKey"]
