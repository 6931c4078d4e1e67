"""The guards' judgement that an expression cannot divide by zero: the compiled engine skips a
clause whose prerequisite does not hold only when evaluating it could not have raised E401, so
a wrong "safe" would hide an error decision the interpreter gives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from policylang import ast
from policylang.compile.guards import Guards
from policylang.library import load

X, Y = ast.Name("x"), ast.Name("y")
ZERO, TWO = ast.Number(Decimal(0)), ast.Number(Decimal(2))


def divide(a, b):
    return ast.Arith("/", a, b)


@pytest.mark.parametrize("expr,raises", [
    (divide(X, TWO), False),                                                   # by a non-zero number
    (divide(X, ZERO), True),                                                   # by zero itself
    (divide(X, Y), True),                                                      # by a value of the case
    (ast.Conditional(ast.Compare(">", Y, ZERO), divide(X, Y), ZERO), False),   # guarded: y > 0
    (ast.Conditional(ast.Compare("<", ZERO, Y), divide(X, Y), ZERO), False),   # guarded: 0 < y
    (ast.Conditional(ast.And(ast.Given(X, False), ast.Compare("!=", Y, ZERO)), divide(X, Y), ZERO), False),
    (ast.Conditional(ast.Compare(">=", Y, ZERO), divide(X, Y), ZERO), True),   # y >= 0 allows 0
    (ast.Conditional(ast.Compare(">", Y, ZERO), ZERO, divide(X, Y)), True),    # the else branch is not guarded
    (ast.Conditional(ast.Compare(">", X, ZERO), divide(X, Y), ZERO), True),    # guards another value
    (ast.Conditional(ast.Compare(">", Y, ZERO), ast.Not(ast.Compare(">", divide(X, Y), TWO)), ZERO), False),
])
def test_a_division_may_raise_unless_its_divisor_is_known_non_zero(shipped_program, expr, raises) -> None:
    assert Guards(shipped_program).may_raise(expr) is raises


DEFINITIONS = """
import attributes

def per_unit: decimal = 1 / item.value "may divide by zero"
def safe_share: decimal = if item.value > 0 then 1 / item.value else 0 "guarded"
def uses_per_unit: bool = per_unit > 2 "raises through a definition"
"""


def test_definitions_are_expanded(tmp_path) -> None:
    (tmp_path / "defs.ecp").write_text(DEFINITIONS, encoding="utf-8")
    program, diags = load([tmp_path])
    assert program is not None, [d.message for d in diags]
    guards = Guards(program)
    assert guards.may_raise(ast.Name("per_unit")) is True
    assert guards.may_raise(ast.Name("uses_per_unit")) is True
    assert guards.may_raise(ast.Name("safe_share")) is False
    assert guards.may_raise(ast.Not(ast.Name("uses_per_unit"))) is True
