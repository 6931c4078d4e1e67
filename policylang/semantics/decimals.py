"""Decimals as the contract writes them (§2): JSON numbers, or strings holding one.

Takes: a JSON value read with `parse_float=Decimal, parse_int=Decimal`, or a string.
Returns: the exact `Fraction` it stands for, or a `DecimalError` saying why it is not one.
Guarantees: one grammar for every decimal a case gives, the JSON number grammar
(`-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?`): Python-only spellings (`1_000`, `+1`, `.5`,
` 1 `, `Infinity`, `NaN`) are rejected; so is a number too large or too precise to compute with
in bounded time (more than `MAX_DIGITS` significant digits, or a decimal exponent beyond
`MAX_EXPONENT` either way), so that a few bytes can never hold a process for minutes.

>>> read("0.00014") + read("0.00056") + read("0.0003") == read("0.001")
True
>>> read("1_000")
Traceback (most recent call last):
...
policylang.semantics.decimals.DecimalError: not a decimal
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# Bounds on a decimal's size: far beyond any quantity of the law (nanometres to megatonnes), far
# below what makes exact arithmetic slow.
MAX_DIGITS = 60
MAX_EXPONENT = 60


class DecimalError(ValueError):
    """A value that is not a decimal of the contract: `reason` says how."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@functools.lru_cache(maxsize=65536)
def read(value: object) -> Fraction:
    """The exact value of a JSON number (a `Decimal`) or of a string holding one (remembered:
    an order book repeats its numbers; a value that is no decimal raises each time)."""
    if isinstance(value, str):
        if len(value) > 4 * MAX_DIGITS or not JSON_NUMBER.fullmatch(value):
            raise DecimalError("not a decimal")
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise DecimalError("not a decimal") from None
    elif isinstance(value, Decimal) and not isinstance(value, bool):
        number = value
    else:
        raise DecimalError("not a decimal")
    return exact(number)


def exact(number: Decimal) -> Fraction:
    """A finite decimal within the bounds, as a fraction.

    >>> exact(Decimal("1e999999999"))
    Traceback (most recent call last):
    ...
    policylang.semantics.decimals.DecimalError: too large or too precise
    """
    if not number.is_finite():
        raise DecimalError("not a decimal")
    digits = len(number.as_tuple().digits)
    if number and (digits > MAX_DIGITS or abs(number.adjusted()) > MAX_EXPONENT
                   or abs(number.as_tuple().exponent) > MAX_EXPONENT + MAX_DIGITS):
        raise DecimalError("too large or too precise")
    return Fraction(number)
