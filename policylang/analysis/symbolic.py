"""Symbolic values: the runtime values of `eval/values.py`, as z3 terms over one unknown case.

Takes: a checked `Program` (its schema, and the literals its policies use) and search bounds.
Returns: `Domains` (the finite domains of codes, texts and enumerations), the symbolic value
classes, and `CaseBuilder`, which makes one symbolic `Case` whose fields are created on first use.
Guarantees:
- every value carries `given`, a z3 boolean that is false exactly where the interpreter has
  `MISSING`; required fields are given, optional ones are free, defaulted ones are either given
  explicitly or take their default (computed by the encoder from the record's other fields);
- decimals and quantities are exact reals (quantities in their base unit), dates are day numbers,
  enumerations, control codes and texts are indices into finite domains that are complete for the
  policy: every `==` and `within` test the program can make tells apart two members of the domain
  only if it tells apart two real values, so no case the interpreter can see is lost;
- lists are bounded (`Bounds`), and records nest only as deep as `Bounds.depth`: a witness never
  has more elements than the bound, which the findings say.
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

import attrs
import z3

from policylang import ast
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.eval.values import code_within
from policylang.program import CASE_RECORD, Program
from policylang.semantics import units
from policylang.semantics.screening import normalise

TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)

# Realistic values for witnesses: a code no clause names, and party names that match no list.
FILLER_CODES = ("3A090", "5A002", "1C010", "2B001", "6A003", "9E999")
PREFERRED = {"Country": ("DE", "US", "JP", "CN", "NL", "KR", "FR", "GB", "SG", "IN")}
FILLER_NAMES = ("Example Trading Co.", "Example Components GmbH", "Example Logistics Ltd.",
                "Sample Research Institute")


@attrs.frozen
class Bounds:
    """How far the search looks: list lengths and the depth of nested records."""
    list_length: int = 2
    depth: int = 3          # Case 0, Party/Item 1, Component/Ownership 2, nested Party 3
    list_depth: int = 1     # lists are expanded only in records at most this deep


def day(d: datetime.date) -> int:
    return d.toordinal()


def real(x: Fraction | int) -> z3.ArithRef:
    x = Fraction(x)
    return z3.RealVal(f"{x.numerator}/{x.denominator}")


# ------------------------------------------------------------------ values


@attrs.frozen
class SBool:
    given: Any
    v: Any


@attrs.frozen
class SNum:
    """A decimal or a quantity (in its base unit); `dim` is the dimension, None for a decimal."""
    given: Any
    v: Any
    dim: str | None = None


@attrs.frozen
class SDate:
    given: Any
    v: Any


@attrs.frozen
class SEnum:
    given: Any
    enum: str
    v: Any


@attrs.frozen
class SCode:
    given: Any
    v: Any


@attrs.frozen
class SText:
    given: Any
    v: Any


@attrs.frozen
class SList:
    """A list of at most `len(elems)` elements; element i is present when `present[i]`."""
    given: Any
    elems: tuple
    present: tuple
    length: Any = None      # the z3 length variable of a list of the case, else None
    element: Any = None     # the element type


@attrs.frozen
class SEnumSet:
    """A set of members of one enumeration: one boolean per member."""
    given: Any
    enum: str
    has: tuple


@attrs.frozen
class SConstSet:
    """A set written in the policy: its elements are symbolic values."""
    items: tuple


@attrs.frozen
class EnumTypeRef:
    name: str


MISSING_NUM = SNum(FALSE, real(0))


class Unsupported(Exception):
    """A construct the encoding does not model; the clause is then encoded as an opaque condition."""


# ------------------------------------------------------------------ domains


def _walk(node: Any):
    """Every AST node under `node` (attrs classes, tuples)."""
    if isinstance(node, tuple):
        for x in node:
            yield from _walk(x)
    elif attrs.has(type(node)):
        yield node
        for f in attrs.fields(type(node)):
            if not f.name.endswith("span"):
                yield from _walk(getattr(node, f.name))


class Domains:
    """The finite domains of one program: codes, texts, enumerations, and preferred units."""

    def __init__(self, program: Program, others: tuple[Program, ...] = ()):
        """The domains of `program`; with `others` (libraries of the same schema, to compare with
        it), of their literals too, so that one symbolic case reads the same in all of them."""
        self.program = program
        codes, texts, unit_of = [], [], {}
        for module in (m for p in (program, *others) for m in p.modules):
            for node in _walk(module.items):
                if isinstance(node, (ast.CodeLit, ast.ControlScope)):
                    codes.append(node.value)
                elif isinstance(node, ast.Classification):
                    codes.append(node.code)
                elif isinstance(node, ast.StringLit):
                    texts.append(node.value)
                elif isinstance(node, ast.QuantityLit):
                    q = units.make(node.value, node.unit)
                    unit_of.setdefault(q.dimension, q.unit)
        names = [e.name for p in (program, *others) for l in p.entity_lists.values() for e in l.entries]
        literal = sorted(set(codes))
        filler = next(c for c in FILLER_CODES if not any(code_within(c, x) or code_within(x, c) for x in literal))
        self.codes: list[str] = [filler] + literal
        self.texts: list[str] = list(dict.fromkeys([*FILLER_NAMES, *sorted(set(texts)), *names]))
        self.text_index = {t: i for i, t in enumerate(self.texts)}
        self.code_index = {c: i for i, c in enumerate(self.codes)}
        self.unit_of = unit_of
        self.normal_texts = [normalise(t) for t in self.texts]

    def members(self, enum: str) -> list[str]:
        return [m.name for m in self.program.enums[enum].members]

    def member_index(self, enum: str, name: str) -> int:
        return self.members(enum).index(name)

    def code_lit(self, code: str) -> SCode:
        if code not in self.code_index:  # a code only the case names: behaves as the filler does
            return SCode(TRUE, z3.IntVal(0))
        return SCode(TRUE, z3.IntVal(self.code_index[code]))

    def text_lit(self, text: str) -> SText:
        if text not in self.text_index:
            self.text_index[text] = len(self.texts)
            self.texts.append(text)
            self.normal_texts.append(normalise(text))
        return SText(TRUE, z3.IntVal(self.text_index[text]))

    def within(self, code: Any, scope: str) -> Any:
        hits = [i for i, c in enumerate(self.codes) if code_within(c, scope)]
        return z3.Or([code == i for i in hits]) if hits else FALSE

    def covered(self, code: Any, scope: ast.ControlScope) -> Any:
        """The code lies in a clause's control scope (`controls 2B005 exactly` is the code alone)."""
        hits = [i for i, c in enumerate(self.codes) if scope.covers(c)]
        return z3.Or([code == i for i in hits]) if hits else FALSE


