"""Quantities with units, converted exactly.

Takes: a magnitude (a `Decimal`) and a unit symbol as people write it (`um`, `µm`, `μm`, `g/cm3`,
`g/cm³`, `℃`, `%`).
Returns: `Quantity` values that compare and add exactly across units of one dimension.
Guarantees: conversion is done on `fractions.Fraction`, never on floats, so `0.05 mm == 50 um`
exactly; a unit of another dimension, an unknown unit or a missing unit is a `UnitError`, never a
silent guess. Ratios (`%`, `ppm`, `‰`) are dimensionless and compare with plain decimals.

>>> parse_quantity("0.05 mm") == parse_quantity("50 um")
True
>>> parse_quantity("0.1 %").base == Fraction(1, 1000)
True
"""

from __future__ import annotations

import difflib
import functools
from decimal import Decimal
from fractions import Fraction

import attrs

from policylang import limits
from policylang.semantics import decimals

# The dimensions the contract names (§2), plus the hardness scale 55.IV uses.
DIMENSIONS = (
    "length", "mass", "volume", "force", "speed", "energy_density", "density",
    "specific_capacity", "power", "current", "current_density", "pressure", "frequency",
    "temperature", "temperature_difference", "time", "magnetic_flux_density", "ratio",
    "hardness_hrb", "area",
)


@attrs.frozen
class Unit:
    """A unit: its dimension, and how to reach the dimension's base unit (base = v * factor + offset)."""

    symbol: str
    dimension: str
    factor: Fraction
    offset: Fraction = Fraction(0)


def _units() -> dict[str, Unit]:
    F = Fraction
    table: list[tuple[str, str, Fraction, Fraction]] = []

    def add(dimension: str, factor, *symbols: str, offset=F(0)) -> None:
        for s in symbols:
            table.append((s, dimension, F(factor), F(offset)))

    # length, base metre
    add("length", F(1, 10**9), "nm")
    add("length", F(1, 10**6), "um", "µm", "μm", "micron")
    add("length", F(1, 1000), "mm")
    add("length", F(1, 100), "cm")
    add("length", 1, "m")
    add("length", 1000, "km")
    # area, base square metre
    add("area", F(1, 10**4), "cm2", "cm²")
    add("area", 1, "m2", "m²")
    # mass, base kilogram
    add("mass", F(1, 10**6), "mg")
    add("mass", F(1, 1000), "g")
    add("mass", 1, "kg")
    add("mass", 1000, "t")
    # volume, base cubic metre
    add("volume", F(1, 10**6), "mL", "ml", "cm3", "cm³")
    add("volume", F(1, 1000), "L", "l", "dm3", "dm³")
    add("volume", 1, "m3", "m³")
    # force, base newton
    add("force", 1, "N")
    add("force", 1000, "kN")
    # speed, base metre per second
    add("speed", 1, "m/s")
    add("speed", F(1000, 3600), "km/h")
    # energy density (gravimetric), base joule per kilogram
    add("energy_density", 3600, "Wh/kg")
    add("energy_density", 1, "J/kg")
    add("energy_density", 1000, "kJ/kg")
    # density, base kilogram per cubic metre
    add("density", 1000, "g/cm3", "g/cm³", "g/mL", "g/ml")
    add("density", 1, "kg/m3", "kg/m³")
    # specific capacity, base coulomb per kilogram (1 mAh = 3.6 C)
    add("specific_capacity", 3600, "mAh/g")
    add("specific_capacity", F(36, 10), "mAh/kg")
    add("specific_capacity", 1, "C/kg")
    add("specific_capacity", 3600000, "Ah/g")
    # power, base watt
    add("power", 1, "W")
    add("power", 1000, "kW")
    add("power", 10**6, "MW")
    # current, base ampere
    add("current", F(1, 1000), "mA")
    add("current", 1, "A")
    add("current", 1000, "kA")
    # current density, base ampere per square metre
    add("current_density", 10**4, "A/cm2", "A/cm²")
    add("current_density", 1, "A/m2", "A/m²")
    # pressure, base pascal
    add("pressure", 1, "Pa")
    add("pressure", 1000, "kPa")
    add("pressure", 10**6, "MPa", "Mpa")
    add("pressure", 10**9, "GPa")
    add("pressure", 10**5, "bar")
    # frequency, base hertz
    add("frequency", 1, "Hz")
    add("frequency", 1000, "kHz")
    add("frequency", 10**6, "MHz")
    add("frequency", 10**9, "GHz")
    # temperature, base kelvin; a temperature converts with its offset (1000 ℃ = 1273.15 K)
    add("temperature", 1, "K")
    add("temperature", 1, "℃", "°C", "degC", offset=F(27315, 100))
    # temperature difference (a spread, a uniformity, a tolerance), base kelvin: no offset, so
    # 1 ΔK = 1 Δ℃ (contract §2). A case may write a difference in the temperature units; a policy
    # writes it with Δ, so that `3 Δ℃` can never be read as the temperature 3 ℃.
    add("temperature_difference", 1, "ΔK", "Δ℃", "Δ°C", "ΔdegC")
    # time, base second
    add("time", 1, "s")
    add("time", 60, "min")
    add("time", 3600, "h")
    add("time", 86400, "d")
    # magnetic flux density, base tesla
    add("magnetic_flux_density", 1, "T")
    add("magnetic_flux_density", F(1, 1000), "mT")
    add("magnetic_flux_density", F(1, 10**4), "Gs", "G")
    # ratio, base 1
    add("ratio", F(1, 100), "%")
    add("ratio", F(1, 1000), "‰")
    add("ratio", F(1, 10**6), "ppm")
    # Rockwell B hardness: a scale of its own, convertible to nothing else
    add("hardness_hrb", 1, "HRB")
    return {s: Unit(s, d, f, o) for s, d, f, o in table}


