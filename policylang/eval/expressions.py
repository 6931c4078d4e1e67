"""Evaluation of expressions: the reference semantics of every expression construct.

Takes: a checked `Program`, a `Context` (the case, its date, the library's screening and
validity), and an expression with its environment (bound variables; for record defaults, the
fields of the record being built).
Returns: a value (see `values.py`); numbers are exact `Fraction`s.
Guarantees:
- arithmetic is exact: decimals are read as decimals and computed as rationals, so
  0.00014 + 0.00056 + 0.0003 == 0.001 exactly (contract §2);
- quantities compare on their exact value in the base unit, so 0.05 mm == 50 um;
- a value the case does not give (`MISSING`) makes every comparison with it false, `within` and
  `in` false, arithmetic on it missing, `any` over it false and `all` over it true; `is given`
  tells it apart. A rule that needs a fact the case does not state does not apply.
"""

from __future__ import annotations

import datetime
import operator
from fractions import Fraction
from typing import Any, Callable, Mapping

import attrs

from policylang import ast
from policylang.semantics.builtins import BUILTINS
from policylang.eval.values import MISSING, EnumValue, RecordValue, code_within
from policylang.program import CASE_RECORD, Program
from policylang.semantics import units
from policylang.semantics.screening import Screening


class EvaluationError(Exception):
    """A fault while evaluating a case (such as division by zero), reported as E4xx; `path`
    names what the case gave that caused it (the divisor, the date a due date counts from)."""

    def __init__(self, code: str, path: str = "", **values: object):
        super().__init__(code)
        self.code = code
        self.path = path
        self.values = values


@attrs.frozen
class EnumType:
    """An enumeration as a value, so that `Country.CN` can be read."""
    name: str


@attrs.define
class Context:
    """What a case is evaluated against: the case, its date, and facts of the library."""
    program: Program
    date: datetime.date
    case: RecordValue | None
    screening: Screening
    is_controlled_code: Callable[[str], bool]


@attrs.frozen
class Env:
    """Bound variables, and for defaults the fields of the record under construction."""
    locals: Mapping[str, Any] = attrs.field(factory=dict)
    record: Mapping[str, Any] | None = None
    record_type: str | None = None

    def bind(self, name: str, value: Any) -> "Env":
        return Env({**self.locals, name: value}, self.record, self.record_type)


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
          "==": operator.eq, "!=": operator.ne}


def _comparable(value: Any) -> Any:
    if isinstance(value, units.Quantity):
        return value.base
    return value


def compare(op: str, left: Any, right: Any) -> bool:
    """`left op right` with the missing-value rule; quantities and ratios compare exactly."""
    if left is MISSING or right is MISSING:
        return False
    return _ORDER[op](_comparable(left), _comparable(right))


def equal(left: Any, right: Any) -> bool:
    return compare("==", left, right)


def _arith(op: str, left: Any, right: Any, expr: ast.Arith) -> Any:
    if left is MISSING or right is MISSING:
        return MISSING
    if op == "+" and (isinstance(left, str) or isinstance(right, str) or
                      isinstance(left, EnumValue) or isinstance(right, EnumValue)):
        return f"{left}{right}"
    ql, qr = isinstance(left, units.Quantity), isinstance(right, units.Quantity)
    a, b = _comparable(left), _comparable(right)
    if op == "/" and b == 0:
        raise EvaluationError("E401", path=_source(expr.right), expr=_source(expr))
    value = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op](a, b)
    if ql and qr:
        if op == "/":
            return value
        if left.dimension == "ratio":
            return value
        return units.from_base(value, left.dimension)
    if ql or qr:
        q = left if ql else right
        return value if q.dimension == "ratio" else units.from_base(value, q.dimension)
    return value


def aggregate(func: str, values: list) -> Any:
    """`sum`, `count`, `min` or `max` of the values the body gave for the items that passed the
    filter: `count` counts them all, the others skip missing values; `sum` of nothing is 0,
    `min` and `max` of nothing are missing."""
    if func == "count":
        return Fraction(len(values))
    values = [v for v in values if v is not MISSING]
    if func == "sum":
        if values and isinstance(values[0], units.Quantity):
            return units.from_base(sum(v.base for v in values), values[0].dimension)
        return sum(values, Fraction(0))
    if not values:
        return MISSING
    pick = min if func == "min" else max
    return pick(values, key=_comparable)


def items(value: Any) -> tuple:
    """The items of a collection value; a missing collection has none."""
    return () if value is MISSING else tuple(value)


def member(element: Any, collection: Any, negated: bool) -> bool:
    """`element in collection` (or `not in`): false, also negated, for a missing element."""
    if element is MISSING:
        return False
    found = any(equal(element, x) for x in items(collection))
    return not found if negated else found


def within(code: Any, scope: Any) -> bool:
    """`code within scope`: the code lies under the scope code, or under any code of a set."""
    if code is MISSING or scope is MISSING:
        return False
    scopes = scope if isinstance(scope, (frozenset, tuple)) else (scope,)
    return any(code_within(code, s) for s in scopes)


def negate(value: Any) -> Any:
    if value is MISSING:
        return MISSING
    if isinstance(value, units.Quantity):
        return units.from_base(-value.base, value.dimension)
    return -value


def _source(expr: ast.Expr) -> str:
    return expr.span.text() if expr.span is not None else type(expr).__name__


