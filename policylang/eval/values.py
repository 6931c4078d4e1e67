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

import attrs


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


@attrs.frozen(cache_hash=True)
class EnumValue:
    """A member of an enumeration."""
    enum: str
    name: str

    def __str__(self) -> str:
        return self.name


@attrs.frozen(eq=False)
class RecordValue:
    """A record of the schema (a case, a party, an item …): a read-only mapping of its fields."""
    type: str
    fields: Mapping[str, Any] = attrs.field(converter=lambda d: MappingProxyType(dict(d)))

    def get(self, name: str) -> Any:
        return self.fields.get(name, MISSING)

    @classmethod
    def owning(cls, type_: str, fields: dict[str, Any]) -> "RecordValue":
        """A record over a dict the caller made for it and hands over (not copied)."""
        record = object.__new__(cls)
        object.__setattr__(record, "type", type_)
        object.__setattr__(record, "fields", MappingProxyType(fields))
        return record


def code_within(code: str, scope: str) -> bool:
    """Whether a control code is `scope` or lies under it (`1C902.a.4` within `1C902`)."""
    return code == scope or code.startswith(scope + ".")
