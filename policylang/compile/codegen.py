"""Expressions to Python source: one generator method per construct, names resolved once.

Takes: a checked `Program`; expressions with the scope they stand in (their module, the policy
variables bound around them), to be compiled for a case (`c`, a `runtime.CaseContext`) or for a
record default (`rf`, the fields read so far).
Returns: Python expression text, and the constants it refers to (`Writer.constants`), which the
engine compiles into one module with `runtime.RUNTIME`.
Guarantees: each generator mirrors its `visit_…` method of `eval/expressions.py`, and where the
interpreter has a rule (missing values, units, arithmetic, aggregation, membership, built-ins) the
generated code calls the same function. Name resolution follows the interpreter's order (a bound
variable, a field of the record of a default, a definition, a field of the case, an enumeration,
an enumeration member; a bare member read in the other operand's enumeration), decided at compile
time from the checker's types. A value the case gives never becomes code: strings are written
with `repr`, names are the grammar's identifiers, every other constant is a module-level name.

>>> from policylang.library import load_shipped
>>> program, _ = load_shipped()
>>> writer = Writer(program)
>>> print(writer.expression(program.definitions["origin"][0].body, "attributes"))
(M if (_t1 := c.cf.get('item', M)) is M else _t1.values.get('origin', M))
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from policylang import ast
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker, Scope
from policylang.eval.expressions import EnumType
from policylang.eval.values import EnumValue
from policylang.program import CASE_RECORD, Program
from policylang.semantics import units
from policylang.semantics.builtins import BUILTINS

# Types whose values compare with Python's own operators exactly as `compare` does (no
# quantities: their values may be quantities or plain ratios).
_PLAIN = (T.DECIMAL, T.DATE, T.TEXT, T.CODE, T.BOOL)
# Constructs whose value is always True or False, never missing: their truth is their value.
_BOOLEAN = (ast.Compare, ast.Member, ast.Within, ast.Given, ast.And, ast.Or, ast.Not, ast.Quantified,
            ast.BoolLit)
_OPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}   # a op b is b mirror(op) a


class Unsupported(Exception):
    """A construct the generator does not compile in this mode (a record default that reads the
    case): the engine then keeps the interpreter's evaluation for it."""


class Writer:
    """Generates the source of one library's functions and keeps their constants."""

    def __init__(self, program: Program):
        self.program = program
        self.types = ExprChecker(program)
        self.constants: dict[str, Any] = {}
        self._constant_names: dict[Any, str] = {}
        self._temps = itertools.count(1)

    # -------------------------------------------------------------- constants

    def constant(self, value: Any, key: Any = None) -> str:
        """The module-level name of a constant (one name per distinct value)."""
        key = (type(value).__name__, key if key is not None else value)
        if key not in self._constant_names:
            name = f"k{len(self._constant_names)}"
            self._constant_names[key] = name
            self.constants[name] = value
        return self._constant_names[key]

    def temp(self) -> str:
        return f"_t{next(self._temps)}"

    # -------------------------------------------------------------- entry points

    def expression(self, e: ast.Expr, module: str, record: str | None = None) -> str:
        """An expression of a module: for a case (`c`), or for a default of `record` (`rf`)."""
        scope = self.types.module_scope(module)
        if record is not None:
            scope = attrs.evolve(scope, record=record)
        return _Gen(self, scope, {}, record).gen(e)

    def condition(self, e: ast.Expr, module: str) -> str:
        """A rule's condition: an expression that is True exactly when the interpreter's `truth` is."""
        return _Gen(self, self.types.module_scope(module), {}, None).cond(e)

    def parameterised(self, definition: ast.Definition, module: str) -> tuple[list[str], str]:
        """The parameter names and the body of a definition with parameters."""
        scope = self.types.module_scope(module)
        names = {}
        for p in definition.params:
            scope = scope.bind(p.name, self.types.resolve_type(p.type))
            names[p.name] = f"v_{p.name}"
        return list(names.values()), _Gen(self, scope, names, None).gen(definition.body)


