"""Lints: warnings about policies that check but probably do not say what their author meant.

Takes: a checked `Program` and the checker's `ExprChecker` (for the types of expressions).
Returns: warnings (`W1xx`), each at the place it is about, with a hint. `check --deny-warnings`
turns them into a failed check, for CI.
Guarantees: a lint never fires on the shipped library (a test holds it to that) and never
changes what a policy means; each lint has a fixture in `tests/check/lints.ecp` where it fires.

The lints:
- W101 a ratio (or a field declared `in [0, 1]`) compared with a bare number above 1:
  `purity >= 99.95` means 9,995 %; write `99.95 %` or `0.9995`;
- W102 a test expects an outcome that does not exist (`licence_required`);
- W103 a duty's detail that can come out missing (`"两用物项 " + code` when nothing in the
  rule's condition makes sure `code` is given): the decision then carries the duty without it;
- W104 a condition that is always true or always false by the types of what it reads (`x is
  given` for a field that always has a value, `x in {}`);
- W105 a clause that decides something but quotes no text of the law.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Iterator

from policylang import ast
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker, Scope, did_you_mean
from policylang.diagnostics import Diagnostic, warning
from policylang.program import CASE_RECORD, Program
from policylang.semantics.outcomes import OUTCOMES

_OUTCOMES = (*OUTCOMES, "error")


def lint_program(program: Program, exprs: ExprChecker | None = None) -> list[Diagnostic]:
    # A checker of its own: typing a part of an expression out of its context must not add to
    # the check's diagnostics.
    exprs = ExprChecker(program)
    found: list[Diagnostic] = []
    for module in program.modules:
        scope = exprs.module_scope(module.name)
        for item in module.items:
            if isinstance(item, ast.Announcement):
                for clause in item.clauses:
                    found += _clause(program, exprs, scope, item.id, clause)
            elif isinstance(item, ast.CaseTest):
                found += _test(item)
    return found


def _clause(program: Program, exprs: ExprChecker, scope: Scope, policy: str, clause: ast.Clause) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if (clause.rules or clause.classifications) and not clause.texts:
        found.append(warning("W105", clause.id_span or clause.span, clause=clause.id,
                             help="quote the operative sentence: `text en \"…\"` (and `text zh \"…\"`)"))
    for rule in clause.rules:
        for e, inner in _scoped(exprs, rule.condition, scope):
            found += _ratio_above_one(program, exprs, inner, e)
            found += _always(program, e)
        given = _given_by(rule.condition) | _given_by_refined(program, policy, clause, 0)
        for ob in rule.obligations:
            if ob.detail is not None and _may_be_missing(program, ob.detail, given, 0):
                found.append(warning("W103", ob.detail.span or ob.span, kind=ob.kind.replace("_", " "),
                                     help="make the condition require what the detail reads "
                                          "(`code is given`), or give a fallback: `if x is given then … else …`"))
    return found


def _test(test: ast.CaseTest) -> list[Diagnostic]:
    found = []
    for text in test.expectations:
        try:
            outcome = json.loads(text).get("outcome")
        except (ValueError, AttributeError):
            continue
        if isinstance(outcome, str) and outcome not in _OUTCOMES:
            found.append(warning("W102", test.span, name=outcome,
                                 help=did_you_mean(outcome, _OUTCOMES) or "outcomes are " +
                                 ", ".join(f"`{o}`" for o in _OUTCOMES)))
    return found


# ------------------------------------------------------------------ W101

def _ratio_above_one(program, exprs, scope, e) -> list[Diagnostic]:
    if not isinstance(e, ast.Compare):
        return []
    for side, other in ((e.left, e.right), (e.right, e.left)):
        if isinstance(other, ast.Number) and other.value > 1 and _is_share(program, exprs, scope, side):
            return [warning("W101", other.span or e.span, value=str(other.value), expr=_text(side),
                            help=f"a share is at most 1: write `{other.value} %` or "
                                 f"`{Fraction(other.value) / 100}` if a percentage is meant")]
    return []


def _is_share(program: Program, exprs: ExprChecker, scope: Scope, e: ast.Expr) -> bool:
    try:
        t = exprs.typeof(e, scope)
    except Exception:  # a type the checker reported already: no lint on top
        return False
    if t == T.QuantityT("ratio"):
        return True
    field = _field_of(program, exprs, scope, e)
    return field is not None and field.maximum is not None and field.maximum <= 1


def _field_of(program, exprs, scope, e):
    if isinstance(e, ast.Attribute):
        try:
            owner = exprs.typeof(e.obj, scope)
        except Exception:
            return None
        return program.field(owner.name, e.name) if isinstance(owner, T.RecordT) else None
    if isinstance(e, ast.Name) and e.name not in program.definitions:
        return program.field(CASE_RECORD, e.name)
    return None


# ------------------------------------------------------------------ W103

def _given_by(condition: ast.Expr) -> set:
    """The expressions the condition cannot hold without: operands of its comparisons,
    memberships, `within`s and `is given` tests (each is false when an operand is missing),
    through `and` (all of them) and `or` (those both sides need)."""
    match condition:
        case ast.And(left, right):
            return _given_by(left) | _given_by(right)
        case ast.Or(left, right):
            return _given_by(left) & _given_by(right)
        case ast.Compare(_, left, right):
            return {left, right}
        case ast.Within(code, scope):
            return {code, scope}
        case ast.Member(element, _, False):
            return {element}
        case ast.Given(expr, False):
            return {expr}
    return set()


def _given_by_refined(program: Program, policy: str, clause: ast.Clause, depth: int) -> set:
    """What a refining clause may take as given: it applies only where a clause it refines
    applies, so what every rule of every refined clause requires (contract §4)."""
    if not clause.refines or depth > 10:
        return set()
    common: set | None = None
    for ref in clause.refines:
        for key in program.clauses_for(ref, policy):
            target = next((c for c in program.announcements[key.policy].clauses if c.id == key.clause), None)
            if target is None or not target.rules:
                continue
            own = _given_by_refined(program, key.policy, target, depth + 1)
            for rule in target.rules:
                needs = _given_by(rule.condition) | own
                common = needs if common is None else common & needs
    return common or set()


def _may_be_missing(program: Program, e: ast.Expr, given: set, depth: int) -> bool:
    if e in given or depth > 20:
        return False
    match e:
        case ast.Name(name) if name in program.definitions:
            definition, _ = program.definitions[name]
            return not definition.params and _may_be_missing(program, definition.body, given, depth + 1)
        case ast.Name(name):
            field = program.field(CASE_RECORD, name)
            return field is not None and field.optional and field.default is None
        case ast.Attribute(obj, name):
            return _may_be_missing(program, obj, given, depth + 1) or _optional_attribute(program, e)
        case ast.Arith(_, left, right):
            return _may_be_missing(program, left, given, depth + 1) or _may_be_missing(program, right, given, depth + 1)
        case ast.Conditional(_, then, otherwise):
            return _may_be_missing(program, then, given, depth + 1) or _may_be_missing(program, otherwise, given, depth + 1)
    return False


def _optional_attribute(program: Program, e: ast.Attribute) -> bool:
    """Whether some record with a field of this name leaves it optional without a default."""
    fields = [f for r in program.records.values() for f in r.fields if f.name == e.name]
    return any(f.optional and f.default is None for f in fields)


# ------------------------------------------------------------------ W104

def _always(program: Program, e: ast.Expr) -> list[Diagnostic]:
    match e:
        case ast.Given(expr, negated) if _never_missing(program, expr):
            return [warning("W104", e.span, expr=_text(e), truth="false" if negated else "true",
                            help=f"`{_text(expr)}` always has a value: the schema gives it one")]
        case ast.Member(_, ast.SetLit(()) | ast.ListLit(()), negated):
            return [warning("W104", e.span, expr=_text(e), truth="true" if negated else "false",
                            help="nothing is a member of an empty collection")]
    return []


def _never_missing(program: Program, e: ast.Expr) -> bool:
    match e:
        case ast.Number() | ast.StringLit() | ast.BoolLit() | ast.DateLit() | ast.CodeLit() | ast.QuantityLit():
            return True
        case ast.Name(name) if name not in program.definitions:
            field = program.field(CASE_RECORD, name)
            return field is not None and (not field.optional or field.default is not None)
    return False


# ------------------------------------------------------------------ helpers

def _scoped(exprs: ExprChecker, e: ast.Expr, scope: Scope) -> Iterator[tuple[ast.Expr, Scope]]:
    """Every node of the expression with the scope it is read in (quantified variables bound)."""
    stack = [(e, scope)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, tuple):
            stack += [(n, where) for n in node]
            continue
        if not hasattr(type(node), "__attrs_attrs__"):
            continue
        yield node, where
        inner = where
        if isinstance(node, (ast.Quantified, ast.Aggregate)):
            element = T.element_of(exprs.typeof(node.collection, where)) or T.ANY
            inner = where.bind(node.var, element)
        stack += [(getattr(node, f.name), inner) for f in type(node).__attrs_attrs__ if not f.name.endswith("span")]


def _walk(e) -> Iterator[ast.Expr]:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack += list(node)
            continue
        if not hasattr(type(node), "__attrs_attrs__"):
            continue
        yield node
        stack += [getattr(node, f.name) for f in type(node).__attrs_attrs__ if not f.name.endswith("span")]


def _text(e: ast.Expr) -> str:
    return e.span.text() if getattr(e, "span", None) is not None else type(e).__name__
