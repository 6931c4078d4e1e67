"""Conditions in words: why a condition failed for a case (or, under `not`, why it held).

Takes: a reference `Evaluator` for one case, and a condition of the policy language.
Returns: a `Why`: the failure in words, with the case's value as policylang shows values
(`15 um`), the law's bound as the policy writes it (`8 um`) and the case field it read
(`item.parameters.average_particle_size`); each null where a failure has none.
Guarantees: values are the reference evaluator's, so the words say what the interpreter decided.
"The first condition that failed" means:
- `a and b`: the first conjunct, left to right, that failed (where evaluation stopped);
- `a or b`: every alternative failed, so all are given: `none of: …; …` (nested ones flattened,
  each said once);
- `not a`: `a` held, and why it held is given (the same rules, read positively);
- `any x in xs: …`: `xs` is empty, or no element met the body (each of up to three elements with
  its own failure; more are summed up); `all x in xs: …`: the first element that failed, with its
  index in the path (`item.made_with_technology[0].origin`);
- a definition is read through (its body, with its arguments bound), `if` through the branch
  taken; a comparison, membership, `within`, `is given` or built-in (`listed`, `controlled`) is a
  leaf: `average particle size 15 um is not <= 8 um`; a value the case does not give is named by
  the first step of its path the case lacks: `end user is not given`.

>>> from fractions import Fraction
>>> _number(Fraction(1, 8)), _show(Fraction(15)), _show((Fraction(1, 3),))
('0.125', '15', '[1/3]')
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from policylang import ast
from policylang.eval.expressions import Env, EnumType, Evaluator
from policylang.eval.values import MISSING, EnumValue, RecordValue
from policylang.fmt.doc import render
from policylang.fmt.expressions import ExpressionPrinter
from policylang.program import CASE_RECORD
from policylang.semantics import units

_SHOWN_ELEMENTS = 3         # elements of an `any` explained one by one; more are summed up
_PRINTER = ExpressionPrinter()
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_WORDLESS = ("item", "parameters")     # path steps a subject's words leave out


@attrs.frozen
class Why:
    """One failure (or, under `not`, one success) in words."""
    failed: str
    value: str | None = None
    bound: str | None = None
    path: str | None = None
    parts: tuple["Why", ...] = ()       # of `none of` / `all of`: the failures it gathers
    joined: str | None = None           # "none of" or "all of"


class ConditionWords:
    """Conditions of one case in words: why one failed (`failure`), or why one held (`success`,
    for what a `not` denies). Values come from the reference evaluator; `paths` follows the
    variables a quantifier binds to the case field they stand for."""

    def __init__(self, evaluator: Evaluator):
        self.ev = evaluator
        self.program = evaluator.program

    def failure(self, e: ast.Expr, env: Env = Env(), paths: dict | None = None) -> Why:
        return self._why(e, env, paths or {}, False)

    def success(self, e: ast.Expr, env: Env = Env(), paths: dict | None = None) -> Why:
        return self._why(e, env, paths or {}, True)

    def _why(self, e: ast.Expr, env: Env, paths: dict, held: bool) -> Why:
        method = getattr(self, f"_{type(e).__name__}", None)
        if method is None:
            return self._opaque(e, env, paths, held)
        return method(e, env, paths, held)

    # -------------------------------------------------------------- logic

    def _And(self, e: ast.And, env, paths, held):
        if held:
            return _all_of([self._why(c, env, paths, True) for c in _chain(e, ast.And)])
        for c in _chain(e, ast.And):
            if not self.ev.truth(c, env):
                return self._why(c, env, paths, False)
        return self._opaque(e, env, paths, held)   # pragma: no cover - the conjunction held

    def _Or(self, e: ast.Or, env, paths, held):
        if not held:
            return _none_of([self._why(c, env, paths, False) for c in _chain(e, ast.Or)])
        for c in _chain(e, ast.Or):
            if self.ev.truth(c, env):
                return self._why(c, env, paths, True)
        return self._opaque(e, env, paths, held)   # pragma: no cover - the disjunction failed

    def _Not(self, e: ast.Not, env, paths, held):
        return self._why(e.operand, env, paths, not held)

    def _Conditional(self, e: ast.Conditional, env, paths, held):
        branch = e.then if self.ev.truth(e.condition, env) else e.otherwise
        return self._why(branch, env, paths, held)

    def _Quantified(self, e: ast.Quantified, env, paths, held):
        collection, where, subject = self.read(e.collection, env, paths)
        if collection is MISSING:
            return self.not_given(where, None, subject)
        elements = [(env.bind(e.var, el), {**paths, e.var: _index(where, i)}) for i, el in enumerate(collection)]
        if (e.quantifier == "any") == held:
            # One element decides: the first that meets the body (`any` held) or fails it (`all` failed).
            for inner, inner_paths in elements:
                if self.ev.truth(e.body, inner) == held:
                    return self._why(e.body, inner, inner_paths, held)
            return self._opaque(e, env, paths, held)   # pragma: no cover - no element decided it
        # Every element counts: none met the body (`any` failed), or all did (`all` held).
        if not elements:
            return Why(f"{subject} is empty", "[]", None, where)
        if len(elements) > _SHOWN_ELEMENTS:
            every = "every" if held else "no"
            return Why(f"{every} entry of {subject} ({len(elements)} entries) meets `{_source(e.body)}`",
                       str(len(elements)), _source(e.body), where)
        whys = [self._why(e.body, inner, inner_paths, held) for inner, inner_paths in elements]
        return _all_of(whys) if held else _none_of(whys)

    # -------------------------------------------------------------- names and calls

    def _Name(self, e: ast.Name, env, paths, held):
        if e.name not in env.locals and e.name in self.program.definitions:
            definition, _ = self.program.definitions[e.name]
            if not definition.params:
                return self._why(definition.body, Env(), {}, held)
        return self._truth_value(e, env, paths, held)

    def _Attribute(self, e: ast.Attribute, env, paths, held):
        return self._truth_value(e, env, paths, held)

    def _truth_value(self, e, env, paths, held):
        value, where, subject = self.read(e, env, paths)
        if value is MISSING:
            return self.not_given(where, "true", subject)
        return Why(f"{subject} is {_show(value)}", _show(value), "false" if held else "true", where)

    def _Call(self, e: ast.Call, env, paths, held):
        if e.func in self.program.definitions:
            definition, _ = self.program.definitions[e.func]
            args = [self.ev.eval(a, env) for a in e.args]
            arg_paths = {p.name: self.path(a, env, paths) for p, a in zip(definition.params, e.args)}
            bound = Env({p.name: v for p, v in zip(definition.params, args)})
            return self._why(definition.body, bound, {k: v for k, v in arg_paths.items() if v}, held)
        if e.func in ("listed", "controlled_by_listed") and len(e.args) >= 2:
            return self._listed(e, env, paths, held)
        if e.func == "controlled" and len(e.args) == 1:
            code, where, subject = self.read(e.args[0], env, paths)
            if code is MISSING:
                return self.not_given(where, None, subject)
            verb = "is" if held else "is not"
            return Why(f"{subject} {code} {verb} controlled on {self.ev.ctx.date}", str(code),
                       "a control-list clause in force", where)
        return self._opaque(e, env, paths, held)

    def _listed(self, e: ast.Call, env, paths, held):
        party, where, subject = self.read(e.args[0], env, paths)
        list_name = _source(e.args[1])
        if party is MISSING:
            return self.not_given(where, list_name, subject)
        name = party.get("name") if isinstance(party, RecordValue) else MISSING
        who = f"{subject} `{name}`" if isinstance(name, str) else f"{subject} (no name)"
        verb = "is" if held else "is not"
        owned = ""
        if e.func == "controlled_by_listed" and len(e.args) == 3:
            share = _show(self.ev.eval(e.args[2], env))
            owned = (f", or controlled {share} or more by a party that is" if held
                     else f", nor controlled {share} or more by a party that is")
        return Why(f"{who} {verb} listed on {list_name}{owned}", name if isinstance(name, str) else None,
                   list_name, where)

    # -------------------------------------------------------------- tests

    def _Compare(self, e: ast.Compare, env, paths, held):
        left = self.ev.eval(e.left, env)
        member = self.ev._member_of(e.right, left, env)
        right = member if member is not None else self.ev.eval(e.right, env)
        op, case_side, law_side, value, where = e.op, e.left, e.right, left, self.path(e.left, env, paths)
        if where is None and self.path(e.right, env, paths) is not None:
            op, case_side, law_side, value = _FLIPPED[e.op], e.right, e.left, right
            where = self.path(e.right, env, paths)
        bound_value = right if case_side is e.left else left
        subject = self.subject(case_side, where)
        bound = _source(law_side)
        if value is MISSING:
            return self.not_given(where, bound, subject)
        if bound_value is MISSING:
            return Why(f"{_source(law_side)} is not given", _show(value), None, where)
        shown = _show(value)
        if (isinstance(bound_value, units.Quantity) and bound_value.dimension == "ratio"
                and isinstance(value, Fraction) and bound_value.unit.factor != 1):
            shown = f"{_number(value / bound_value.unit.factor)} {bound_value.unit.symbol}"   # 0.0007 as 0.07 %
        if op == "==":
            failed = f"{subject} is {bound}" if held else f"{subject} is {shown}, not {bound}"
        elif op == "!=":
            failed = f"{subject} is {shown}, not {bound}" if held else f"{subject} is {bound}"
        else:
            failed = f"{subject} {shown} is {'' if held else 'not '}{op} {bound}"
        return Why(failed, shown, bound, where)

    def _Member(self, e: ast.Member, env, paths, held):
        inside = held != e.negated          # whether the element is in the collection
        if self.path(e.element, env, paths) is None and self.path(e.collection, env, paths) is not None:
            return self._leaf(self.read(e.collection, env, paths), _source(e.element), inside,
                              ("does not include", "includes"))
        return self._leaf(self.read(e.element, env, paths), _source(e.collection), inside, ("is not in", "is in"))

    def _Within(self, e: ast.Within, env, paths, held):
        return self._leaf(self.read(e.code, env, paths), _source(e.scope), held, ("is not within", "is within"))

    def _leaf(self, read: tuple, bound: str, held: bool, verbs: tuple[str, str]) -> Why:
        """A test of the case's value against the law's bound, in words: `code 1C904.a.4 is not
        within annex1_part2`."""
        value, where, subject = read
        if value is MISSING:
            return self.not_given(where, bound, subject)
        return Why(f"{subject} {_show(value)} {verbs[held]} {bound}", _show(value), bound, where)

    def _Given(self, e: ast.Given, env, paths, held):
        value, where, subject = self.read(e.expr, env, paths)
        if value is MISSING:
            return self.not_given(where, None, subject)
        if isinstance(value, RecordValue):
            return Why(f"{subject} is given", None, None, where)
        return Why(f"{subject} is given: {_show(value)}", _show(value), None, where)

    def _BoolLit(self, e: ast.BoolLit, env, paths, held):
        return Why(f"the condition is `{_source(e)}`")

    def _opaque(self, e, env, paths, held) -> Why:
        return Why(f"`{_source(e)}` {'holds' if held else 'does not hold'}")

    # -------------------------------------------------------------- what a value is

    def read(self, e: ast.Expr, env: Env, paths: dict) -> tuple[Any, str | None, str]:
        """An operand's value for the case, the case field it reads, and what it is in words."""
        where = self.path(e, env, paths)
        return self.ev.eval(e, env), where, self.subject(e, where)

    def not_given(self, where: str | None, bound: str | None, subject: str) -> Why:
        """A value the case does not give, named by the first step of its path the case lacks:
        `end user is not given`, not `end user military is not given`."""
        if where:
            where = self._missing_step(where)
            subject = self.subject(None, where)
        return Why(f"{subject} is not given", None, bound, where)

    def _missing_step(self, path: str) -> str:
        value: Any = self.ev.ctx.case
        steps = path.split(".")
        for n, step in enumerate(steps):
            name, _, index = step.partition("[")
            value = value.values.get(name, MISSING) if isinstance(value, RecordValue) else MISSING
            if value is MISSING:
                return ".".join(steps[:n] + [name])
            if index:
                value = value[int(index.rstrip("]"))] if isinstance(value, tuple) else MISSING
        return path

    def path(self, e: ast.Expr, env: Env, paths: dict, depth: int = 0) -> str | None:
        """The case field an expression reads (`item.parameters.wire_diameter`), through
        definitions that only name one and the variables a quantifier binds; None for others."""
        if depth > 20:
            return None
        if isinstance(e, ast.Name):
            if e.name in env.locals:
                return paths.get(e.name)
            if e.name in self.program.definitions:
                definition, _ = self.program.definitions[e.name]
                return None if definition.params else self.path(definition.body, Env(), {}, depth + 1)
            return e.name if self.program.field(CASE_RECORD, e.name) is not None else None
        if isinstance(e, ast.Attribute):
            base = self.path(e.obj, env, paths, depth + 1)
            return f"{base}.{e.name}" if base else None
        return None

    def subject(self, e: ast.Expr | None, path: str | None) -> str:
        """What a value is, in words: its field (`average particle size`, `end user country`),
        else its definition's name, else the expression."""
        if path:
            steps = [s for s in path.split(".") if s not in _WORDLESS] or [path.split(".")[-1]]
            return " ".join(steps).replace("_", " ")
        if isinstance(e, ast.Name):
            return e.name.replace("_", " ")
        return f"`{_source(e)}`"


