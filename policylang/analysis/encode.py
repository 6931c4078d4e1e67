"""The encoding of expressions: policy AST to z3 terms over one symbolic case.

Takes: a checked `Program`, its `Domains`, a `CaseBuilder`; the facts of a date window (which
clauses and announcements are in force) are z3 booleans (`Facts`) that each window fixes.
Returns: `Encoder.eval(expr)`, the symbolic value of an expression, and `Encoder.truth(expr)`, the
z3 formula that is true exactly when the interpreter finds the expression `True`.
Guarantees: one method per expression construct, each mirroring `eval/expressions.py`:
- a missing value makes comparisons, `within` and `in` false (also `not in`), arithmetic missing,
  `any` false and `all` true over it; `is given` tells it apart;
- `and`, `or` and `if` evaluate their right or branch operands only where the interpreter does,
  so a division by zero counts as an evaluation error (`errors`) only on the paths that reach it;
- built-ins read the window's facts: `listed` by a party's `lists` or by its name matching an
  entry whose announcement is in force, `controlled_by_listed` through owner chains as deep as the
  bounds allow, `controlled` by the control clauses in force.
A construct it cannot model raises `Unsupported`; the caller then treats that condition as
unknown, and the interpreter's re-run of every witness keeps findings sound.
"""

from __future__ import annotations

from typing import Any, Callable

import attrs
import z3

from policylang import ast
from policylang.analysis.symbolic import (FALSE, MISSING_NUM, TRUE, CaseBuilder, Domains, EnumTypeRef,
                                          SBool, SCode, SConstSet, SDate, SEnum, SEnumSet, SList, SNum,
                                          SRecord, SText, Unsupported, day, merge, real)
from policylang.program import CASE_RECORD, Program
from policylang.semantics import units


@attrs.frozen
class WindowFacts:
    """What is constant inside one date window: clauses in force, announcements in force."""
    in_force: frozenset
    active_announcements: frozenset


class Facts:
    """The facts of a window as z3 booleans, so that one encoding serves every window: a window
    fixes them (`Library.fact_constraints`)."""

    @staticmethod
    def in_force(key) -> Any:
        return z3.Bool(f"in_force:{key}")

    @staticmethod
    def active(announcement: str) -> Any:
        return z3.Bool(f"active:{announcement}")


@attrs.frozen
class Env:
    locals: dict = attrs.field(factory=dict)
    record: Any = None

    def bind(self, name: str, value: Any) -> "Env":
        return Env({**self.locals, name: value}, self.record)


class RecordView:
    """A record read through a path that may be missing: its `given` includes the path's."""

    def __init__(self, record: Any, given: Any):
        self.record, self.given, self.type = record, given, record.type

    def get(self, name: str) -> Any:
        return self.record.get(name)


def with_given(value: Any, given: Any) -> Any:
    """The value, missing also where `given` is false."""
    if given is TRUE:
        return value
    match value:
        case SRecord() | RecordView():
            return RecordView(value.record if isinstance(value, RecordView) else value, z3.And(given, value.given))
        case SList():
            return attrs.evolve(value, given=z3.And(given, value.given),
                                present=tuple(z3.And(given, p) for p in value.present))
        case SConstSet() | EnumTypeRef():
            return value
    return attrs.evolve(value, given=z3.And(given, value.given))


_ORDER: dict[str, Callable] = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
                               ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


