"""Names and types of expressions.

Takes: a `Program` and an expression with its scope (the module it is written in, the variables
bound around it, and for record defaults the record whose fields are in scope).
Returns: the expression's `Type`; every problem found is appended to `self.diagnostics`.
Guarantees: each wrong name, attribute, unit or operand is reported once, at its own span, with a
"did you mean" where a close name exists; a wrong sub-expression types as `ANY` so that the
mistake does not cascade.
"""

from __future__ import annotations

import difflib

import attrs

from policylang import ast
from policylang.check import types as T
from policylang.diagnostics import Diagnostic, error
from policylang.semantics.builtins import BUILTINS
from policylang.program import CASE_RECORD, PRELUDE, Program
from policylang.semantics import units


def did_you_mean(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


@attrs.frozen
class Scope:
    """Where an expression stands: its module, its bound variables, the record of a default."""
    module: str
    imports: frozenset[str]
    locals: tuple[tuple[str, T.Type], ...] = ()
    record: str | None = None

    def bind(self, name: str, type_: T.Type) -> "Scope":
        return attrs.evolve(self, locals=self.locals + ((name, type_),))

    def local(self, name: str) -> T.Type | None:
        for n, t in reversed(self.locals):
            if n == name:
                return t
        return None


class ExprChecker:
    """Types expressions of one program; shared by every declaration the checker visits."""

    def __init__(self, program: Program):
        self.program = program
        self.diagnostics: list[Diagnostic] = []
        self._def_types: dict[str, T.Type] = {}
        self._in_progress: list[str] = []

    # -------------------------------------------------------------- types written in source

    def resolve_type(self, t: ast.TypeExpr) -> T.Type:
        match t:
            case ast.ListType(element):
                return T.ListT(self.resolve_type(element))
            case ast.SetType(element):
                return T.SetT(self.resolve_type(element))
            case ast.TypeRef("quantity", dim):
                if dim not in units.DIMENSIONS:
                    self.diagnostics.append(error(
                        "E113", t.span, name=f"quantity[{dim}]",
                        help=did_you_mean(dim or "", units.DIMENSIONS) or
                        "write `quantity[length]`, `quantity[mass]`, …"))
                    return T.ANY
                return T.QuantityT(dim)
            case ast.TypeRef(name, None) if name in T.PRIMITIVES:
                return T.Prim(name)
            case ast.TypeRef(name, None) if name in self.program.enums:
                return T.EnumT(name)
            case ast.TypeRef(name, None) if name in self.program.records:
                return T.RecordT(name)
        candidates = [*T.PRIMITIVES, "quantity", *self.program.enums, *self.program.records]
        self.diagnostics.append(error("E113", t.span, name=t.name, help=did_you_mean(t.name, candidates)))
        return T.ANY

    # -------------------------------------------------------------- definitions

    def definition_type(self, name: str, use_span=None) -> T.Type:
        """The type of a definition, inferred from its body once (cycles are reported)."""
        if name in self._def_types:
            return self._def_types[name]
        definition, module = self.program.definitions[name]
        if name in self._in_progress:
            chain = " -> ".join(f"`{n}`" for n in self._in_progress[self._in_progress.index(name):] + [name])
            self.diagnostics.append(error("E109", definition.span, name=name, chain=chain,
                                          help="a definition cannot use itself, directly or not"))
            return T.ANY
        self._in_progress.append(name)
        scope = self.module_scope(module)
        for p in definition.params or ():
            scope = scope.bind(p.name, self.resolve_type(p.type))
        inferred = self.typeof(definition.body, scope)
        self._in_progress.pop()
        if definition.type is not None:
            declared = self.resolve_type(definition.type)
            if not T.compatible(declared, inferred):
                self.diagnostics.append(error("E201", definition.body.span,
                                              expected=T.describe(declared), found=T.describe(inferred),
                                              help=f"`{name}` is declared as {T.describe(declared)}"))
            inferred = declared
        self._def_types[name] = inferred
        return inferred

    def module_scope(self, module: str) -> Scope:
        imports = frozenset()
        for m in self.program.modules:
            if m.name == module:
                imports = frozenset(i.module for i in m.items if isinstance(i, ast.Import))
        return Scope(module, imports)

    # -------------------------------------------------------------- expressions

    def expect(self, expr: ast.Expr, scope: Scope, expected: T.Type, what: str | None = None) -> T.Type:
        found = self.typeof(expr, scope)
        if not T.compatible(found, expected) and not (expected == T.BOOL and found == T.ANY):
            self.diagnostics.append(error("E201", expr.span, expected=T.describe(expected),
                                          found=T.describe(found), help=what))
            return T.ANY
        return found

    def typeof(self, expr: ast.Expr, scope: Scope) -> T.Type:
        method = getattr(self, f"visit_{type(expr).__name__}")
        return method(expr, scope)

    def visit_Number(self, e, scope):
        return T.DECIMAL

    def visit_QuantityLit(self, e, scope):
        unit = units.lookup(e.unit)
        if unit is None:
            hints = units.suggest(e.unit)
            self.diagnostics.append(error(
                "E203", e.unit_span, unit=e.unit,
                help=f"did you mean `{hints[0]}`?" if hints else "the units are listed in docs/cases.md, under quantities"))
            return T.ANY
        return T.QuantityT(unit.dimension)

    def visit_DateLit(self, e, scope):
        return T.DATE

    def visit_CodeLit(self, e, scope):
        return T.CODE

    def visit_StringLit(self, e, scope):
        return T.TEXT

    def visit_BoolLit(self, e, scope):
        return T.BOOL

    def visit_Name(self, e: ast.Name, scope: Scope) -> T.Type:
        local = scope.local(e.name)
        if local is not None:
            return local
        if scope.record is not None:
            f = self.program.field(scope.record, e.name)
            if f is not None:
                return self.resolve_type(f.type)
        if e.name in self.program.definitions:
            definition, module = self.program.definitions[e.name]
            if module not in (scope.module, PRELUDE) and module not in scope.imports:
                self.diagnostics.append(error("E101", e.span, name=e.name,
                                              help=f"`{e.name}` is defined in `{module}`: add `import {module}`"))
                return T.ANY
            if definition.params:
                self.diagnostics.append(error("E112", e.span, name=e.name, expected=len(definition.params),
                                              given=0, help=f"call it: `{e.name}(…)`"))
                return T.ANY
            return self.definition_type(e.name, e.span)
        case_field = self.program.field(CASE_RECORD, e.name)
        if case_field is not None and scope.record is None:
            return self.resolve_type(case_field.type)
        if e.name in self.program.enums:
            return T.EnumTypeT(e.name)
        owners = self.program.members.get(e.name)
        if owners:
            if len(owners) > 1:
                self.diagnostics.append(error("E108", e.span, name=e.name,
                                              enums=", ".join(f"`{o}`" for o in owners),
                                              help=f"qualify it: `{owners[0]}.{e.name}`"))
                return T.ANY
            return T.EnumT(owners[0])
        self.diagnostics.append(error("E101", e.span, name=e.name,
                                      help=did_you_mean(e.name, self._visible_names(scope))))
        return T.ANY

    def _visible_names(self, scope: Scope) -> list[str]:
        names = [n for n, _ in scope.locals] + list(self.program.definitions)
        record = self.program.records.get(scope.record or CASE_RECORD)
        names += [f.name for f in record.fields] if record else []
        return names + list(self.program.members) + list(self.program.enums)

    def visit_Attribute(self, e: ast.Attribute, scope: Scope) -> T.Type:
        obj = self.typeof(e.obj, scope)
        match obj:
            case T.AnyT():
                return T.ANY
            case T.EnumTypeT(name):
                enum = self.program.enums[name]
                if any(m.name == e.name for m in enum.members):
                    return T.EnumT(name)
                self.diagnostics.append(error("E116", e.name_span, name=name, member=e.name,
                                              help=did_you_mean(e.name, [m.name for m in enum.members])))
                return T.ANY
            case T.RecordT(name):
                f = self.program.field(name, e.name)
                if f is None:
                    fields = [x.name for x in self.program.records[name].fields]
                    self.diagnostics.append(error("E102", e.name_span, attribute=e.name, record=name,
                                                  help=did_you_mean(e.name, fields) or
                                                  f"`{name}` has " + ", ".join(f"`{x}`" for x in fields)))
                    return T.ANY
                return self.resolve_type(f.type)
        self.diagnostics.append(error("E208", e.name_span, found=T.describe(obj)))
        return T.ANY

    def visit_Call(self, e: ast.Call, scope: Scope) -> T.Type:
        if e.func in self.program.definitions:
            definition, module = self.program.definitions[e.func]
            params = [self.resolve_type(p.type) for p in definition.params or ()]
            result = self.definition_type(e.func, e.span)
        elif e.func in BUILTINS:
            params, result = list(BUILTINS[e.func].params), BUILTINS[e.func].result
        else:
            self.diagnostics.append(error("E111", e.span, name=e.func,
                                          help=did_you_mean(e.func, [*BUILTINS, *self.program.definitions])))
            for a in e.args:
                self.typeof(a, scope)
            return T.ANY
        if len(params) != len(e.args):
            self.diagnostics.append(error("E112", e.span, name=e.func, expected=len(params), given=len(e.args)))
            return result
        for arg, expected in zip(e.args, params):
            self.expect(arg, scope, expected, f"argument of `{e.func}`")
        return result

    def _collection(self, expr: ast.Expr, scope: Scope, op: str) -> T.Type:
        t = self.typeof(expr, scope)
        element = T.element_of(t)
        if element is None:
            self.diagnostics.append(error("E207", expr.span, op=op, found=T.describe(t)))
            return T.ANY
        return element

    def visit_Aggregate(self, e: ast.Aggregate, scope: Scope) -> T.Type:
        element = self._collection(e.collection, scope, e.func)
        inner = scope.bind(e.var, element)
        if e.filter is not None:
            self.expect(e.filter, inner, T.BOOL)
        body = self.typeof(e.body, inner)
        if e.func == "count":
            return T.DECIMAL
        if not (T.is_numeric(body) or isinstance(body, T.QuantityT) or (e.func != "sum" and body == T.DATE)):
            self.diagnostics.append(error("E201", e.body.span, expected="a decimal or a quantity",
                                          found=T.describe(body)))
            return T.ANY
        return body

    def visit_Quantified(self, e: ast.Quantified, scope: Scope) -> T.Type:
        element = self._collection(e.collection, scope, e.quantifier)
        self.expect(e.body, scope.bind(e.var, element), T.BOOL)
        return T.BOOL

    def _literal(self, items, scope, make):
        element: T.Type = T.EMPTY
        for item in items:
            t = self.typeof(item, scope)
            joined = T.join(element, t)
            if joined is None:
                self.diagnostics.append(error("E201", item.span, expected=T.describe(element),
                                              found=T.describe(t), help="all members must be of one type"))
                return make(T.ANY)
            element = joined
        return make(element)

    def visit_SetLit(self, e, scope):
        return self._literal(e.items, scope, T.SetT)

    def visit_ListLit(self, e, scope):
        return self._literal(e.items, scope, T.ListT)

    def member_of_expected(self, e: ast.Expr, expected: T.Type, scope: Scope) -> bool:
        """A bare name that is a member of the enumeration the other operand has.

        Members resolve against the enumeration expected where they stand, before any other
        meaning: `action == service` compares with `Action.service`, although `service` is also
        a field of the case.
        """
        return (isinstance(e, ast.Name) and isinstance(expected, T.EnumT) and scope.local(e.name) is None
                and expected.name in self.program.members.get(e.name, ()))

    def visit_Compare(self, e: ast.Compare, scope: Scope) -> T.Type:
        left = self.typeof(e.left, scope)
        right = left if self.member_of_expected(e.right, left, scope) else self.typeof(e.right, scope)
        if not T.compatible(left, right):
            code = "E205" if isinstance(left, T.QuantityT) and isinstance(right, T.QuantityT) else "E202"
            if code == "E205":
                self.diagnostics.append(error(code, e.right.span, found=right.dimension.replace("_", " "),
                                              expected=left.dimension.replace("_", " "),
                                              help=_dimension_help(left, right)))
            else:
                self.diagnostics.append(error(code, e.span, left=T.describe(left), right=T.describe(right)))
            return T.BOOL
        ordered = e.op in ("<", "<=", ">", ">=")
        if ordered and not any(isinstance(t, (T.AnyT, T.QuantityT)) or t in (T.DECIMAL, T.DATE)
                               for t in (left, right)):
            self.diagnostics.append(error("E204", e.span, op=e.op, left=T.describe(left), right=T.describe(right),
                                          help="order is defined on decimals, quantities and dates"))
        return T.BOOL

    def visit_Member(self, e: ast.Member, scope: Scope) -> T.Type:
        left = self.typeof(e.element, scope)
        if isinstance(e.collection, ast.SetLit) and e.collection.items and all(
                self.member_of_expected(i, left, scope) for i in e.collection.items):
            return T.BOOL
        element = self._collection(e.collection, scope, "in")
        if not T.compatible(left, element):
            self.diagnostics.append(error("E202", e.span, left=T.describe(left), right=f"members that are {T.describe(element)}"))
        return T.BOOL

    def visit_Within(self, e: ast.Within, scope: Scope) -> T.Type:
        self.expect(e.code, scope, T.CODE, "`within` tests control codes")
        scope_t = self.typeof(e.scope, scope)
        if not (T.compatible(scope_t, T.CODE) or T.compatible(scope_t, T.SetT(T.CODE))):
            self.diagnostics.append(error("E201", e.scope.span, expected="a control code or a set of them",
                                          found=T.describe(scope_t)))
        return T.BOOL

    def visit_Given(self, e, scope):
        self.typeof(e.expr, scope)
        return T.BOOL

    def visit_Arith(self, e: ast.Arith, scope: Scope) -> T.Type:
        left, right = self.typeof(e.left, scope), self.typeof(e.right, scope)
        if isinstance(left, T.AnyT) or isinstance(right, T.AnyT):
            return T.ANY
        result = _arith_type(e.op, left, right)
        if result is None:
            self.diagnostics.append(error("E204", e.span, op=e.op, left=T.describe(left), right=T.describe(right)))
            return T.ANY
        return result

    def visit_Negate(self, e, scope):
        t = self.typeof(e.operand, scope)
        if not (T.is_numeric(t) or isinstance(t, T.QuantityT)):
            self.diagnostics.append(error("E201", e.operand.span, expected="a decimal or a quantity", found=T.describe(t)))
            return T.ANY
        return t

    def visit_And(self, e, scope):
        self.expect(e.left, scope, T.BOOL)
        self.expect(e.right, scope, T.BOOL)
        return T.BOOL

    visit_Or = visit_And

    def visit_Not(self, e, scope):
        self.expect(e.operand, scope, T.BOOL)
        return T.BOOL

    def visit_Conditional(self, e: ast.Conditional, scope: Scope) -> T.Type:
        self.expect(e.condition, scope, T.BOOL)
        a, b = self.typeof(e.then, scope), self.typeof(e.otherwise, scope)
        joined = T.join(a, b)
        if joined is None:
            self.diagnostics.append(error("E201", e.otherwise.span, expected=T.describe(a), found=T.describe(b),
                                          help="both branches must have one type"))
            return T.ANY
        return joined


def _dimension_help(left: T.QuantityT, right: T.QuantityT) -> str:
    if {left.dimension, right.dimension} == {"temperature", "temperature_difference"}:
        return "a temperature difference (a spread, a uniformity) is written with Δ: `3 Δ℃` (1 Δ℃ = 1 ΔK)"
    return f"the left side is {T.describe(left)}; use a unit of that dimension"


def _arith_type(op: str, left: T.Type, right: T.Type) -> T.Type | None:
    """The type of `left op right`, or None when the operator does not apply."""
    if op == "+" and T.TEXT in (left, right) and all(t in (T.TEXT, T.CODE) or isinstance(t, T.EnumT)
                                                      for t in (left, right)):
        return T.TEXT
    if T.is_numeric(left) and T.is_numeric(right):
        return T.DECIMAL
    if isinstance(left, T.QuantityT) and isinstance(right, T.QuantityT):
        if left.dimension != right.dimension:
            return None
        return left if op in "+-" else (T.DECIMAL if op == "/" else None)
    if isinstance(left, T.QuantityT) and T.is_numeric(right) and op in "*/":
        return left
    if T.is_numeric(left) and isinstance(right, T.QuantityT) and op == "*":
        return right
    return None