UNITS: dict[str, Unit] = _units()
# The unit each dimension converts to (factor 1, no offset): the first such unit in the table.
BASE_UNITS: dict[str, Unit] = {}
for _unit in UNITS.values():
    if _unit.factor == 1 and _unit.offset == 0:
        BASE_UNITS.setdefault(_unit.dimension, _unit)
BASE_UNITS["ratio"] = Unit("", "ratio", Fraction(1))  # a plain fraction


# A temperature unit where a difference is expected reads as that difference: "4 K" is a spread
# of 4 ΔK, "3 ℃" (or "±3 ℃") one of 3 Δ℃.
_DIFFERENCE_OF = {"K": "ΔK", "℃": "Δ℃", "°C": "Δ°C", "degC": "ΔdegC"}


class UnitError(ValueError):
    """A quantity that cannot be read: `kind` is `unknown_unit`, `missing_unit`, `bad_number`,
    `too_large` (a number beyond the limits of `decimals`) or `out_of_range`."""

    def __init__(self, kind: str, text: str):
        super().__init__(f"{kind}: {text}")
        self.kind = kind
        self.text = text


def lookup(symbol: str) -> Unit | None:
    """The unit for a symbol, or None."""
    return UNITS.get(symbol.strip())


def suggest(symbol: str) -> list[str]:
    """Known unit symbols close to an unknown one, best first."""
    return difflib.get_close_matches(symbol, list(UNITS), n=3, cutoff=0.5)


@attrs.frozen(eq=False)
class Quantity:
    """A magnitude in a unit. Equality and order compare the exact value in the base unit, `base`
    (computed once, when the quantity is made)."""

    magnitude: Decimal | Fraction
    unit: Unit
    base: Fraction = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "base", Fraction(self.magnitude) * self.unit.factor + self.unit.offset)

    @property
    def dimension(self) -> str:
        return self.unit.dimension

    def _key(self, other: object) -> tuple[Fraction, Fraction]:
        if isinstance(other, Quantity) and other.dimension == self.dimension:
            return self.base, other.base
        if isinstance(other, (Decimal, int, Fraction)) and self.dimension == "ratio":
            return self.base, Fraction(other)
        raise TypeError(f"cannot compare {self.dimension} with {other!r}")

    def __eq__(self, other: object) -> bool:
        try:
            a, b = self._key(other)
        except TypeError:
            return NotImplemented
        return a == b

    def __hash__(self) -> int:
        return hash((self.dimension, self.base))

    def __lt__(self, other: object) -> bool:
        a, b = self._key(other)
        return a < b

    def __le__(self, other: object) -> bool:
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: object) -> bool:
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: object) -> bool:
        a, b = self._key(other)
        return a >= b

    def __str__(self) -> str:
        sep = "" if self.unit.symbol in ("%", "‰") else " "
        return f"{self.magnitude}{sep}{self.unit.symbol}"