class _Gen:
    """Generates one expression in one scope (its module, its bound variables, the record of a
    default when compiling one)."""

    def __init__(self, writer: Writer, scope: Scope, names: dict[str, str], record: str | None,
                 plain: bool = False):
        self.w, self.scope, self.names, self.record = writer, scope, names, record
        self.program = writer.program
        # Python forbids `:=` in a comprehension's iterable: there, helpers stand in for it.
        self.plain = plain

    def bind(self, name: str, element: T.Type) -> "_Gen":
        return _Gen(self.w, self.scope.bind(name, element), {**self.names, name: f"v_{name}"}, self.record,
                    self.plain)

    def iterable(self, e: ast.Expr) -> str:
        """A collection to iterate over in a comprehension (no `:=` in it)."""
        return _Gen(self.w, self.scope, self.names, self.record, plain=True).gen(e)

    def typeof(self, e: ast.Expr) -> T.Type:
        return self.w.types.typeof(e, self.scope)

    def gen(self, e: ast.Expr) -> str:
        return getattr(self, f"gen_{type(e).__name__}")(e)

    def cond(self, e: ast.Expr) -> str:
        """The truth of `e` (`eval(e) is True`) as a Python bool."""
        text = self.gen(e)
        return text if isinstance(e, _BOOLEAN) else f"({text} is True)"

    # -------------------------------------------------------------- literals

    def gen_Number(self, e: ast.Number) -> str:
        return self.w.constant(Fraction(e.value))

    def gen_QuantityLit(self, e: ast.QuantityLit) -> str:
        q = units.make(e.value, e.unit)
        return self.w.constant(q, (q.unit.symbol, e.value))

    def gen_DateLit(self, e: ast.DateLit) -> str:
        return self.w.constant(e.value)

    def gen_CodeLit(self, e: ast.CodeLit) -> str:
        return repr(e.value)

    def gen_StringLit(self, e: ast.StringLit) -> str:
        return repr(e.value)

    def gen_BoolLit(self, e: ast.BoolLit) -> str:
        return "True" if e.value else "False"

    def gen_SetLit(self, e: ast.SetLit) -> str:
        values = [self._constant_value(i) for i in e.items]
        if all(v is not _NOT_CONSTANT for v in values):
            return self.w.constant(frozenset(values))
        return "frozenset((" + "".join(self.gen(i) + ", " for i in e.items) + "))"

    def gen_ListLit(self, e: ast.ListLit) -> str:
        return "(" + "".join(self.gen(i) + ", " for i in e.items) + ")"

    def _constant_value(self, e: ast.Expr) -> Any:
        """The value of a literal or a member name, as the interpreter would make it; else
        `_NOT_CONSTANT`."""
        match e:
            case ast.Number(value):
                return Fraction(value)
            case ast.CodeLit(value) | ast.StringLit(value) | ast.BoolLit(value) | ast.DateLit(value):
                return value
            case ast.Name(name) if self._is_member_name(name):
                return EnumValue(self.program.members[name][0], name)
        return _NOT_CONSTANT

    def _is_member_name(self, name: str) -> bool:
        """A bare name that resolves to an enumeration member (nothing before it in the order)."""
        return (name not in self.names and not self._record_field(name) and name not in self.program.definitions
                and not self._case_field(name) and name not in self.program.enums
                and name in self.program.members)

    # -------------------------------------------------------------- names

    def _record_field(self, name: str) -> bool:
        return self.record is not None and self.program.field(self.record, name) is not None

    def _case_field(self, name: str) -> bool:
        return self.record is None and self.program.field(CASE_RECORD, name) is not None

    def gen_Name(self, e: ast.Name) -> str:
        name = e.name
        if name in self.names:
            return self.names[name]
        if self._record_field(name):
            return f"rf.get({name!r}, M)"
        if name in self.program.definitions:
            if self.record is not None:
                raise Unsupported(f"a default that reads the definition `{name}`")
            return f"d_{name}(c)"
        if self._case_field(name):
            return f"c.cf.get({name!r}, M)"
        if name in self.program.enums:
            return self.w.constant(EnumType(name))
        return self.w.constant(EnumValue(self.program.members[name][0], name))

    def gen_Attribute(self, e: ast.Attribute) -> str:
        obj_type = self.typeof(e.obj)
        if isinstance(obj_type, T.EnumTypeT):
            return self.w.constant(EnumValue(obj_type.name, e.name))
        if self.plain:
            return f"get({self.gen(e.obj)}, {e.name!r})"
        t = self.w.temp()
        return f"(M if ({t} := {self.gen(e.obj)}) is M else {t}.values.get({e.name!r}, M))"

    def gen_Call(self, e: ast.Call) -> str:
        if self.record is not None:
            raise Unsupported(f"a default that calls `{e.func}`")
        args = "".join(", " + self.gen(a) for a in e.args)
        if e.func in self.program.definitions:
            return f"p_{e.func}(c{args})"
        assert e.func in BUILTINS, e.func
        return f"builtin_{e.func}(c{args})"

    # -------------------------------------------------------------- collections

    def _element_type(self, collection: ast.Expr) -> T.Type:
        return T.element_of(self.typeof(collection)) or T.ANY

    def gen_Aggregate(self, e: ast.Aggregate) -> str:
        inner = self.bind(e.var, self._element_type(e.collection))
        var = inner.names[e.var]
        where = f" if {inner.cond(e.filter)}" if e.filter is not None else ""
        return (f"aggregate({e.func!r}, [{inner.gen(e.body)} for {var} in items({self.iterable(e.collection)})"
                f"{where}])")

    def gen_Quantified(self, e: ast.Quantified) -> str:
        inner = self.bind(e.var, self._element_type(e.collection))
        var = inner.names[e.var]
        return f"{e.quantifier}({inner.cond(e.body)} for {var} in items({self.iterable(e.collection)}))"

    def gen_Member(self, e: ast.Member) -> str:
        element_type = self.typeof(e.element)
        t = self.w.temp()
        members = self._member_constants(e.collection, element_type)
        if self.plain:
            collection = self.w.constant(members) if members is not None else self.gen(e.collection)
            return f"member({self.gen(e.element)}, {collection}, {e.negated})"
        if members is not None:
            test = "not in" if e.negated else "in"
            return f"(({t} := {self.gen(e.element)}) is not M and {t} {test} {self.w.constant(members)})"
        if isinstance(element_type, T.EnumT) or element_type in (T.TEXT, T.CODE):
            # a member or a text equals an item exactly when `==` says so (`member`'s `equal`
            # without quantities), so Python's own `in` decides; a missing collection has no items
            element, u = self.gen(e.element), self.w.temp()
            given = []
            if not self._is_constant(element):
                given, element = [f"({t} := {element}) is not M"], t
            if e.negated:
                test = f"(({u} := {self.gen(e.collection)}) is M or {element} not in {u})"
            else:
                test = f"({u} := {self.gen(e.collection)}) is not M and {element} in {u}"
            return "(" + " and ".join([*given, test]) + ")"
        return f"(({t} := {self.gen(e.element)}) is not M and member({t}, {self.gen(e.collection)}, {e.negated}))"

    def _member_constants(self, collection: ast.Expr, element_type: T.Type) -> frozenset | None:
        """The items of a constant collection as a set a hash look-up may test, when equality of
        the element's type is plain identity of value: `x in {CN, HK}` (bare members read in the
        element's enumeration), `code in {"EAR99", "1C902.a"}` (texts or codes), or a definition
        without parameters whose body is one of these. Else None, and `member` decides."""
        match collection:
            case ast.Name(name) if (name not in self.names and not self._record_field(name)
                                    and not self._case_field(name) and name in self.program.definitions):
                definition, _ = self.program.definitions[name]
                return None if definition.params else self._member_constants(definition.body, element_type)
            case ast.SetLit(found) | ast.ListLit(found) if found:
                pass
            case _:
                return None
        if isinstance(element_type, T.EnumT):
            if not all(self._member_of(i, element_type) for i in found):
                return None
            return frozenset(EnumValue(element_type.name, i.name) for i in found)
        if element_type in (T.TEXT, T.CODE):
            values = [self._constant_value(i) for i in found]
            if all(isinstance(v, str) for v in values):
                return frozenset(values)
        return None

    def _member_of(self, e: ast.Expr, other: T.Type) -> bool:
        """A bare name read in the other operand's enumeration (the interpreter's `_member_of`)."""
        return (isinstance(e, ast.Name) and isinstance(other, T.EnumT) and e.name not in self.names
                and other.name in self.program.members.get(e.name, ()))

    def gen_Within(self, e: ast.Within) -> str:
        scopes = self._code_constants(e.scope)
        if scopes is not None:
            return f"within_any({self.gen(e.code)}, {self.w.constant(tuple((s, s + '.') for s in scopes))})"
        return f"within({self.gen(e.code)}, {self.gen(e.scope)})"

    def _code_constants(self, e: ast.Expr) -> tuple[str, ...] | None:
        """The codes of a constant scope: a code, a set of codes, or a definition that is one."""
        match e:
            case ast.CodeLit(value):
                return (value,)
            case ast.SetLit(found) if all(isinstance(i, ast.CodeLit) for i in found):
                return tuple(i.value for i in found)
            case ast.Name(name) if (name not in self.names and not self._record_field(name)
                                    and name in self.program.definitions):
                definition, _ = self.program.definitions[name]
                return None if definition.params else self._code_constants(definition.body)
        return None

    # -------------------------------------------------------------- operators

    def gen_Compare(self, e: ast.Compare) -> str:
        left_type = self.typeof(e.left)
        left = self.gen(e.left)
        if self._member_of(e.right, left_type):
            right, right_type = self.w.constant(EnumValue(left_type.name, e.right.name)), left_type
        else:
            right, right_type = self.gen(e.right), self.typeof(e.right)
        if self.plain:
            return f"compare({e.op!r}, {left}, {right})"
        if left_type == right_type and isinstance(left_type, T.EnumT) and e.op in ("==", "!="):
            # members are interned (`EnumValue`): equal exactly when identical
            return self._both(left, right, "is" if e.op == "==" else "is not")
        if left_type == right_type == T.DECIMAL:
            return self._rational(left, right, _OPS[e.op]) or self._both(left, right, _OPS[e.op])
        if left_type == right_type and (left_type in _PLAIN or isinstance(left_type, T.EnumT)):
            return self._both(left, right, _OPS[e.op])
        if (isinstance(left_type, T.QuantityT) and left_type == right_type and left_type.dimension != "ratio"):
            return self._rational(left, right, _OPS[e.op], ".base") or self._both(left, right, _OPS[e.op], ".base")
        return f"compare({e.op!r}, {left}, {right})"

    def _rational(self, left: str, right: str, test: str, part: str = "") -> str | None:
        """A decimal (or a quantity's base value) against a constant p/q, as integers: with x =
        a/b (b > 0, a `Fraction` or an `int`), `x < p/q` exactly when `a*q < p*b`. The same
        truth as `compare`, without `Fraction`'s own comparison (which is written in Python)."""
        if self._is_constant(left) == self._is_constant(right):
            return None
        constant, variable = (left, right) if self._is_constant(left) else (right, left)
        value = self.w.constants.get(constant)
        if part:
            value = getattr(value, "base", None)
        if not isinstance(value, (Fraction, int)) or isinstance(value, bool):
            return None
        if constant is left:          # p/q < x  is  x > p/q
            test = _MIRROR[test]
        p, q = value.numerator, value.denominator
        x = self.w.temp()
        a, b = f"{x}.numerator", f"{x}.denominator"
        if part:
            y = self.w.temp()
            a, b = f"({y} := {x}{part}).numerator", f"{y}.denominator"
        return (f"(({x} := {variable}) is not M and {a}{f' * {q}' if q != 1 else ''} {test} "
                f"{f'{p} * ' if p != 1 else ''}{b})")

    def _both(self, left: str, right: str, test: str, part: str = "") -> str:
        """`left test right` when neither operand is missing (the missing-value rule of `compare`),
        each operand evaluated once; a constant is never missing and is used as it stands (a
        quantity constant by its base value, folded here)."""
        guards, operands = [], []
        for text in (left, right):
            if self._is_constant(text):
                value = self.w.constants.get(text)
                operands.append(self.w.constant(value.base, ("base", text)) if part and hasattr(value, "base")
                                else text + part)
                continue
            temp = self.w.temp()
            guards.append(f"({temp} := {text}) is not M")
            operands.append(temp + part)
        return "(" + " and ".join([*guards, f"{operands[0]} {test} {operands[1]}"]) + ")"

    def _is_constant(self, text: str) -> bool:
        """Generated text that names a constant or is a literal: never missing."""
        return text in self.w.constants or text in ("True", "False") or text[:1] in ("'", '"')

    def gen_Given(self, e: ast.Given) -> str:
        return f"({self.gen(e.expr)} is {'' if e.negated else 'not '}M)"

    def gen_Arith(self, e: ast.Arith) -> str:
        return f"arith({e.op!r}, {self.gen(e.left)}, {self.gen(e.right)}, {self.w.constant(e, id(e))})"

    def gen_Negate(self, e: ast.Negate) -> str:
        return f"negate({self.gen(e.operand)})"

    def gen_And(self, e: ast.And) -> str:
        return f"({self.cond(e.left)} and {self.cond(e.right)})"

    def gen_Or(self, e: ast.Or) -> str:
        return f"({self.cond(e.left)} or {self.cond(e.right)})"

    def gen_Not(self, e: ast.Not) -> str:
        return f"(not {self.cond(e.operand)})"

    def gen_Conditional(self, e: ast.Conditional) -> str:
        return f"({self.gen(e.then)} if {self.cond(e.condition)} else {self.gen(e.otherwise)})"


_NOT_CONSTANT = object()

# Kept for readers of generated code: the Python types constants may have.
CONSTANT_TYPES = (Fraction, Decimal, datetime.date, units.Quantity, EnumValue, EnumType, frozenset, tuple,
                  ast.Arith)
