"""Types of the policy language.

Takes: type expressions of the AST (`TypeRef`, `ListType`, `SetType`).
Returns: `Type` values the checker reasons with, and `describe` for messages.
Guarantees: one class per kind of type; `ANY` stands for "already reported", so one mistake gives
one diagnostic, not a cascade.

>>> describe(QuantityT("length")), describe(ListT(RecordT("EndUse")))
('a quantity of length', 'a list of `EndUse`')
"""

from __future__ import annotations

import attrs

PRIMITIVES = ("bool", "decimal", "text", "date", "code")


@attrs.frozen
class Prim:
    """bool, decimal, text, date or code."""
    name: str


@attrs.frozen
class QuantityT:
    """A quantity of one dimension (`quantity[length]`)."""
    dimension: str


@attrs.frozen
class EnumT:
    """A member of a named enumeration."""
    name: str


@attrs.frozen
class EnumTypeT:
    """The enumeration itself, as in `Country.CN`."""
    name: str


@attrs.frozen
class RecordT:
    """A record of the schema."""
    name: str


@attrs.frozen
class ListT:
    element: "Type"


@attrs.frozen
class SetT:
    element: "Type"


@attrs.frozen
class AnyT:
    """A type already reported as wrong; compatible with everything."""


@attrs.frozen
class EmptyT:
    """The element type of an empty literal `{}` or `[]`."""


Type = Prim | QuantityT | EnumT | EnumTypeT | RecordT | ListT | SetT | AnyT | EmptyT

BOOL, DECIMAL, TEXT, DATE, CODE = (Prim(n) for n in PRIMITIVES)
ANY = AnyT()
EMPTY = EmptyT()


def describe(t: Type) -> str:
    """A type as messages name it."""
    match t:
        case Prim(name):
            return {"bool": "a condition (bool)", "decimal": "a decimal", "text": "text",
                    "date": "a date", "code": "a control code"}[name]
        case QuantityT(dim):
            return "a ratio" if dim == "ratio" else f"a quantity of {dim.replace('_', ' ')}"
        case EnumT(name):
            return f"a `{name}`"
        case EnumTypeT(name):
            return f"the enumeration `{name}`"
        case RecordT(name):
            return f"a `{name}`"
        case ListT(el):
            return f"a list of {_plain(el)}"
        case SetT(el):
            return f"a set of {_plain(el)}"
        case EmptyT():
            return "nothing"
        case _:
            return "a value"


def _plain(t: Type) -> str:
    text = describe(t)
    for article in ("a ", "an "):
        if text.startswith(article):
            return text[len(article):]
    return text


def is_numeric(t: Type) -> bool:
    """Decimals and ratios (`%`, `ppm`) mix freely."""
    return t == DECIMAL or t == QuantityT("ratio") or isinstance(t, AnyT)


def element_of(t: Type) -> Type | None:
    """The element type of a list or set; None for anything else."""
    if isinstance(t, (ListT, SetT)):
        return t.element
    if isinstance(t, AnyT):
        return ANY
    return None


def compatible(a: Type, b: Type) -> bool:
    """Whether values of the two types can be compared for equality or order."""
    if isinstance(a, (AnyT, EmptyT)) or isinstance(b, (AnyT, EmptyT)):
        return True
    if is_numeric(a) and is_numeric(b):
        return True
    if isinstance(a, (ListT, SetT)) and isinstance(b, (ListT, SetT)):
        return compatible(a.element, b.element)
    return a == b


def join(a: Type, b: Type) -> Type | None:
    """The common type of two branches or set members; None when there is none."""
    if isinstance(a, (AnyT, EmptyT)):
        return b
    if isinstance(b, (AnyT, EmptyT)):
        return a
    if a == b:
        return a
    if is_numeric(a) and is_numeric(b):
        return DECIMAL
    if isinstance(a, ListT) and isinstance(b, ListT):
        el = join(a.element, b.element)
        return ListT(el) if el is not None else None
    if isinstance(a, SetT) and isinstance(b, SetT):
        el = join(a.element, b.element)
        return SetT(el) if el is not None else None
    return None
