"""Witnesses: a solver model turned into a case in the contract format, and re-decided.

Takes: a z3 model and the symbolic case of a `DecisionEncoding`.
Returns: `realise`, the case as a JSON-ready dict (decimals as strings, quantities with the unit
the policies write them in: `"99.95 %"`, `"50 um"`), in the form the case reader accepts
(contract §2), and `Rechecker`, which decides it with the reference interpreter, also on variants of the
program (a clause left out, an exception not heeded), to confirm what a finding claims.
Guarantees: a witness gives only the fields some clause reads (plus a realistic name for every
party), each with a value from the schema's domains; a field the model leaves missing is left
out; a defaulted field is written only when the model gives it explicitly. Every witness passes
through `policylang.eval` before it is reported.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import z3

from policylang import ast

from policylang.analysis.encode import RecordView
from policylang.analysis.symbolic import (FILLER_NAMES, Domains, SBool, SCode, SDate, SEnum, SEnumSet, SList,
                                          SNum, SRecord, SText)
from policylang.eval.cases import RawCase, split_cases
from policylang.eval.decision import Decision
from policylang.eval.expressions import Evaluator
from policylang.eval.interpreter import Interpreter
from policylang.program import ClauseKey, Program
from policylang.semantics import units

OMIT = object()
PARTY_NAMES = {"exporter": FILLER_NAMES[0], "importer": FILLER_NAMES[1], "end_user": FILLER_NAMES[2]}
NEUTRAL = ("civil", "goods", "export", "freight")


def _true(model: z3.ModelRef, b: Any) -> bool:
    return z3.is_true(model.eval(b, model_completion=True))


def _fraction(model: z3.ModelRef, v: Any) -> Fraction:
    val = model.eval(v, model_completion=True)
    if z3.is_rational_value(val):
        return Fraction(val.numerator_as_long(), val.denominator_as_long())
    if z3.is_int_value(val):
        return Fraction(val.as_long())
    return Fraction(Decimal(val.approx(12).as_decimal(12).rstrip("?")))  # an algebraic number


def decimal_text(x: Fraction) -> str:
    """An exact decimal where one exists (denominators of 2s and 5s), else 12 places."""
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        digits = 0
        while (x * 10 ** digits).denominator != 1:
            digits += 1
        text = str(Decimal(x.numerator) / Decimal(x.denominator)) if digits == 0 else \
            format(Decimal(x.numerator) / Decimal(x.denominator), f".{digits}f")
        return text
    return format(Decimal(x.numerator) / Decimal(x.denominator), ".12f")


class Realiser:
    """Reads a model into a JSON-ready case."""

    def __init__(self, program: Program, domains: Domains, model: z3.ModelRef):
        self.program, self.domains, self.model = program, domains, model

    def record(self, rec: SRecord, role: str = "") -> dict:
        out: dict[str, Any] = {}
        for name, value in rec.fields.items():
            if name in rec.explicit:
                if not _true(self.model, rec.explicit[name]):
                    continue
                value = rec.raw[name]
            v = self.value(value, name)
            if v is not OMIT and not self._is_default(rec.type, name, v):
                out[name] = v
        decl = self.program.records[rec.type]
        for f in decl.fields:   # required fields no clause reads: a neutral value
            if f.name not in out and not f.optional and f.default is None and not (rec.type == "Case" and f.name == "date"):
                out[f.name] = self.neutral(f)
        if rec.type == "Party" and "name" not in out:
            out = {"name": PARTY_NAMES.get(role, FILLER_NAMES[3]), **out}
        return out

    def _is_default(self, record: str, name: str, v: Any) -> bool:
        """A value equal to the field's constant default, which the witness can leave out."""
        d = self.program.field(record, name).default
        return ((isinstance(d, (ast.ListLit, ast.SetLit)) and not d.items and v == [])
                or (isinstance(d, ast.BoolLit) and v is d.value)
                or (isinstance(d, ast.Name) and v == d.name))

    def neutral(self, f) -> Any:
        t = f.type
        if t.name in self.program.enums:
            members = self.domains.members(t.name)
            return next((m for m in NEUTRAL if m in members), members[0])
        if t.name in self.program.records:
            return {}
        return {"decimal": "0", "bool": False, "text": FILLER_NAMES[0]}.get(t.name, None)

    def value(self, v: Any, role: str) -> Any:
        m = self.model
        if isinstance(v, RecordView):
            v = v.record
        if isinstance(v, SRecord):
            return self.record(v, role) if _true(m, v.given) else OMIT
        if isinstance(v, SList):
            if not _true(m, v.given):
                return OMIT
            n = m.eval(v.length, model_completion=True).as_long() if v.length is not None else len(v.elems)
            items = [self.value(e, role) for e in v.elems[:n]]
            return [x for x in items if x is not OMIT]
        if not _true(m, v.given):
            return OMIT
        match v:
            case SBool():
                return _true(m, v.v)
            case SNum():
                x = _fraction(m, v.v)
                unit = None if v.dim is None else self.domains.unit_of.get(v.dim) or units.BASE_UNITS[v.dim]
                if unit is None or not unit.symbol:       # a decimal, or a ratio no policy writes with a unit
                    return decimal_text(x)
                return f"{decimal_text((x - unit.offset) / unit.factor)} {unit.symbol}"
            case SDate():
                return datetime.date.fromordinal(m.eval(v.v, model_completion=True).as_long()).isoformat()
            case SEnum():
                return self.domains.members(v.enum)[m.eval(v.v, model_completion=True).as_long()]
            case SCode():
                return self.domains.codes[m.eval(v.v, model_completion=True).as_long()]
            case SText():
                return self.domains.texts[m.eval(v.v, model_completion=True).as_long()]
            case SEnumSet():
                return [name for name, has in zip(self.domains.members(v.enum), v.has) if _true(m, has)]
        raise AssertionError(f"cannot realise {v!r}")  # pragma: no cover


