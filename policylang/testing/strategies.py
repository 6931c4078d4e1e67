"""Hypothesis strategies that generate valid cases from the schema, biased towards boundaries.

Takes: a library (default: the shipped one) and optional fixed fields.
Returns: `cases(...)`, a strategy of cases in the contract's JSON format (dicts a test can pass
to `decide` or write to a file), and `decide(case)`, the decision `policylang eval` prints.
Guarantees: every generated case reads without errors (fields, enums, units and codes come from
the schema and the library); values are drawn mostly from what the library tests: the control
codes it names (and codes beneath them), its thresholds and the values just past them (`50 um`
and `50.001 um`), the first and last days of every effective date, suspension and repeal (and the
days beside them), its country and end-use members, and the names on its entity lists.
`cases(applying="MOFCOM-2025-61 I(1)")` starts from the analyzer's witnesses for that clause
(`analysis/reach.py`: cases on which the clause applies, a few dates apart) and varies the fields
a witness leaves out, each taken from a random case of the schema; it shrinks towards a witness.
A clause that can never apply raises `NeverApplies`, which says why.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5, deadline=None)
... @given(cases(action="reexport"))
... def check(case):
...     assert case["action"] == "reexport" and decide(case)["outcome"] != "error"
>>> check()
>>> @settings(max_examples=5, deadline=None)
... @given(cases(applying="MOFCOM-2025-61 V"))
... def reaches(case):
...     assert case["end_use"]        # every witness of clause V has a humanitarian end use
>>> reaches()
"""

from __future__ import annotations

import datetime
import functools
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from policylang import ast
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.eval.cases import split_cases
from policylang.engines import DEFAULT as DEFAULT_ENGINE
from policylang.engines import engine as make_engine
from policylang.library import load, policies_dir
from policylang.program import CASE_RECORD, Program
from policylang.semantics import units, validity

FILLER_NAMES = ("Example Trading Co.", "Example Components GmbH", "Example Logistics Ltd.")


@functools.lru_cache(maxsize=8)
def library(paths: tuple[str, ...] = (), engine: str = DEFAULT_ENGINE) -> tuple[Program, Any]:
    """The checked library and its engine (the shipped library and the compiled engine by
    default), loaded once."""
    program, diags = load(list(paths) or [policies_dir()])
    if program is None:
        raise ValueError("; ".join(f"{d.code} {d.message}" for d in diags if d.is_error))
    return program, make_engine(program, engine)


def decide(case: dict, policies: tuple[str, ...] = (), engine: str = DEFAULT_ENGINE) -> dict:
    """The decision for a case, as `policylang eval --format json` prints it."""
    _, decider = library(tuple(map(str, policies)), engine)
    raw = split_cases(json.dumps(case, ensure_ascii=False, default=str), "case.json")[0]
    return decider.decide(raw).to_json()


def _walk(node: Any):
    if isinstance(node, tuple):
        for x in node:
            yield from _walk(x)
    elif hasattr(type(node), "__attrs_attrs__"):
        yield node
        for f in type(node).__attrs_attrs__:
            if not f.name.endswith("span"):
                yield from _walk(getattr(node, f.name))


class Boundaries:
    """What a library tests: its codes, thresholds, numbers, dates and names."""

    def __init__(self, program: Program):
        self.codes: set[str] = set()
        self.quantities: dict[str, set[Fraction]] = {}
        self.unit_of: dict[str, units.Unit] = {}
        self.numbers: set[Fraction] = {Fraction(0), Fraction(1, 2), Fraction(1)}
        self.texts: set[str] = set()
        for module in program.modules:
            for node in _walk(module.items):
                if isinstance(node, (ast.CodeLit, ast.ControlScope)):
                    self.codes.add(node.value)
                elif isinstance(node, ast.Classification):
                    self.codes.add(node.code)
                elif isinstance(node, ast.QuantityLit):
                    q = units.make(node.value, node.unit)
                    self.unit_of.setdefault(q.dimension, q.unit)
                    self.quantities.setdefault(q.dimension, set()).add(Fraction(node.value))
                    if q.dimension == "ratio":      # shares are decimals too: `>= 0.1 %` tests 0.001
                        self.numbers.add(q.base)
                elif isinstance(node, ast.Number):
                    self.numbers.add(Fraction(node.value))
                elif isinstance(node, ast.StringLit) and len(node.value) < 40:
                    self.texts.add(node.value)
        days: set[datetime.date] = set()
        for life in validity.lives(program).values():
            for d in life.changes():
                days |= {d - datetime.timedelta(days=1), d}
        self.days = sorted(d for d in days if d.year > 1900)
        self.names = sorted({e.name for l in program.entity_lists.values() for e in l.entries})