class Encoder:
    """Encodes the expressions of one program for one symbolic case in one date window."""

    def __init__(self, program: Program, domains: Domains, builder: CaseBuilder, controls: list, entries: list):
        self.program, self.domains, self.builder = program, domains, builder
        self.controls = controls
        self.entries = entries
        builder.default_of = lambda record, expr: self._guarded(TRUE, lambda: self.eval(expr, Env(record=record)))
        self.case = builder.case()
        self.errors: list[Any] = []
        self.guard = TRUE
        self._definitions: dict[str, tuple[Any, list]] = {}

    # -------------------------------------------------------------- entry points

    def eval(self, expr: ast.Expr, env: Env = Env()) -> Any:
        return getattr(self, f"visit_{type(expr).__name__}")(expr, env)

    def truth(self, expr: ast.Expr, env: Env = Env()) -> Any:
        value = self.eval(expr, env)
        if not isinstance(value, SBool):
            raise Unsupported(f"a condition of kind {type(value).__name__}")
        return z3.And(value.given, value.v)

    def _guarded(self, guard: Any, thunk: Callable[[], Any]) -> Any:
        saved, self.guard = self.guard, z3.And(self.guard, guard) if guard is not TRUE else self.guard
        try:
            return thunk()
        finally:
            self.guard = saved

    def forget_definitions(self) -> None:
        """Start afresh, as the interpreter does with a new evaluator after classification."""
        self._definitions.clear()

    # -------------------------------------------------------------- literals

    def visit_Number(self, e, env):
        return SNum(TRUE, real(e.value))

    def visit_QuantityLit(self, e, env):
        q = units.make(e.value, e.unit)
        return SNum(TRUE, real(q.base), q.dimension)

    def visit_DateLit(self, e, env):
        return SDate(TRUE, z3.IntVal(day(e.value)))

    def visit_CodeLit(self, e, env):
        return self.domains.code_lit(e.value)

    def visit_StringLit(self, e, env):
        return self.domains.text_lit(e.value)

    def visit_BoolLit(self, e, env):
        return SBool(TRUE, z3.BoolVal(e.value))

    def visit_SetLit(self, e, env):
        return SConstSet(tuple(self.eval(i, env) for i in e.items))

    visit_ListLit = visit_SetLit

    # -------------------------------------------------------------- names

    def member(self, enum: str, name: str) -> SEnum:
        return SEnum(TRUE, enum, z3.IntVal(self.domains.member_index(enum, name)))

    def visit_Name(self, e: ast.Name, env: Env) -> Any:
        if e.name in env.locals:
            return env.locals[e.name]
        if env.record is not None and self.program.field(env.record.type, e.name) is not None:
            return env.record.get(e.name)
        if e.name in self.program.definitions:
            return self.definition(e.name)
        if self.program.field(CASE_RECORD, e.name) is not None:
            return self.case.get(e.name)
        if e.name in self.program.enums:
            return EnumTypeRef(e.name)
        return self.member(self.program.members[e.name][0], e.name)

    def definition(self, name: str) -> Any:
        if name not in self._definitions:
            definition, _ = self.program.definitions[name]
            saved_errors, saved_guard = self.errors, self.guard
            self.errors, self.guard = [], TRUE
            try:
                value = self.eval(definition.body, Env())
                self._definitions[name] = (value, self.errors)
            finally:
                self.errors, self.guard = saved_errors, saved_guard
        value, errors = self._definitions[name]
        self.errors += [z3.And(self.guard, err) for err in errors]
        return value

    def visit_Attribute(self, e: ast.Attribute, env: Env) -> Any:
        obj = self.eval(e.obj, env)
        if isinstance(obj, EnumTypeRef):
            return self.member(obj.name, e.name)
        if not isinstance(obj, (SRecord, RecordView)):
            raise Unsupported("an attribute of a value that is not a record")
        return with_given(obj.get(e.name), obj.given)

    def visit_Call(self, e: ast.Call, env: Env) -> Any:
        args = [self.eval(a, env) for a in e.args]
        if e.func in self.program.definitions:
            definition, _ = self.program.definitions[e.func]
            return self.eval(definition.body, Env(dict(zip((p.name for p in definition.params), args))))
        return getattr(self, f"builtin_{e.func}")(*args)

    # -------------------------------------------------------------- built-ins

    def _listed_on(self, party: Any, member: str) -> Any:
        lists = party.get("lists")
        index = self.domains.member_index("ListName", member)
        by_lists = z3.And(lists.given, lists.has[index]) if isinstance(lists, SEnumSet) else FALSE
        name = party.get("name")
        matches = []
        for i, normal in enumerate(self.domains.normal_texts):
            active = [TRUE if e.source is None else Facts.active(e.source)
                      for e in self.entries if e.list == member and normal and e.normal == normal]
            if active:
                matches.append(z3.And(name.v == i, z3.Or(active)))
        by_name = z3.And(name.given, z3.Or(matches)) if matches else FALSE
        return z3.Or(by_lists, by_name)

    def builtin_listed(self, party: Any, list_name: SEnum) -> SBool:
        if not isinstance(party, (SRecord, RecordView)):
            return SBool(TRUE, FALSE)
        members = self.domains.members("ListName")
        found = z3.Or([z3.And(list_name.v == i, self._listed_on(party, m)) for i, m in enumerate(members)])
        return SBool(TRUE, z3.And(party.given, list_name.given, found))

    def builtin_controlled_by_listed(self, party: Any, list_name: SEnum, share: SNum) -> SBool:
        def walk(p: Any) -> Any:
            if not isinstance(p, (SRecord, RecordView)):
                return FALSE
            listed = self.builtin_listed(p, list_name).v
            owners = p.get("owners")
            via = []
            if isinstance(owners, SList):
                for present, o in zip(owners.present, owners.elems):
                    s = o.get("share")
                    via.append(z3.And(present, s.given, share.given, s.v >= share.v,
                                      walk(with_given(o.get("party"), o.given))))
            return z3.And(p.given, z3.Or(listed, *via))
        return SBool(TRUE, walk(party))

    def builtin_controlled(self, code: SCode) -> SBool:
        tests = [z3.And(Facts.in_force(key), self.domains.covered(code.v, scope)) for key, scope in self.controls]
        return SBool(TRUE, z3.And(code.given, z3.Or(tests) if tests else FALSE))

    # -------------------------------------------------------------- collections

    def items(self, value: Any) -> list[tuple[Any, Any]]:
        """(present, element) pairs of a collection value."""
        match value:
            case SList():
                return list(zip(value.present, value.elems))
            case SConstSet():
                return [(TRUE, x) for x in value.items]
            case SEnumSet():
                return [(z3.And(value.given, has), self.member(value.enum, m))
                        for has, m in zip(value.has, self.domains.members(value.enum))]
        raise Unsupported("a collection of this kind")

    def visit_Aggregate(self, e: ast.Aggregate, env: Env) -> Any:
        taken = []
        for present, item in self.items(self.eval(e.collection, env)):
            inner = env.bind(e.var, item)
            keep = present if e.filter is None else z3.And(
                present, self._guarded(present, lambda: self.truth(e.filter, inner)))
            body = self._guarded(keep, lambda: self.eval(e.body, inner))
            taken.append((keep, body))
        if e.func == "count":
            return SNum(TRUE, z3.Sum([z3.If(k, real(1), real(0)) for k, _ in taken]) if taken else real(0))
        if not all(isinstance(b, SNum) for _, b in taken):
            raise Unsupported("an aggregate of values that are not numbers")
        dim = next((b.dim for _, b in taken), None)
        if e.func == "sum":
            total = z3.Sum([z3.If(z3.And(k, b.given), b.v, real(0)) for k, b in taken]) if taken else real(0)
            return SNum(TRUE, total, dim)
        acc = MISSING_NUM
        better = (lambda a, b: a < b) if e.func == "min" else (lambda a, b: a > b)
        for k, b in taken:
            take = z3.And(k, b.given, z3.Or(z3.Not(acc.given), better(b.v, acc.v)))
            acc = SNum(z3.Or(acc.given, z3.And(k, b.given)), z3.If(take, b.v, acc.v), dim)
        return acc

    def visit_Quantified(self, e: ast.Quantified, env: Env) -> Any:
        results, reached = [], TRUE
        for present, item in self.items(self.eval(e.collection, env)):
            body = self._guarded(z3.And(present, reached), lambda: self.truth(e.body, env.bind(e.var, item)))
            results.append(z3.And(present, body) if e.quantifier == "any" else z3.Implies(present, body))
            reached = z3.And(reached, z3.Not(body) if e.quantifier == "any" else z3.Implies(present, body))
        if e.quantifier == "any":
            return SBool(TRUE, z3.Or(results) if results else FALSE)
        return SBool(TRUE, z3.And(results) if results else TRUE)

    def _member_of(self, e: ast.Expr, left: Any, env: Env) -> SEnum | None:
        if (isinstance(e, ast.Name) and isinstance(left, SEnum) and e.name not in env.locals
                and left.enum in self.program.members.get(e.name, ())):
            return self.member(left.enum, e.name)
        return None

    def visit_Member(self, e: ast.Member, env: Env) -> Any:
        element = self.eval(e.element, env)
        members = [self._member_of(i, element, env) for i in getattr(e.collection, "items", ())]
        if members and all(members):
            pairs = [(TRUE, m) for m in members]
        else:
            pairs = self.items(self.eval(e.collection, env))
        found = z3.Or([z3.And(p, self.equal(element, x)) for p, x in pairs]) if pairs else FALSE
        return SBool(TRUE, z3.And(element.given, z3.Not(found) if e.negated else found))

    def visit_Within(self, e: ast.Within, env: Env) -> Any:
        code, scope = self.eval(e.code, env), self.eval(e.scope, env)
        scopes = [(p, s) for p, s in self.items(scope)] if isinstance(scope, SConstSet) else [(TRUE, scope)]
        tests = [z3.And(p, s.given, self._within(code.v, s.v)) for p, s in scopes]
        return SBool(TRUE, z3.And(code.given, z3.Or(tests) if tests else FALSE))

    def _within(self, code: Any, scope: Any) -> Any:
        if z3.is_int_value(scope):
            return self.domains.within(code, self.domains.codes[scope.as_long()])
        from policylang.eval.values import code_within
        codes = self.domains.codes
        return z3.Or([z3.And(code == i, scope == j) for i, c in enumerate(codes)
                      for j, s in enumerate(codes) if code_within(c, s)])

    # -------------------------------------------------------------- operators

    def equal(self, a: Any, b: Any) -> Any:
        both = z3.And(a.given, b.given) if hasattr(a, "given") and hasattr(b, "given") else TRUE
        match a, b:
            case SEnum(), SEnum():
                return z3.And(both, a.v == b.v) if a.enum == b.enum else FALSE
            case (SNum(), SNum()) | (SDate(), SDate()) | (SCode(), SCode()) | (SText(), SText()) | (SBool(), SBool()):
                return z3.And(both, a.v == b.v)
            case SList(), SConstSet() if not b.items:
                return z3.And(a.given, z3.Not(z3.Or(a.present)) if a.present else TRUE)
            case SEnumSet(), SConstSet() if not b.items:
                return z3.And(a.given, z3.Not(z3.Or(a.has)))
            case (SEnum(), _) | (_, SEnum()):
                return FALSE
        raise Unsupported(f"comparing {type(a).__name__} with {type(b).__name__}")

    def visit_Compare(self, e: ast.Compare, env: Env) -> Any:
        left = self.eval(e.left, env)
        right = self._member_of(e.right, left, env) or self.eval(e.right, env)
        if e.op in ("==", "!="):
            eq = self.equal(left, right)
            if e.op == "==":
                return SBool(TRUE, eq)
            both = z3.And(getattr(left, "given", TRUE), getattr(right, "given", TRUE))
            return SBool(TRUE, z3.And(both, z3.Not(eq)))
        if not (isinstance(left, (SNum, SDate)) and type(left) is type(right)):
            raise Unsupported("an ordering of values that are not numbers or dates")
        return SBool(TRUE, z3.And(left.given, right.given, _ORDER[e.op](left.v, right.v)))

    def visit_Given(self, e: ast.Given, env: Env) -> Any:
        given = self.eval(e.expr, env).given
        return SBool(TRUE, z3.Not(given) if e.negated else given)

    def visit_Arith(self, e: ast.Arith, env: Env) -> Any:
        a, b = self.eval(e.left, env), self.eval(e.right, env)
        if not (isinstance(a, SNum) and isinstance(b, SNum)):
            raise Unsupported("arithmetic on values that are not numbers")
        both = z3.And(a.given, b.given)
        if e.op == "/":
            self.errors.append(z3.And(self.guard, both, b.v == 0))
            return SNum(both, a.v / b.v, None if a.dim and b.dim else a.dim or b.dim)
        v = {"+": a.v + b.v, "-": a.v - b.v, "*": a.v * b.v}[e.op]
        return SNum(both, v, a.dim or b.dim)

    def visit_Negate(self, e, env):
        a = self.eval(e.operand, env)
        if not isinstance(a, SNum):
            raise Unsupported("negating a value that is not a number")
        return SNum(a.given, -a.v, a.dim)

    def visit_And(self, e, env):
        left = self.truth(e.left, env)
        return SBool(TRUE, z3.And(left, self._guarded(left, lambda: self.truth(e.right, env))))

    def visit_Or(self, e, env):
        left = self.truth(e.left, env)
        return SBool(TRUE, z3.Or(left, self._guarded(z3.Not(left), lambda: self.truth(e.right, env))))

    def visit_Not(self, e, env):
        return SBool(TRUE, z3.Not(self.truth(e.operand, env)))

    def visit_Conditional(self, e: ast.Conditional, env: Env) -> Any:
        c = self.truth(e.condition, env)
        then = self._guarded(c, lambda: self.eval(e.then, env))
        otherwise = self._guarded(z3.Not(c), lambda: self.eval(e.otherwise, env))
        return merge(c, then, otherwise)


def missing_like(value: Any) -> Any:
    """A missing value of the same kind (for a classification that finds no code)."""
    return with_given(value, FALSE)


__all__ = ["Encoder", "Env", "Facts", "WindowFacts", "with_given", "missing_like", "SDate", "SCode"]