# ------------------------------------------------------------------ the symbolic case


class SRecord:
    """A record of the case whose fields are created when first read."""

    def __init__(self, builder: "CaseBuilder", type_: str, given: Any, depth: int, path: str):
        self.builder, self.type, self.given, self.depth, self.path = builder, type_, given, depth, path
        self.fields: dict[str, Any] = {}
        self.explicit: dict[str, Any] = {}       # defaulted fields: given explicitly or not
        self.raw: dict[str, Any] = {}            # free values of defaulted fields
        self.overrides: dict[str, Any] = {}      # fields replaced after reading (classification)

    def get(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        if name not in self.fields:
            self.fields[name] = self.builder.field(self, name)
        return self.fields[name]


class CaseBuilder:
    """Makes the symbolic case; collects the domain constraints of every variable it creates."""

    def __init__(self, program: Program, domains: Domains, bounds: Bounds, prefix: str = ""):
        self.program, self.domains, self.bounds, self.prefix = program, domains, bounds, prefix
        self.types = ExprChecker(program)
        self.constraints: list[Any] = []
        self.default_of = None    # set by the encoder: (record, field) -> symbolic default
        self.preferences: list[Any] = []   # what a simple, realistic witness looks like

    def case(self) -> SRecord:
        return SRecord(self, CASE_RECORD, TRUE, 0, "case")

    def _name(self, path: str) -> str:
        return self.prefix + path

    def field(self, record: SRecord, name: str) -> Any:
        decl = self.program.field(record.type, name)
        t = self.types.resolve_type(decl.type)
        path = f"{record.path}.{name}"
        if decl.default is not None and not _constant_default(self.program, record.type, decl.default):
            explicit = z3.Bool(self._name(path + "?explicit"))
            free = self.fresh(t, path, TRUE, record.depth)
            record.explicit[name], record.raw[name] = explicit, free
            self.preferences.append(z3.Not(explicit))
            default = self.default_of(record, decl.default)
            return merge(explicit, free, default)
        given = z3.Bool(self._name(path + "?given")) if decl.optional else TRUE
        if decl.optional:
            self.preferences.append(z3.Not(given))
        value = self.fresh(t, path, given, record.depth)
        self._prefer_default(value, decl.default)
        self._in_range(value, decl)
        return value

    def _in_range(self, value: Any, decl: ast.Field) -> None:
        """Only values a case may give (contract §1-§2): a decimal field's declared range, and a
        quantity at least zero (a temperature at least 0 K), a ratio at most 1."""
        if not isinstance(value, SNum):
            return
        low, high = decl.minimum, decl.maximum
        if value.dim is not None:
            low = 0
            high = 1 if value.dim == "ratio" else None
        if low is not None:
            self.constraints.append(value.v >= real(Fraction(low)))
        if high is not None:
            self.constraints.append(value.v <= real(Fraction(high)))

    def _prefer_default(self, value: Any, default: ast.Expr | None) -> None:
        """A witness keeps a field at its default where it can (`kind: goods`, `military: false`)."""
        if isinstance(value, SBool) and isinstance(default, ast.BoolLit):
            self.preferences.append(value.v == default.value)
        elif isinstance(value, SEnum) and isinstance(default, ast.Name):
            self.preferences.append(value.v == self.domains.member_index(value.enum, default.name))
        elif isinstance(value, SEnumSet):
            self.preferences += [z3.Not(h) for h in value.has]

    def fresh(self, t: T.Type, path: str, given: Any, depth: int) -> Any:
        n = self._name(path)
        match t:
            case T.Prim("bool"):
                return SBool(given, z3.Bool(n))
            case T.Prim("decimal"):
                return SNum(given, z3.Real(n))
            case T.QuantityT(dim):
                return SNum(given, z3.Real(n), dim)
            case T.Prim("date"):
                return SDate(given, z3.Int(n))
            case T.Prim("text"):
                return SText(given, self._bounded(n, len(self.domains.texts)))
            case T.Prim("code"):
                return SCode(given, self._bounded(n, len(self.domains.codes)))
            case T.EnumT(name):
                v = self._bounded(n, len(self.domains.members(name)))
                members = self.domains.members(name)
                liked = [members.index(m) for m in PREFERRED.get(name, ()) if m in members]
                if liked:
                    self.preferences.append(z3.Or([v == i for i in liked]))
                return SEnum(given, name, v)
            case T.RecordT(name):
                if depth + 1 > self.bounds.depth:
                    return SRecord(self, name, FALSE, depth + 1, path)
                return SRecord(self, name, given, depth + 1, path)
            case T.SetT(T.EnumT(name)):
                return SEnumSet(given, name, tuple(z3.Bool(f"{n}[{m}]") for m in self.domains.members(name)))
            case T.ListT(el):
                k = self.bounds.list_length if depth <= self.bounds.list_depth else 0
                length = z3.Int(n + "#len")
                self.constraints += [length >= 0, length <= k]
                self.preferences.append(length == 0)
                elems = tuple(self.fresh(el, f"{path}[{i}]", z3.And(given, length > i), depth) for i in range(k))
                return SList(given, elems, tuple(z3.And(given, length > i) for i in range(k)), length, el)
        raise Unsupported(f"a field of type {T.describe(t)}")

    def _bounded(self, name: str, size: int) -> Any:
        v = z3.Int(name)
        self.constraints += [v >= 0, v < size]
        return v


def _constant_default(program: Program, record: str, e: ast.Expr) -> bool:
    """A default any explicit value can stand for: a literal, an empty collection, a member name
    (not a field of the record: `made_in = origin` is missing when `origin` is)."""
    if isinstance(e, ast.Name):
        return e.name in program.members and program.field(record, e.name) is None
    return isinstance(e, (ast.BoolLit, ast.Number, ast.StringLit)) or \
        (isinstance(e, (ast.SetLit, ast.ListLit)) and not e.items)


def merge(c: Any, a: Any, b: Any) -> Any:
    """`if c then a else b` on symbolic values of one kind."""
    if type(a) is not type(b):
        if isinstance(b, SNum) and b is MISSING_NUM and isinstance(a, SNum):
            pass
        else:
            raise Unsupported("a conditional over values of different kinds")
    match a:
        case SBool() | SDate() | SCode() | SText():
            return type(a)(z3.If(c, a.given, b.given), z3.If(c, a.v, b.v))
        case SNum():
            return SNum(z3.If(c, a.given, b.given), z3.If(c, a.v, b.v), a.dim or b.dim)
        case SEnum() if a.enum == b.enum:
            return SEnum(z3.If(c, a.given, b.given), a.enum, z3.If(c, a.v, b.v))
        case SEnumSet() if a.enum == b.enum:
            return SEnumSet(z3.If(c, a.given, b.given), a.enum,
                            tuple(z3.If(c, x, y) for x, y in zip(a.has, b.has)))
    raise Unsupported("a conditional over records or lists")