def realise(program: Program, domains: Domains, model: z3.ModelRef, case: SRecord, case_id: str) -> dict:
    """The witness case of a model, `id` first."""
    body = Realiser(program, domains, model).record(case)
    order = ["date", "action", "exporter", "importer", "end_user", "destination", "item", "end_use"]
    ordered = {k: body[k] for k in order if k in body}
    return {"id": case_id, **ordered, **{k: v for k, v in body.items() if k not in ordered}}


# ------------------------------------------------------------------ re-deciding


def applied(decision: Decision) -> set[ClauseKey]:
    """The clauses a decision shows applying: its reasons and the clauses of its duties."""
    return {r.key for r in decision.reasons} | {o.key for o in decision.obligations}


class Rechecker:
    """Decides witnesses with the interpreter, on the program and on variants of it."""

    def __init__(self, program: Program):
        self.program = program
        self._interpreters: dict[Any, Interpreter] = {None: Interpreter(program)}

    def decide(self, case: dict, variant: Any = None) -> Decision:
        if variant not in self._interpreters:
            self._interpreters[variant] = Interpreter(self._variant(variant))
        raw = split_cases(json.dumps(case, ensure_ascii=False), "witness.json")[0]
        return self._interpreters[variant].decide(raw)

    def _variant(self, variant: tuple[str, ClauseKey]) -> Program:
        """The program with one clause left out (`without`) or one exception not heeded (`ignore`)."""
        how, key = variant
        clause = self.program.clauses[key]
        changed = attrs.evolve(clause, rules=()) if how == "without" else attrs.evolve(clause, exception_to=())
        return attrs.evolve(self.program, clauses={**self.program.clauses, key: changed})


class FastDecider:
    """Decides witnesses with the compiled engine (which agrees with the interpreter on every
    case), and variants of the program with the interpreter: for shrinking witnesses, whose
    every step is a decision. The shrunk witness is still confirmed by the interpreter."""

    def __init__(self, program: Program, recheck: Rechecker):
        from policylang.engines import engine
        self.engine, self.recheck = engine(program, "compiled"), recheck

    def decide(self, case: dict, variant: Any = None) -> Decision:
        if variant is not None:
            return self.recheck.decide(case, variant)
        return self.engine.decide(RawCase(case, "witness"))

    def warm(self, codes: list[str]) -> None:
        """Work out now which rules each action and each of these codes can reach (the engine
        does it on first use), so that worker processes forked after this share it."""
        for action in self.engine.guards.actions or (None,):
            for code in [*codes, None]:
                self.engine.candidates(action, code)


def meets(interpreter: Interpreter, condition: ast.Expr | None):
    """`meets(case)`: whether a case meets a condition on the case (an `--assume`), read and
    classified as the interpreter reads it; always true without one."""
    if condition is None:
        return lambda case: True

    def check(case: dict) -> bool:
        read = interpreter.reader.read(split_cases(json.dumps(case, ensure_ascii=False), "witness.json")[0], None)
        if read.value is None:
            return False
        day = read.value.get("date")
        classified, _ = interpreter._classify(read.value, day)
        return Evaluator(interpreter._context(day, classified)).truth(condition) is True
    return check