def _chain(e: ast.Expr, kind: type) -> list[ast.Expr]:
    """The operands of a chain of one operator, left to right: `a and b and c` -> [a, b, c]."""
    if isinstance(e, kind):
        return _chain(e.left, kind) + _chain(e.right, kind)
    return [e]


def _none_of(whys: list[Why]) -> Why:
    return _joined("none of", whys)


def _all_of(whys: list[Why]) -> Why:
    return _joined("all of", whys)


def _joined(head: str, whys: list[Why]) -> Why:
    """The failures gathered, nested ones of the same kind flattened, each said once."""
    unique: dict[str, Why] = {}
    for w in whys:
        for part in (w.parts if w.joined == head else (w,)):
            unique.setdefault(part.failed, part)
    parts = tuple(unique.values())
    if len(parts) == 1:
        return parts[0]
    paths = {w.path for w in parts}
    return Why(f"{head}: " + "; ".join(w.failed for w in parts), None, None,
               paths.pop() if len(paths) == 1 else None, parts, head)


def _index(path: str | None, i: int) -> str | None:
    return f"{path}[{i}]" if path else None


def _source(e: ast.Expr) -> str:
    return render(_PRINTER.expr(e, 0), 10**6)


def _show(value: Any) -> str:
    """A value as policylang writes it: `15 um`, `0.001`, `CN`, `2026-11-30`, `[CN, JP]`."""
    if isinstance(value, units.Quantity):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return _number(value)
    if isinstance(value, (Decimal, int)):
        return str(value)
    if isinstance(value, (EnumValue, EnumType)):
        return value.name
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(_show(v) for v in value)) + "}"
    if isinstance(value, RecordValue):
        name = value.values.get("name")
        return name if isinstance(name, str) else f"a {value.type.lower()}"
    return str(value)


def _number(value: Fraction) -> str:
    """A fraction as a decimal when it is one (`1/8` is `0.125`), else as a fraction.

    >>> _number(Fraction(1, 8)), _number(Fraction(15)), _number(Fraction(1, 3)), _number(Fraction(-1, 1000))
    ('0.125', '15', '1/3', '-0.001')
    """
    d, places = value.denominator, 0
    while d % 10 == 0 or d % 2 == 0 or d % 5 == 0:
        for f in (2, 5):
            if d % f == 0:
                d //= f
        places += 1
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    text = format(Decimal(value.numerator * (10 ** places // value.denominator)).scaleb(-places), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
