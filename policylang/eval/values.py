"""Runtime values of the interpreter.

Takes: nothing; declares the value classes.
Returns: `MISSING` (an optional field the case did not give), `EnumValue`, `RecordValue`, and
`code_within`, the hierarchical test on control codes.
Guarantees: decimals are `decimal.Decimal`, dates `datetime.date`, quantities
`semantics.units.Quantity`, text and codes `str`, lists tuples and sets frozensets: every value
is immutable, so no clause can change what another clause sees.

>>> code_within("1C902.a.4", "1C902.a"), code_within("1C902.a", "1C902.a.4"), code_within("1C9021", "1C902")
(True, False, False)
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping



class _Missing:
    """The value of an optional field that the case does not give."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "missing"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


class EnumValue:
    """A member of an enumeration. Interned: there is one object per member (`EnumValue("Country",
    "CN") is EnumValue("Country", "CN")`), so equality is identity, which compiled code uses.

    >>> EnumValue("Country", "CN") is EnumValue("Country", "CN"), EnumValue("Country", "CN") == EnumValue("Action", "CN")
    (True, False)
    """

    __slots__ = ("enum", "name", "_hash")
    _interned: dict[tuple[str, str], "EnumValue"] = {}

    def __new__(cls, enum: str, name: str) -> "EnumValue":
        found = cls._interned.get((enum, name))
        if found is None:
            found = object.__new__(cls)
            object.__setattr__(found, "enum", enum)
            object.__setattr__(found, "name", name)
            object.__setattr__(found, "_hash", hash((enum, name)))
            cls._interned[(enum, name)] = found
        return found

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("an enumeration member cannot change")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self):
        return (EnumValue, (self.enum, self.name))

    def __repr__(self) -> str:
        return f"EnumValue(enum={self.enum!r}, name={self.name!r})"

    def __str__(self) -> str:
        return self.name


class RecordValue:
    """A record of the schema (a case, a party, an item …): its type and a read-only mapping of
    its fields (`fields`). Nothing in policylang writes to a record once it is read; the
    engines read the underlying dict (`values`) directly, for speed. An optional field the case
    left out is absent: `get` gives `MISSING` for it."""

    __slots__ = ("type", "values")

    def __init__(self, type_: str, fields: Mapping[str, Any]):
        self.type = type_
        self.values: dict[str, Any] = dict(fields)

    @property
    def fields(self) -> Mapping[str, Any]:
        return MappingProxyType(self.values)

    def get(self, name: str) -> Any:
        return self.values.get(name, MISSING)

    @classmethod
    def owning(cls, type_: str, fields: dict[str, Any]) -> "RecordValue":
        """A record over a dict the caller made for it and hands over (not copied)."""
        record = cls.__new__(cls)
        record.type = type_
        record.values = fields
        return record

    def __repr__(self) -> str:
        return f"RecordValue({self.type!r}, {self.values!r})"


def code_within(code: str, scope: str) -> bool:
    """Whether a control code is `scope` or lies under it (`1C902.a.4` within `1C902`)."""
    return code == scope or code.startswith(scope + ".")