class Evaluator:
    """Evaluates expressions for one case; definitions without parameters are computed once."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.program = ctx.program
        self._definitions: dict[str, Any] = {}

    def eval(self, expr: ast.Expr, env: Env = Env()) -> Any:
        return getattr(self, f"visit_{type(expr).__name__}")(expr, env)

    def truth(self, expr: ast.Expr, env: Env = Env()) -> bool:
        return self.eval(expr, env) is True

    # -------------------------------------------------------------- literals

    def visit_Number(self, e, env):
        return Fraction(e.value)

    def visit_QuantityLit(self, e, env):
        return units.make(e.value, e.unit)

    def visit_DateLit(self, e, env):
        return e.value

    def visit_CodeLit(self, e, env):
        return e.value

    def visit_StringLit(self, e, env):
        return e.value

    def visit_BoolLit(self, e, env):
        return e.value

    def visit_SetLit(self, e, env):
        return frozenset(self.eval(i, env) for i in e.items)

    def visit_ListLit(self, e, env):
        return tuple(self.eval(i, env) for i in e.items)

    # -------------------------------------------------------------- names

    def visit_Name(self, e: ast.Name, env: Env) -> Any:
        if e.name in env.locals:
            return env.locals[e.name]
        if env.record_type is not None and self.program.field(env.record_type, e.name) is not None:
            return env.record.get(e.name, MISSING)
        if e.name in self.program.definitions:
            return self.definition(e.name)
        if self.ctx.case is not None and self.program.field(CASE_RECORD, e.name) is not None:
            return self.ctx.case.get(e.name)
        if e.name in self.program.enums:
            return EnumType(e.name)
        return EnumValue(self.program.members[e.name][0], e.name)

    def definition(self, name: str) -> Any:
        if name not in self._definitions:
            definition, _ = self.program.definitions[name]
            self._definitions[name] = self.eval(definition.body, Env())
        return self._definitions[name]

    def visit_Attribute(self, e: ast.Attribute, env: Env) -> Any:
        obj = self.eval(e.obj, env)
        if obj is MISSING:
            return MISSING
        if isinstance(obj, EnumType):
            return EnumValue(obj.name, e.name)
        return obj.get(e.name)

    def visit_Call(self, e: ast.Call, env: Env) -> Any:
        args = [self.eval(a, env) for a in e.args]
        if e.func in self.program.definitions:
            definition, _ = self.program.definitions[e.func]
            bound = Env(dict(zip((p.name for p in definition.params), args)))
            return self.eval(definition.body, bound)
        return BUILTINS[e.func].impl(self.ctx, *args)

    # -------------------------------------------------------------- collections

    def _items(self, expr: ast.Expr, env: Env) -> tuple:
        return items(self.eval(expr, env))

    def visit_Aggregate(self, e: ast.Aggregate, env: Env) -> Any:
        values = []
        for item in self._items(e.collection, env):
            inner = env.bind(e.var, item)
            if e.filter is None or self.truth(e.filter, inner):
                values.append(self.eval(e.body, inner))
        return aggregate(e.func, values)

    def visit_Quantified(self, e: ast.Quantified, env: Env) -> bool:
        results = (self.truth(e.body, env.bind(e.var, item)) for item in self._items(e.collection, env))
        return any(results) if e.quantifier == "any" else all(results)

    def visit_Member(self, e: ast.Member, env: Env) -> bool:
        element = self.eval(e.element, env)
        if element is MISSING:
            return False
        members = [self._member_of(i, element, env) for i in getattr(e.collection, "items", ())]
        if members and all(members):
            found = element in members
            return not found if e.negated else found
        return member(element, self.eval(e.collection, env), e.negated)

    def visit_Within(self, e: ast.Within, env: Env) -> bool:
        return within(self.eval(e.code, env), self.eval(e.scope, env))

    # -------------------------------------------------------------- operators

    def _member_of(self, e: ast.Expr, left: Any, env: Env) -> EnumValue | None:
        """A bare member name read against the enumeration of the other operand (see the checker)."""
        if (isinstance(e, ast.Name) and isinstance(left, EnumValue) and e.name not in env.locals
                and left.enum in self.program.members.get(e.name, ())):
            return EnumValue(left.enum, e.name)
        return None

    def visit_Compare(self, e: ast.Compare, env: Env) -> bool:
        left = self.eval(e.left, env)
        right = self._member_of(e.right, left, env)
        return compare(e.op, left, right if right is not None else self.eval(e.right, env))

    def visit_Given(self, e: ast.Given, env: Env) -> bool:
        given = self.eval(e.expr, env) is not MISSING
        return not given if e.negated else given

    def visit_Arith(self, e: ast.Arith, env: Env) -> Any:
        return _arith(e.op, self.eval(e.left, env), self.eval(e.right, env), e)

    def visit_Negate(self, e: ast.Negate, env: Env) -> Any:
        return negate(self.eval(e.operand, env))

    def visit_And(self, e, env):
        return self.truth(e.left, env) and self.truth(e.right, env)

    def visit_Or(self, e, env):
        return self.truth(e.left, env) or self.truth(e.right, env)

    def visit_Not(self, e, env):
        return not self.truth(e.operand, env)

    def visit_Conditional(self, e: ast.Conditional, env: Env) -> Any:
        return self.eval(e.then if self.truth(e.condition, env) else e.otherwise, env)