_NUMBER_GOES_ON = frozenset("0123456789.eE_")
MAX_SYMBOL = 64        # characters of a unit symbol and the blanks around it


def make(magnitude: Decimal, symbol: str, expected: str | None = None) -> Quantity:
    """A quantity from a magnitude and a unit symbol; `UnitError` for an unknown unit. Where a
    temperature difference is `expected`, a temperature unit is read as a difference.

    >>> make(Decimal(4), "K", "temperature_difference") > make(Decimal(3), "℃", "temperature_difference")
    True
    """
    unit = lookup(symbol)
    if unit is None:
        raise UnitError("unknown_unit", symbol)
    if expected == "temperature_difference" and unit.dimension == "temperature":
        unit = UNITS[_DIFFERENCE_OF[unit.symbol]]
    return Quantity(magnitude, unit)


def parse_quantity(text: str, expected: str | None = None) -> Quantity:
    """Read `"50 um"`, `"0.05mm"`, `"99 %"` (and `"±3 ℃"` where a difference is `expected`);
    `UnitError` when it cannot. The number is a JSON number within the bounds of `decimals`.

    >>> parse_quantity("  1e-3 Pa ").base == Fraction(1, 1000)
    True
    """
    if len(text) > decimals.longest() + MAX_SYMBOL:
        raise UnitError("bad_number", text[:40] + "…")
    body = text.strip()
    if expected == "temperature_difference" and body.startswith("±"):
        body = body[1:].lstrip()
    match = decimals.JSON_NUMBER.match(body)
    if not match or body[match.end():match.end() + 1] in _NUMBER_GOES_ON:
        raise UnitError("bad_number", text)      # `007 mm`, `1.5.2 mm`: not a JSON number
    try:
        magnitude = Decimal(match.group())
        decimals.exact(magnitude)
    except decimals.DecimalError as exc:
        raise UnitError("too_large" if exc.reason == decimals.TOO_LARGE else "bad_number", text) from None
    symbol = body[match.end():].strip()
    if not symbol:
        raise UnitError("missing_unit", text)
    return make(magnitude, symbol, expected)


@functools.lru_cache(maxsize=65536)
def parse_quantity_cached(text: str, expected: str | None = None) -> Quantity:
    """`parse_quantity`, remembered: an order book says "50 um" many times (quantities are
    immutable; a text that cannot be read raises each time)."""
    return parse_quantity(text, expected)


limits.on_change(parse_quantity_cached.cache_clear)


def physical_range(q: Quantity) -> str | None:
    """Why a quantity a case gives cannot be, or None: every magnitude is at least zero, a
    temperature at least absolute zero, a ratio (a share, a purity, a rate) at most 1.

    >>> physical_range(parse_quantity("-5 um")), physical_range(parse_quantity("99.95 %"))
    ('it cannot be negative', None)
    """
    if q.dimension == "temperature":
        return "it cannot be below absolute zero (0 K, -273.15 ℃)" if q.base < 0 else None
    if q.base < 0:
        return "it cannot be negative"
    if q.dimension == "ratio" and q.base > 1:
        return "a ratio lies in [0, 1]: write `99.95 %` or `0.9995`"
    return None


def from_base(value: Fraction, dimension: str) -> Quantity:
    """A quantity of `value` in the dimension's base unit (for results of arithmetic)."""
    return Quantity(value, BASE_UNITS[dimension])