def just_past(v: Fraction) -> list[Fraction]:
    """A threshold and the values just past it on either side: by a thousandth of the value (or
    of one, for zero), so `0.001` gives `0.000999` and `0.001001`, `50` gives `49.95` and `50.05`."""
    eps = abs(v) / 1000 if v else Fraction(1, 1000)
    return [v, v - eps, v + eps]


def _near(values: set[Fraction]) -> st.SearchStrategy[Fraction]:
    """A threshold, or a value just past it on either side, or any value near the range."""
    points = sorted(values)
    boundary = st.sampled_from(points).flatmap(lambda v: st.sampled_from(just_past(v) + [v * 2, v / 2]))
    lo, hi = (min(points), max(points)) if points else (Fraction(0), Fraction(100))
    anywhere = st.fractions(min_value=min(Fraction(0), lo), max_value=hi * 2 + 1, max_denominator=1000)
    return st.one_of(boundary, boundary, anywhere)


def _clamp(x: Fraction, low=None, high=None) -> Fraction:
    """A drawn value kept within a field's range (the bounds themselves are boundaries to test)."""
    if low is not None and x < low:
        return Fraction(low)
    if high is not None and x > high:
        return Fraction(high)
    return x


def _decimal(x: Fraction) -> str:
    return str(Decimal(x.numerator) / Decimal(x.denominator))


class CaseStrategies:
    """Strategies for the records of one program's schema."""

    def __init__(self, program: Program, max_list: int = 2, first: datetime.date | None = None,
                 last: datetime.date | None = None):
        self.program, self.max_list = program, max_list
        self.types = ExprChecker(program)
        self.b = Boundaries(program)
        days = [d for d in self.b.days if (first is None or d >= first) and (last is None or d <= last)]
        lo = first or datetime.date(2023, 1, 1)
        hi = last or datetime.date(2027, 12, 31)
        self.dates = st.one_of(st.sampled_from(days), st.dates(lo, hi)) if days else st.dates(lo, hi)

    def record(self, name: str, depth: int, fixed: dict | None = None) -> st.SearchStrategy[dict]:
        decl = self.program.records[name]
        parts = {}
        for f in decl.fields:
            if fixed and f.name in fixed:
                value = fixed[f.name]
                parts[f.name] = value if isinstance(value, st.SearchStrategy) else st.just(value)
                continue
            if name == CASE_RECORD and f.name in ("id", "service"):
                continue
            strategy = self.value(self.types.resolve_type(f.type), f.name, depth, (f.minimum, f.maximum))
            if strategy is None:
                continue
            required = not f.optional and f.default is None
            parts[f.name] = strategy if required else st.one_of(st.none(), strategy)
        def draw_record(draw) -> dict:
            drawn = {k: draw(s) for k, s in parts.items()}
            return {k: v for k, v in drawn.items() if v is not None}
        draw_record.__name__ = draw_record.__qualname__ = f"{name.lower()}_record"
        return st.composite(draw_record)()       # a short repr, not the schema's

    def value(self, t: T.Type, field: str, depth: int, bounds: tuple = (None, None)) -> st.SearchStrategy | None:
        match t:
            case T.Prim("bool"):
                return st.booleans()
            case T.Prim("decimal"):
                return _near(self.b.numbers).map(lambda x: _decimal(_clamp(x, *bounds)))
            case T.Prim("date"):
                return self.dates.map(datetime.date.isoformat)
            case T.Prim("text"):
                pool = sorted(set(self.b.names) | set(FILLER_NAMES)) if field == "name" else sorted(self.b.texts) or list(FILLER_NAMES)
                return st.sampled_from(pool)
            case T.Prim("code"):
                codes = sorted(self.b.codes) or ["1C902.a"]
                return st.one_of(st.sampled_from(codes), st.sampled_from(codes).map(lambda c: c + ".z"))
            case T.QuantityT(dim):
                unit = self.b.unit_of.get(dim) or units.BASE_UNITS[dim]
                values = self.b.quantities.get(dim, {Fraction(1)})
                # what a case may give (contract §2): at least zero (0 K for a temperature, whose
                # unit may have an offset), a ratio at most 1
                low = -unit.offset / unit.factor
                high = (1 - unit.offset) / unit.factor if dim == "ratio" else None
                return _near(values).map(lambda x: f"{_decimal(_clamp(x, low, high))} {unit.symbol}")
            case T.EnumT(name):
                return st.sampled_from([m.name for m in self.program.enums[name].members])
            case T.RecordT(name):
                return self.record(name, depth + 1)
            case T.SetT(el) | T.ListT(el):
                if isinstance(el, T.RecordT) and depth >= 2:
                    return st.just([])
                inner = self.value(el, field, depth)
                unique = isinstance(t, T.SetT)
                return st.lists(inner, max_size=self.max_list, unique=unique if not isinstance(el, T.RecordT) else False)
        return None


