"""Decimals as the contract writes them (§2): JSON numbers, or strings holding one.

Takes: a JSON value read with `parse_float=Decimal, parse_int=Decimal`, or a string.
Returns: the exact `Fraction` it stands for, or a `DecimalError` saying why it is not one.
Guarantees: one grammar for every decimal a case gives, the JSON number grammar
(`-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?`): Python-only spellings (`1_000`, `+1`, `.5`,
` 1 `, `Infinity`, `NaN`) are rejected ("not a decimal"); so is a number too large or too precise
to compute with in bounded time ("too large or too precise": more than the `decimal_digits`
limit of significant digits, or a decimal exponent beyond `decimal_exponent` either way, see
`policylang.limits`), so that a few bytes can never hold a process for minutes. A string is
looked at only up to a length that can hold a number within the limits.

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

from policylang import limits

JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
NOT_A_DECIMAL = "not a decimal"
TOO_LARGE = "too large or too precise"


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
        if not JSON_NUMBER.fullmatch(value):
            raise DecimalError(NOT_A_DECIMAL)
        if len(value) > longest():
            raise DecimalError(TOO_LARGE)
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise DecimalError(NOT_A_DECIMAL) from None
    elif isinstance(value, Decimal) and not isinstance(value, bool):
        number = value
    else:
        raise DecimalError(NOT_A_DECIMAL)
    return exact(number)


def longest() -> int:
    """The length of the longest text that can hold a decimal within the limits: its digits,
    the leading zeros of a small one, a sign, a point and an exponent."""
    bounds = limits.current()
    return 2 * bounds.decimal_digits + bounds.decimal_exponent + 16


def exact(number: Decimal) -> Fraction:
    """A finite decimal within the bounds, as a fraction.

    >>> exact(Decimal("1e999999999"))
    Traceback (most recent call last):
    ...
    policylang.semantics.decimals.DecimalError: too large or too precise
    """
    if not number.is_finite():
        raise DecimalError(NOT_A_DECIMAL)
    bounds = limits.current()
    if number:
        sign, digits, exponent = number.as_tuple()
        if (len(digits) > bounds.decimal_digits or abs(number.adjusted()) > bounds.decimal_exponent
                or abs(exponent) > bounds.decimal_exponent + bounds.decimal_digits):
            raise DecimalError(TOO_LARGE)
    elif abs(number.as_tuple().exponent) > bounds.decimal_exponent + bounds.decimal_digits:
        raise DecimalError(TOO_LARGE)      # `0e-999999999` is zero, but no number of the contract
    return Fraction(number)


limits.on_change(read.cache_clear)