@functools.lru_cache(maxsize=8)
def _reach(paths: tuple[str, ...]):
    from policylang.analysis.reach import Reach      # z3, only for `applying`
    return Reach(library(paths)[0])


def witnesses(clause: str, policies: tuple[str, ...] = ()) -> list[dict]:
    """Cases on which `clause` applies, from the analyzer, each shrunk to what it needs (no `id`).

    >>> w = witnesses("MOFCOM-2025-61 I(1)")[0]
    >>> [r["clause"] for r in decide(w)["reasons"] if r["policy"] == "MOFCOM-2025-61"]
    ['I(1)']
    """
    found = _reach(tuple(map(str, policies))).witnesses(clause)
    return [{k: v for k, v in w.items() if k != "id"} for w in found]


def _free_paths(seed: Any, other: Any, prefix: tuple = ()) -> list[tuple]:
    """The fields `other` gives that `seed` leaves out, as paths, records merged field by field:
    with `seed` `{"item": {"origin": "DE"}}`, `other`'s `item.made_in` is free, `item.origin` not."""
    paths = []
    for name, value in other.items():
        if name not in seed:
            paths.append((*prefix, name))
        elif isinstance(value, dict) and isinstance(seed[name], dict):
            paths += _free_paths(seed[name], value, (*prefix, name))
    return paths


def around(seeds: list[dict], schema: st.SearchStrategy[dict], fixed: dict) -> st.SearchStrategy[dict]:
    """A seed case with some of the fields it leaves out drawn from `schema` (and the `fixed`
    fields always from it); it shrinks towards the first seed, with nothing added."""
    from policylang.analysis.shrink import value_at, with_value, without    # z3 comes with it: here only

    def draw_case(draw) -> dict:
        case = draw(st.sampled_from(seeds))
        other = draw(schema)
        for name in fixed:
            case = with_value(case, (name,), other[name]) if name in other else without(case, (name,))
        for path in _free_paths(case, other):
            if draw(st.integers(0, 2)) == 2:            # each added one time in three
                case = with_value(case, path, value_at(other, path))     # its parents are in the case
        return case
    draw_case.__name__ = draw_case.__qualname__ = "case_around_a_witness"
    return st.composite(draw_case)()


def cases(policies: tuple[str, ...] = (), *, applying: str | None = None, max_list: int = 2,
          date_from: str | datetime.date | None = None, date_through: str | datetime.date | None = None,
          **fixed: Any) -> st.SearchStrategy[dict]:
    """Valid cases of a library's schema (the shipped one by default), as JSON-ready dicts.

    `fixed` pins top-level fields to a value or a strategy: `cases(action="reexport",
    end_use=st.just(["emergency_medical"]))`; `date_from`/`date_through` bound the date.
    `applying="MOFCOM-2025-61 I(1)"` draws around the analyzer's witnesses for that clause (see
    the module's contract); it raises `NeverApplies` at once for a clause that can never apply.
    """
    paths = tuple(map(str, policies))
    program, _ = library(paths)
    first = datetime.date.fromisoformat(str(date_from)) if date_from else None
    last = datetime.date.fromisoformat(str(date_through)) if date_through else None
    strategy = CaseStrategies(program, max_list, first, last).record(CASE_RECORD, 0, fixed)
    if applying is not None:
        seeds = [w for w in witnesses(applying, paths)
                 if (first is None or w["date"] >= first.isoformat()) and (last is None or w["date"] <= last.isoformat())]
        if not seeds:
            from policylang.analysis.reach import NeverApplies
            raise NeverApplies(f"no witness of {applying} falls between {date_from or '…'} and {date_through or '…'}")
        strategy = around(seeds, strategy, fixed)
    return strategy.filter(lambda case: not decide(case, policies)["errors"])
