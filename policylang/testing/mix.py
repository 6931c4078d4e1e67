"""A realistic, seeded mix of valid cases for a library: for benchmarks and agreement tests.

Takes: a number of cases `n`, a seed, and optionally a checked `Program` (by default the shipped
library, loaded once and cached).
Returns: `realistic_cases(n, seed)`, an iterator of `n` cases in the contract's JSON format (v2
§1-§3): plain dicts of str, int, float, bool, list and dict, each with an `id` (`mix-000001`,
`mix-000002`, …). `invalid_cases(n, seed)` gives as many cases that are each invalid in one
deliberate way (ids `bad-000001`, …), for benchmarks that include errors. `raw_case(case)` is the
`RawCase` the interpreter reads for a case (numbers as decimals, as `policylang eval` reads JSON).
Guarantees: the same seed and library give the same cases in any process (one `random.Random`,
nothing iterated in hash order, no I/O); every case of `realistic_cases` is valid, decided
without an `error` outcome: shares and ratios in [0, 1], values and quantities at least zero,
components by value only in an item with a value, China-origin Part 1 content at most the whole,
never both `part1_value_ratio` and `contains`, dates `YYYY-MM-DD`. A float is written only where
its shortest `repr` is the decimal meant (`0.9995`), so a JSON number reads back as exactly it.
Every case of `invalid_cases` gets an `error` decision.

What the mix takes from the library: the codes of `controls` scopes (and sub-items beneath them,
`1C904.a.4`), drawn family by family (`2B902`, `1C905`, …) so no family crowds out the others;
the categories of `classify` declarations with every bound their conditions set on a parameter;
the day before, of and after every date on which a clause's status changes; the names of its
`entities` lists (exactly, in other legal forms, and near misses such as `Recorded Futures Inc`);
No. 61 Annex 1 Parts 1 and 2 (`annex1_part1`, `annex1_part2`) and the rare-earth activities for
components and technologies. What it adds: codes outside the library (`2B104`, `5A002.a`), country
weights, company names, end uses and values.

An order book, line by line (`LINES`; weights in % of cases):
- export 40: a Chinese company exports goods from China: 55 % by a code of the library, 12 % by a
  code outside it, 18 % by category and parameters, 15 % by description only; mostly civil or no
  end use, 5 % a rare-earth activity (half of them known to the exporter); 2 % military importers.
- overseas 18: an overseas company re-exports (65 %) or transfers (35 %, a third of them within
  one country) a rare-earth item: China-origin Annex 1 items (45 %), items made abroad with
  China-origin Part 1 content (30 %, by `contains` or `part1_value_ratio`, never both) or with
  Chinese technology (13 %); military, WMD, chip, AI and humanitarian end uses; military, listed
  and listed-owned importers (owner chains of one or two links, shares 0.3 to 1).
- technology 8: technology, software or a service exported, provided (in China or abroad) or
  disclosed: E codes of the library (60 %), E codes outside it, or none (the No. 62 catch-all,
  with rare-earth end uses known to the exporter); public-domain, basic-research, patent flags.
- service 5: a Chinese firm's freight, brokerage, finance … for an export or technology line.
- assistance 3: a Chinese person or company assists a rare-earth plant, mostly abroad.
- listed 12: an importer or end user listed by name (45 %, in several legal forms), a near miss
  of a listed name (35 %: `Recorded Futures Inc`, `MP Material Inc`, `TechInsight Inc`), or
  listed by `lists` (20 %); exports, re-exports, transfers, provisions, transactions, disclosures.
- military 7: to US, Japanese or other military users, uses or uses raising military capability.
- investment 7: new investment in China by listed, near-miss or unrelated foreign companies, and
  transactions with listed or unrelated parties.
Dates: 30 % the day before, of or after a date on which a clause's status changes, 70 % uniform
over 2023-2027. Parameters of an item given by category: 30 % meet every bound, 45 % meet all
but one that lies exactly on a bound or just either side of it, 20 % clearly miss one or more, 5 %
leave one out; each in a unit drawn from every unit of its dimension (`50 um`, `0.05mm`,
`{"value": 50, "unit": "µm"}`; `1.5 T`, `15000 Gs`; `±3 ℃`, `3 K`; `99.95 %`, `0.9995`,
`"0.9995"`). Decimals are JSON numbers or strings (`"12500.50"`), about 60:40.
Outcomes of the first 10,000 cases of the default seed with the shipped library: 78.9 %
not_controlled, 14.1 % license_required, 5.2 % prohibited, 1.0 % denied_in_principle, 0.4 %
report_only, 0.3 % case_by_case; 2.8 % carry screening near matches, 20 % warnings. About 70,000
cases a second. Most of the library's entries came into force only in 2025
(Nos. 18, 55-58, 61, 62), and those of October 2025 were suspended from 7 Nov 2025 through
10 Nov 2026: over uniform dates most lines are not controlled.

>>> cases = list(realistic_cases(2, seed=7))
>>> [c["id"] for c in cases], cases == list(realistic_cases(2, seed=7))
(['mix-000001', 'mix-000002'], True)
"""

from __future__ import annotations

import copy
import datetime
import json
import random
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Iterator

import attrs

from policylang import ast
from policylang.eval.cases import RawCase
from policylang.library import load_shipped
from policylang.program import Program
from policylang.semantics import units
from policylang.semantics.screening import normalise
from policylang.semantics.validity import lives

# ---------------------------------------------------------------- what the mix adds to the library

# Valid-looking dual-use codes that no clause of the shipped library names (a code within a
# library scope is dropped from this list when the facts are built).
OUTSIDE_CODES = (
    "2B104", "5A002.a", "1C117.d", "3A090.a", "4A003.b", "5D002.c.1", "6A003.b.4", "9A012.a",
    "1C010.b", "2B001.b.2", "3B001.c", "1A004.c", "0A501.a", "3A001.a.1", "7A003", "1C011.a",
    "2B350.d", "5E002.a", "9E003.a.1", "3E001", "1E001", "6E002",
)
ANY_COUNTRY = (("US", 14), ("JP", 8), ("DE", 8), ("KR", 8), ("HK", 6), ("MY", 5), ("RU", 5),
               ("VN", 5), ("TW", 4), ("IN", 4), ("SG", 4), ("NL", 3), ("FR", 3), ("GB", 3),
               ("TH", 3), ("MX", 2), ("BR", 2), ("ID", 2), ("AU", 2), ("CA", 2), ("IT", 2),
               ("MO", 1), ("TR", 1), ("AE", 1), ("PL", 1), ("CN", 2))
OVERSEAS_HOLDERS = ("DE", "DE", "JP", "JP", "KR", "US", "US", "MY", "VN", "FR", "GB", "NL", "SG", "TH", "IN", "MX")
PLACES = {
    "CN": ("Baotou", "Ganzhou", "Ningbo", "Shenzhen", "Xiamen", "Changsha", "Zibo", "Hefei", "Suzhou", "Chengdu"),
    "US": ("Lakeside", "Granite", "Bayview", "Redwood", "Harbor", "Prairie"),
    "JP": ("Osaka", "Nagoya", "Sendai", "Kobe", "Hamamatsu"),
    "DE": ("Rheinland", "Hanse", "Schwaben", "Bayerische", "Ruhr"),
    "KR": ("Daejeon", "Busan", "Incheon", "Hanbit"),
    "": ("Meridian", "Aurora", "Kestrel", "Corvina", "Tamarind", "Halcyon"),
}
TRADES = ("Magnet Works", "Materials", "Trading", "Precision Machinery", "Electronics", "Metals",
          "Battery", "Tooling", "Optics", "Logistics", "Ceramics", "Motors")
LEGAL_FORMS = {"CN": ("Co., Ltd.", "Group Co., Ltd."), "US": ("Inc.", "LLC", "Corp."), "JP": ("K.K.", "Co., Ltd."),
               "DE": ("GmbH", "AG"), "KR": ("Co., Ltd.", "Corp."), "": ("Ltd.", "Pte. Ltd.", "S.A.", "B.V.", "Sdn Bhd")}
PEOPLE = ("Li Wei", "Zhang Min", "Wang Fang", "Chen Jie", "Liu Yang", "Zhao Lei")
DESCRIPTIONS = ("neodymium magnets", "CNC machine spare parts", "laptop computers", "textile machinery",
                "gallium arsenide wafers", "industrial valves", "solar inverters", "sintered ferrite cores",
                "polishing slurry", "lab furnaces", "cable assemblies", "process consulting")
HS_CODES = ("8505111000", "8471300000", "8445190000", "8481804090", "8504403090", "7105102000", "3801100030")
ITEM_VALUES = ("1000", "25000", "480", "12500.50", "99999.99", "3200000", "7350.25", "150")
SHARES = ("0.00014", "0.00056", "0.0003", "0.0005", "0.000999", "0.001", "0.001001", "0.002",
          "0.01", "0.05", "0.12", "0.3")
OWNER_SHARES = (0.3, 0.49, 0.5, "0.5", 0.51, 1, "1")
RARE_EARTH_SETS = ("medium_heavy_rare_earth_items", "no57_rare_earth_items")   # `def`s of stdlib/controls.ecp
LEGAL_SUFFIXES = (", Inc.", " Inc.", ", LLC", " LLC", " Limited", " KK", " Co. Ltd.", " Sp z o.o.", " GmbH")
LINES = (("export", 40), ("overseas", 18), ("technology", 8), ("service", 5), ("assistance", 3),
         ("listed", 12), ("military", 7), ("investment", 7))
FIRST_DAY, LAST_DAY = datetime.date(2023, 1, 1).toordinal(), datetime.date(2027, 12, 31).toordinal()
OMIT = object()   # a parameter value meaning: leave the parameter out


def _weighted(pairs) -> tuple:
    """A pool in which each value appears as often as its weight, for `random.choice`."""
    return tuple(v for v, w in pairs for _ in range(w))


# ---------------------------------------------------------------- numbers and quantities

def decimal_text(x: Fraction) -> str | None:
    """`x` as a plain decimal (`0.05`, `15000`), or None when it has no finite decimal expansion.

    >>> decimal_text(Fraction(1, 20)), decimal_text(Fraction(1, 3))
    ('0.05', None)
    """
    d, twos, fives = x.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return None
    places = max(twos, fives)
    scaled = x.numerator * 10 ** places // x.denominator
    digits = str(abs(scaled)).rjust(places + 1, "0")
    text = (digits[:-places] + "." + digits[-places:]).rstrip("0").rstrip(".") if places else digits
    return ("-" if scaled < 0 else "") + text


def json_number(text: str) -> int | float | str:
    """A decimal as a JSON number when Python writes it back exactly (`0.9995`), else the text."""
    if "." not in text:
        return int(text) if len(text) <= 15 else text
    f = float(text)
    return f if Decimal(repr(f)) == Decimal(text) else text


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _case_units(dimension: str) -> list[tuple[str, Fraction, Fraction]]:
    """The units a case may write a quantity of this dimension in: (symbol, factor, offset)."""
    found = [(u.symbol, u.factor, u.offset) for u in units.UNITS.values() if u.dimension == dimension]
    if dimension == "temperature_difference":      # a spread may be written `3 K` or `±3 ℃`
        found += [(s, Fraction(1), Fraction(0)) for s in ("K", "℃", "°C", "±℃")]
    return found


def _renderings(base: Fraction, dimension: str, literal_unit: str) -> list:
    """Every way a case may write this value: strings, `{"value", "unit"}` objects, plain ratios."""
    out: list = []
    for symbol, factor, offset in _case_units(dimension):
        text = decimal_text((base - offset) / factor)
        if text is None:
            continue
        magnitude = abs(Fraction(text))
        if symbol != literal_unit and magnitude and not Fraction(1, 10**4) <= magnitude < 10**8:
            continue
        weight = 3 if symbol == literal_unit else 1
        if symbol.startswith("±"):
            out += [f"±{text} {symbol[1:]}"] * weight
            continue
        out += [f"{text} {symbol}"] * 4 * weight + [f"{text}{symbol}"] * weight
        out += [{"value": json_number(text), "unit": symbol}, {"value": text, "unit": symbol}]
    if dimension == "ratio":
        text = decimal_text(base)
        out += [json_number(text)] * 3 + [text] * 3
    return out


def _step(v: Fraction) -> Fraction:
    """A small step beside a bound, in the bound's own unit: a thousandth of its order of magnitude
    (`50` -> `0.01`, `0.001` -> `0.000001`; `0` -> `0.001`)."""
    if v == 0:
        return Fraction(1, 1000)
    a, exponent = abs(v), 0
    while a >= 10:
        a, exponent = a / 10, exponent + 1
    while a < 1:
        a, exponent = a * 10, exponent - 1
    return Fraction(10) ** (exponent - 3)


def _holds(op: str, a: Fraction, b: Fraction) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[op]


# ---------------------------------------------------------------- what the library offers

@attrs.frozen
class ParameterValues:
    """The values a category item's parameter may take, by how they lie against the library's bounds."""
    name: str
    inside: tuple        # each entry: the alternative ways to write one value that meets every bound
    boundary: tuple      # on a bound, or just either side of it
    outside: tuple       # clearly missing a bound


@attrs.frozen
class CategorySpec:
    """A category of contract §3 and the parameters its `classify` conditions test."""
    category: str
    code: str | None
    parameters: tuple[ParameterValues, ...]


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _parameter(expr) -> str | None:
    """`X` for the path `item.parameters.X`, else None."""
    if (isinstance(expr, ast.Attribute) and isinstance(expr.obj, ast.Attribute)
            and expr.obj.name == "parameters" and isinstance(expr.obj.obj, ast.Name) and expr.obj.obj.name == "item"):
        return expr.name
    return None


def _tests(condition) -> list[tuple[str, str, object]]:
    """The tests a `classify` condition sets on parameters: (parameter, op, literal or `given`)."""
    match condition:
        case ast.And(left=left, right=right):
            return _tests(left) + _tests(right)
        case ast.Compare(op=op, left=left, right=right) if _parameter(left):
            return [(_parameter(left), op, right)]
        case ast.Compare(op=op, left=left, right=right) if _parameter(right):
            return [(_parameter(right), _FLIP[op], left)]
        case ast.Given(expr=expr, negated=False) if _parameter(expr):
            return [(_parameter(expr), "given", None)]
    return []


def _quantity_values(name: str, bounds: list[tuple[str, units.Quantity]]) -> ParameterValues:
    dimension, literal_unit = bounds[0][1].dimension, bounds[0][1].unit.symbol
    near, scaled = set(), set()
    for _, q in bounds:
        v, unit = Fraction(q.magnitude), q.unit
        near |= {(m * unit.factor + unit.offset) for m in (v - _step(v), v, v + _step(v))}
        scaled |= {(v * k * unit.factor + unit.offset)
                   for k in (Fraction(1, 10), Fraction(1, 2), Fraction(3, 4), Fraction(9, 10), Fraction(6, 5),
                             Fraction(3, 2), Fraction(2), Fraction(3))}
    bases = [q.base for _, q in bounds]
    scaled |= {(a + b) / 2 for a in bases for b in bases if a < b}
    if dimension == "ratio":          # a ratio's room above a bound ends at 1: `99.9 %` -> `99.95 %`
        scaled |= {(b + 1) / 2 for b in bases} | {(3 * b + 1) / 4 for b in bases}

    def physical(x: Fraction) -> bool:
        return x >= 0 and (dimension != "ratio" or x <= 1)

    def meets(x: Fraction) -> bool:
        return all(_holds(op, x, q.base) for op, q in bounds)

    def pool(values) -> tuple:
        return tuple(tuple(r) for r in (_renderings(x, dimension, literal_unit) for x in sorted(values)) if r)
    near, scaled = {x for x in near if physical(x)}, {x for x in scaled if physical(x)}
    return ParameterValues(name, pool(x for x in scaled if meets(x)), pool(near),
                           pool(x for x in scaled if not meets(x)))


def _category_spec(program: Program, category: str, code: str | None, condition) -> CategorySpec:
    by_name: dict[str, list] = {}
    for name, op, literal in _tests(condition):
        by_name.setdefault(name, []).append((op, literal))
    params = []
    for name, tests in by_name.items():
        quantities = [(op, units.make(lit.value, lit.unit)) for op, lit in tests if isinstance(lit, ast.QuantityLit)]
        if quantities:
            params.append(_quantity_values(name, quantities))
        elif any(isinstance(lit, ast.BoolLit) for _, lit in tests):
            want = next(lit.value for _, lit in tests if isinstance(lit, ast.BoolLit))
            params.append(ParameterValues(name, ((want,),), ((want,), (not want,)), ((not want,),)))
        elif any(op == "given" for op, _ in tests):
            field = program.field("Parameters", name)
            members = tuple(m.name for m in program.enums[field.type.name].members) if field else ()
            params.append(ParameterValues(name, (members,), (members, (OMIT,)), ((OMIT,),)))
    return CategorySpec(category, code, tuple(params))


def _code_set(program: Program, name: str) -> tuple[str, ...]:
    """The codes of a `def name: set of code = {…}` of the library, or none."""
    found = program.definitions.get(name)
    if not found or not isinstance(found[0].body, ast.SetLit):
        return ()
    return tuple(x.value for x in found[0].body.items if isinstance(x, ast.CodeLit))


def _sub_items(code: str) -> list[str]:
    """Codes beneath an entry as the list numbers them: `.a`, `.b`, `.c` and `.a.1`-`.a.4` under
    a heading, `.1`-`.4` under an `.a` item (metals, alloys, targets, magnets)."""
    if "." not in code:
        return [code + s for s in (".a", ".b", ".c", ".a.1", ".a.2", ".a.3", ".a.4")]
    return [code + s for s in (".1", ".2", ".3", ".4")] if code.count(".") == 1 and code.endswith(".a") else []


@attrs.frozen
class LibraryFacts:
    """What a library gives the mix: codes, categories, dates, listed names, Annex 1 parts."""
    families: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]   # (scopes, sub-items) per code family
    technology_codes: tuple[str, ...]
    outside_codes: tuple[str, ...]
    categories: tuple[CategorySpec, ...]
    days: tuple[str, ...]
    listed: tuple[tuple[str, str], ...]          # (list, a name that is listed on it exactly)
    near_misses: tuple[str, ...]
    part1: tuple[str, ...]
    part2: tuple[str, ...]
    rare_earth_codes: tuple[str, ...]
    rare_earth_activities: tuple[str, ...]
    service_kinds: tuple[str, ...]


def _within_any(code: str, scopes: list[tuple[str, bool]]) -> bool:
    return any(code == s or (not exact and code.startswith(s + ".")) for s, exact in scopes)


def _exact_variants(name: str) -> list[str]:
    """The name as cases write it, in other cases and legal forms, kept only where screening still
    reads it as the entry (`MP Materials Corp.`, `USA RARE EARTH`)."""
    base = next((name[: -len(s)] for s in LEGAL_SUFFIXES if name.endswith(s)), name)
    return [v for v in (name, base, base + " Inc.", base + ", LLC", base.upper(), base + " Corp.")
            if normalise(v) == normalise(name)]


def _near_variants(name: str) -> list[str]:
    """Close to a listed name but not it: the last word's final `s` toggled, a letter dropped, a word added."""
    base = next((name[: -len(s)] for s in LEGAL_SUFFIXES if name.endswith(s)), name).rstrip(",")
    words = base.split()
    last = words[-1][:-1] if words[-1].endswith("s") else words[-1] + "s"
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[longest]
    dropped = words[:longest] + [w[: len(w) // 2] + w[len(w) // 2 + 1:]] + words[longest + 1:]
    return [" ".join(words[:-1] + [last]) + " Inc", " ".join(dropped), base + " Holdings"]


def library_facts(program: Program) -> LibraryFacts:
    """What the mix draws from a program, computed once per program."""
    scopes = [(s.value, s.exact) for c in program.clauses.values() for s in c.controls]
    families: dict[str, tuple[list, list]] = {}
    for value, exact in sorted(set(scopes)):
        fam = families.setdefault(value[:5], ([], []))
        fam[0].append(value)
        if not exact:
            fam[1].extend(x for x in _sub_items(value) if (x, False) not in scopes and (x, True) not in scopes)
    specs = [_category_spec(program, k.category, k.code, k.condition)
             for c in program.clauses.values() for k in c.classifications]
    classified = {s.category for s in specs}
    specs += [CategorySpec(m.name, None, ()) for m in program.enums.get("Category", ast.EnumDecl("", ())).members
              if m.name not in classified]
    days = sorted({d + datetime.timedelta(days=k) for life in lives(program).values()
                   for d in life.changes() for k in (-1, 0, 1) if d.year > 1900})
    entries = [(lst.name, e.name) for lst in program.entity_lists.values() for e in lst.entries]
    normals = {normalise(n) for _, n in entries}
    near = sorted({v for _, n in entries for v in _near_variants(n) if normalise(v) not in normals})
    activities = program.definitions.get("rare_earth_activity")
    rare_earths = [(c, False) for name in RARE_EARTH_SETS for c in _code_set(program, name)]
    re_codes = tuple(c for a, b in families.values() for c in a + b if _within_any(c, rare_earths))
    return LibraryFacts(
        families=tuple((tuple(a), tuple(b)) for _, (a, b) in sorted(families.items())),
        technology_codes=tuple(sorted({c for c, _ in scopes if c[1] == "E"})),
        outside_codes=tuple(c for c in OUTSIDE_CODES if not _within_any(c, scopes)),
        categories=tuple(specs),
        days=tuple(d.isoformat() for d in days),
        listed=tuple(dict.fromkeys((lst, v) for lst, n in entries for v in _exact_variants(n))),
        near_misses=tuple(near),
        part1=_code_set(program, "annex1_part1"),
        part2=_code_set(program, "annex1_part2"),
        rare_earth_codes=re_codes,
        rare_earth_activities=tuple(x.name for x in activities[0].body.items) if activities else (),
        service_kinds=tuple(m.name for m in program.enums["ServiceKind"].members) if "ServiceKind" in program.enums else (),
    )


_FACTS: dict[int, tuple[Program, LibraryFacts]] = {}


def facts_of(program: Program | None = None) -> LibraryFacts:
    """The facts of a program (the shipped library when None), built once and kept."""
    if program is None:
        program = shipped_program()
    if id(program) not in _FACTS:
        _FACTS[id(program)] = (program, library_facts(program))   # the program kept alive with its id
    return _FACTS[id(program)][1]


_SHIPPED: list[Program] = []


def shipped_program() -> Program:
    """The shipped library, loaded once."""
    if not _SHIPPED:
        program, diags = load_shipped()
        if program is None:
            raise ValueError("; ".join(f"{d.code} {d.message}" for d in diags if d.is_error))
        _SHIPPED.append(program)
    return _SHIPPED[0]


# ---------------------------------------------------------------- the order book

ANY_DESTINATION = _weighted(ANY_COUNTRY)
FOREIGN = tuple(c for c in ANY_DESTINATION if c != "CN")
EXPORT_USES = _weighted((("civil", 45), ("none", 30), ("rare_earth", 5), ("humanitarian", 3), ("chip", 3),
                         ("military_potential", 2), ("military", 2), ("basic_research", 2), ("mixed", 8)))
OVERSEAS_USES = _weighted((("civil", 20), ("none", 8), ("military", 7), ("military_potential", 4), ("wmd", 3),
                           ("terrorism", 1), ("chip", 12), ("memory", 7), ("equipment", 7), ("ai_military", 4),
                           ("humanitarian", 16), ("rare_earth", 5), ("mixed", 8)))
TECHNOLOGY_USES = _weighted((("rare_earth", 40), ("civil", 25), ("none", 20), ("basic_research", 5), ("mixed", 10)))
ASSISTANCE_USES = _weighted((("rare_earth", 14), ("civil", 3), ("military", 1), ("none", 2)))
TECHNOLOGY_KINDS = _weighted((("technology", 7), ("software", 2), ("service", 1)))
TECHNOLOGY_ACTS = _weighted((("export", 11), ("provide", 6), ("disclose", 3)))
LISTED_ACTS = _weighted((("export", 10), ("reexport", 4), ("transfer", 2), ("provide", 2), ("transact", 5), ("disclose", 2)))
MILITARY_ACTS = _weighted((("export", 13), ("reexport", 3), ("transfer", 2), ("provide", 2)))
MILITARY_DESTINATIONS = _weighted((("US", 9), ("JP", 7), ("KR", 1), ("IN", 1), ("RU", 1), ("DE", 1)))
SERVICE_FIRMS = ("Shenzhen Swift Logistics Co., Ltd.", "Xiamen Harbour Customs Brokers Co., Ltd.",
                 "Hangzhou Marketplace Co., Ltd.", "Shanghai Trade Finance Co., Ltd.")
KNOW_HOW = ("process know-how", "design drawings", "process consulting", "simulation data")


class OrderBook:
    """Draws the lines of an order book, one case a call, from one random stream."""

    def __init__(self, rng: random.Random, facts: LibraryFacts):
        self.rng, self.f = rng, facts
        self.lines: tuple[Callable[..., dict], ...] = _weighted((getattr(self, f"{n}_line"), w) for n, w in LINES)
        self.names = {c: tuple(f"{p} {t} {form}" for p in PLACES[c] for t in TRADES for form in LEGAL_FORMS[c])
                      for c in PLACES}
        self.outside_technology = tuple(c for c in facts.outside_codes if c[1] == "E") or facts.outside_codes

    def line(self) -> dict:
        return self.rng.choice(self.lines)()

    # ------------------------------------------------------------ small draws

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def date(self) -> str:
        if self.chance(0.3) and self.f.days:
            return self.pick(self.f.days)
        return datetime.date.fromordinal(self.rng.randint(FIRST_DAY, LAST_DAY)).isoformat()

    def number(self, text: str):
        return text if self.chance(0.4) else json_number(text)

    def company(self, country: str) -> str:
        return self.pick(self.names.get(country) or self.names[""])

    def party(self, country: str | None, name: str | None = None, **extra) -> dict:
        p = {"name": name or self.company(country or "")} if name or self.chance(0.96) else {}
        if country and (country != "CN" or self.chance(0.9)):
            p["country"] = country
        return {**p, **extra}

    def foreign(self) -> str:
        return self.pick(FOREIGN)

    def library_code(self) -> str:
        scopes, subs = self.pick(self.f.families)
        return self.pick(subs) if subs and self.chance(0.45) else self.pick(scopes)

    def outside_code(self) -> str:
        return self.pick(self.f.outside_codes)

    def end_uses(self, profile) -> list:
        kind, r = self.pick(profile), self.rng
        match kind:
            case "none":
                return []
            case "civil":
                return ["civil"] if self.chance(0.8) else [{"use": "civil"}]
            case "chip":
                return [{"use": "logic_chip", "node_nm": self.pick((3, 5, 7, "7", 14, "14", 16, 28, 65))}]
            case "memory":
                return [{"use": "memory_chip", "layers": self.pick((128, 176, 232, 255, 256, "256", 300))}]
            case "equipment":
                key, values = r.choice((("node_nm", (5, 14, 22, 28)), ("layers", (200, 256, 300))))
                return [{"use": "semiconductor_equipment", key: r.choice(values)}]
            case "humanitarian":
                return [self.pick(("emergency_medical", "public_health_emergency", "disaster_relief"))]
            case "rare_earth":
                return [self.pick(self.f.rare_earth_activities)] if self.f.rare_earth_activities else []
            case "mixed":
                return ["civil", self.pick(("basic_research", "military_potential", "disaster_relief", "ai_military"))]
        return [kind]

    # ------------------------------------------------------------ parties

    def listed_party(self, country: str | None = None) -> dict:
        """A party listed by its name (45 %), a near miss of a listed name (35 %), or by `lists` (20 %)."""
        r = self.rng.random()
        if r < 0.45 and self.f.listed:
            lst, name = self.pick(self.f.listed)
            return self.party(country or _country_of(name), name)
        if r < 0.80 and self.f.near_misses:
            name = self.pick(self.f.near_misses)
            return self.party(country or _country_of(name), name)
        lists = self.pick((["control_list"], ["watch_list"], ["unreliable_entity_list"], ["control_list", "watch_list"]))
        return self.party(country or "US", lists=lists)

    def owned_party(self, country: str) -> dict:
        """A party controlled through a chain of one or two links by a listed parent."""
        parent = (self.party("US", lists=[self.pick(("control_list", "watch_list"))]) if self.chance(0.6)
                  else self.listed_party("US"))
        if self.chance(0.3):
            parent = self.party(self.foreign(), owners=[{"party": parent, "share": self.pick(OWNER_SHARES)}])
        owners = [{"party": parent, "share": self.pick(OWNER_SHARES)}]
        if self.chance(0.15):
            owners.append({"party": self.party(self.foreign()), "share": 0.3})
        return self.party(country, owners=owners)

    def counterparty(self, country: str, military=0.0, listed=0.0, owned=0.0) -> dict:
        r = self.rng.random()
        if r < military:
            return self.party(country if self.chance(0.9) else None, military=True)
        if r < military + listed:
            return self.listed_party(country)
        if r < military + listed + owned:
            return self.owned_party(country)
        return self.party(country)

    def chinese_exporter(self) -> dict:
        r = self.rng.random()
        if r < 0.90:
            return self.party("CN", **({"in_china": True} if self.chance(0.1) else {}))
        if r < 0.95:                          # a foreign company's plant in China
            return self.party(self.pick(("DE", "JP", "US", "KR")), in_china=True)
        return {}

    # ------------------------------------------------------------ items

    def goods(self, origin_cn: float = 0.85) -> dict:
        r = self.rng.random()
        if r < 0.55:
            item = {"control_code": self.library_code()}
        elif r < 0.67:
            item = {"control_code": self.outside_code()}
        elif r < 0.85:
            item = self.category_item()
        else:
            item = {"description": self.pick(DESCRIPTIONS), "hs_code": self.pick(HS_CODES)}
        code = item.get("control_code", "")
        if len(code) > 1 and code[1] == "E":
            item["kind"] = self.pick(("technology", "technology", "software"))
        elif self.chance(0.1):
            item["kind"] = "goods"
        if code and self.chance(0.4):
            item["description"] = self.pick(DESCRIPTIONS)
        item["origin"] = "CN" if self.chance(origin_cn) else self.foreign()
        if self.chance(0.1):
            item["made_in"] = item["origin"] if self.chance(0.5) else self.foreign()
        if self.chance(0.5):
            item["value"] = self.number(self.pick(ITEM_VALUES))
        if (code.startswith("2C902.b") or item.get("category") == "synthetic_diamond_single_crystal") and self.chance(0.3):
            item["purpose"] = [self.pick(("jewelry", "jewellery", "decorative"))]
        return item

    def category_item(self) -> dict:
        spec = self.pick(self.f.categories)
        item = {"category": spec.category}
        params = self.parameters(spec)
        if params or spec.parameters:
            item["parameters"] = params
        return item

    def parameters(self, spec: CategorySpec) -> dict:
        """30 % meet every bound, 45 % all but one on or beside a bound, 20 % miss, 5 % leave one out."""
        mode, out = self.rng.random(), {}
        focus = self.rng.randrange(len(spec.parameters)) if spec.parameters else -1
        for i, pv in enumerate(spec.parameters):
            if mode < 0.30 or (mode < 0.75 and i != focus) or mode >= 0.95:
                pool = pv.inside
            elif mode < 0.75:
                pool = pv.boundary
            else:
                pool = pv.outside if i == focus or self.chance(0.3) else pv.inside
            pool = pool or pv.boundary
            if not pool or (mode >= 0.95 and i == focus):
                continue
            value = self.pick(self.pick(pool))
            if value is not OMIT:
                out[pv.name] = dict(value) if isinstance(value, dict) else value
        return out

    def annex_item(self, holder: str) -> dict:
        """A rare-earth item held abroad: China-origin, with Part 1 content, made with Chinese technology, or neither."""
        f = self.f
        pools = [(f.part2, 45), (f.part1, 30), (f.rare_earth_codes, 15), (f.outside_codes, 10)]
        codes = self.pick(_weighted([(p, w) for p, w in pools if p]))
        item = {"control_code": self.pick(codes)}
        v = self.rng.random()
        if v < 0.45:
            item["origin"] = "CN"
            if self.chance(0.3):
                item["made_in"] = "CN"
        else:
            item["origin"] = holder if self.chance(0.7) else self.foreign()
            if self.chance(0.6):
                item["made_in"] = item["origin"]
            if v < 0.75:
                self.part1_content(item)
            elif v < 0.88 and f.rare_earth_activities:
                item["made_with_technology"] = [
                    {"activity": self.pick(f.rare_earth_activities), "origin": "CN" if self.chance(0.8) else self.foreign()}
                    for _ in range(self.rng.randint(1, 2))]
        if "value" not in item and self.chance(0.4):
            item["value"] = self.number(self.pick(ITEM_VALUES))
        return item

    def part1_content(self, item: dict) -> None:
        """China-origin Part 1 content: by `part1_value_ratio` (40 %) or by `contains` (60 %), never both."""
        if self.chance(0.4) or not self.f.part1:
            item["part1_value_ratio"] = self.number(self.pick(SHARES + ("0", "1")))
            return
        by = self.pick(("value_ratio", "value", "mixed"))
        value = Decimal(self.pick(ITEM_VALUES)) if by != "value_ratio" else None
        if value is not None:
            item["value"] = self.number(_plain(value))
        total, parts = Decimal(0), []
        for _ in range(self.rng.randint(1, 4)):
            share = Decimal(self.pick(SHARES))
            if total + share > 1:
                continue
            total += share
            parts.append(self.component(share, value if by == "value" or (by == "mixed" and self.chance(0.5)) else None))
        item["contains"] = parts

    def component(self, share: Decimal, item_value: Decimal | None) -> dict:
        f, r = self.f, self.rng.random()
        if r < 0.60:
            c = {"control_code": self.pick(f.part1), "origin": "CN"}
        elif r < 0.75:
            c = {"control_code": self.pick(f.part1), "origin": self.foreign()}
        elif r < 0.90:
            c = {"control_code": self.pick(f.part2 or f.part1), "origin": "CN"}
        else:
            c = {"origin": self.pick(("CN", "JP", "DE"))} if self.chance(0.7) else {}
        if item_value is None:
            c["value_ratio"] = self.number(_plain(share))
        else:
            c["value"] = self.number(_plain(share * item_value))
        return c

    # ------------------------------------------------------------ the lines

    def export_line(self, date: str | None = None) -> dict:
        """A Chinese company exports goods from China."""
        dest = self.foreign() if self.chance(0.98) else "CN"
        case = {"date": date or self.date()}
        if self.chance(0.9):
            case["action"] = "export"
        exporter = self.chinese_exporter()
        if exporter:
            case["exporter"] = exporter
        case["importer"] = self.counterparty(dest, military=0.02, listed=0.01)
        if self.chance(0.35):
            case["end_user"] = self.counterparty(dest if self.chance(0.7) else self.foreign(), military=0.02)
        case["destination"] = dest
        case["item"] = self.goods()
        case["end_use"] = self.end_uses(EXPORT_USES)
        if self.chance(0.5 if any(u in self.f.rare_earth_activities for u in case["end_use"]) else 0.05):
            case["exporter_knows"] = True
        return case

    def overseas_line(self) -> dict:
        """An overseas company re-exports or transfers a rare-earth item."""
        holder = self.pick(OVERSEAS_HOLDERS)
        action = "reexport" if self.chance(0.65) else "transfer"
        if action == "transfer" and self.chance(0.33):
            dest = holder
        else:
            dest = self.pick(("CN", "HK", "TW", "MO") if self.chance(0.15) else FOREIGN)
        exporter = self.party(holder) if self.chance(0.95) else self.party("CN", in_china=False)
        case = {"date": self.date(), "action": action, "exporter": exporter,
                "importer": self.counterparty(dest, military=0.07, listed=0.04, owned=0.05)}
        if self.chance(0.4):
            case["end_user"] = self.counterparty(dest, military=0.05, listed=0.03, owned=0.03)
        case["destination"] = dest
        case["item"] = self.annex_item(holder)
        case["end_use"] = self.end_uses(OVERSEAS_USES)
        return case

    def technology_line(self, date: str | None = None) -> dict:
        """Technology, software or services exported, provided or disclosed."""
        r = self.rng.random()
        item = {"kind": self.pick(TECHNOLOGY_KINDS)}
        if r < 0.60 and self.f.technology_codes:
            item["control_code"] = self.pick(self.f.technology_codes)
        elif r < 0.72:
            item["control_code"] = self.pick(self.outside_technology)
        else:
            item["description"] = self.pick(KNOW_HOW)
        for flag, p in (("public_domain", 0.12), ("basic_research", 0.06), ("patent_application", 0.05)):
            if self.chance(p):
                item[flag] = True
        action = self.pick(TECHNOLOGY_ACTS)
        case = {"date": date or self.date(), "action": action}
        exporter = self.chinese_exporter() if self.chance(0.9) else self.party(self.foreign())
        if exporter:
            case["exporter"] = exporter
        if action == "provide":
            where = self.rng.random()
            case["importer"] = (self.party(self.pick(("DE", "JP", "US", "KR")), in_china=True) if where < 0.4
                                else self.party("CN") if where < 0.65 else self.counterparty(self.foreign(), listed=0.03))
            case["destination"] = "CN" if where < 0.65 else case["importer"].get("country", self.foreign())
        elif action == "export":
            dest = self.foreign()
            case["importer"], case["destination"] = self.counterparty(dest, military=0.02, listed=0.02), dest
        case["item"] = item
        case["end_use"] = self.end_uses(TECHNOLOGY_USES)
        if self.chance(0.6 if any(u in self.f.rare_earth_activities for u in case["end_use"]) else 0.05):
            case["exporter_knows"] = True
        return case

    def service_line(self) -> dict:
        """A Chinese firm serves someone else's export (`service.for`)."""
        date = self.date()
        served = self.export_line(date) if self.chance(0.6) else self.technology_line(date)
        case = {"date": date, "action": "service",
                "exporter": self.party("CN", self.pick(SERVICE_FIRMS)),
                "service": {"kind": self.pick(self.f.service_kinds), "for": served}}
        if self.chance(0.3) and "destination" in served:
            case["destination"] = served["destination"]
        return case

    def assistance_line(self) -> dict:
        """A Chinese person or company assists a rare-earth plant, mostly abroad."""
        r = self.rng.random()
        exporter = (self.party("CN", self.pick(PEOPLE)) if r < 0.5 else self.party("CN") if r < 0.9
                    else self.party(self.pick(("DE", "US", "JP"))))
        where = "CN" if self.chance(0.15) else self.pick(("MY", "VN", "AU", "US", "MM", "LA", "KZ", "BR"))
        case = {"date": self.date(), "action": "assist", "exporter": exporter, "end_user": self.party(where)}
        if self.chance(0.8):
            case["destination"] = where
        case["end_use"] = self.end_uses(ASSISTANCE_USES)
        if self.chance(0.5):
            case["item"] = {"kind": "service", "description": "process consulting"}
        return case

    def listed_line(self) -> dict:
        """An importer or end user on a list, by name or by `lists`, or a near miss of a listed name."""
        party = self.listed_party()
        dest = party.get("country", "US")
        action = self.pick(LISTED_ACTS)
        overseas = action in ("reexport", "transfer")
        case = {"date": self.date(), "action": action}
        exporter = self.party(self.pick(OVERSEAS_HOLDERS)) if overseas else self.chinese_exporter()
        if exporter:
            case["exporter"] = exporter
        if self.chance(0.7):
            case["importer"] = party
        else:
            case["importer"], case["end_user"] = self.party(dest), party
        case["destination"] = dest
        if action != "transact" or self.chance(0.3):
            item = self.goods(origin_cn=0.6 if overseas else 0.85)
            if action in ("provide", "disclose") and self.chance(0.5):
                item["kind"] = "technology"
            if overseas and item.get("origin") != "CN" and self.chance(0.2):
                item.pop("value", None)
                self.part1_content(item)
            case["item"] = item
        case["end_use"] = self.end_uses(EXPORT_USES)
        return case

    def military_line(self) -> dict:
        """To a military user, for a military use, or for a use that raises military capability."""
        dest, action = self.pick(MILITARY_DESTINATIONS), self.pick(MILITARY_ACTS)
        case = {"date": self.date(), "action": action}
        exporter = self.chinese_exporter() if action == "export" else self.party(self.pick(OVERSEAS_HOLDERS))
        if exporter:
            case["exporter"] = exporter
        how = self.rng.random()
        case["importer"] = self.counterparty(dest, military=1.0) if how < 0.35 else self.party(dest)
        if 0.35 <= how < 0.6:
            case["end_user"] = self.counterparty(dest, military=1.0)
        case["destination"] = dest
        r = self.rng.random()
        case["item"] = ({"control_code": self.library_code()} if r < 0.6 else self.category_item() if r < 0.75
                        else {"control_code": self.outside_code()} if r < 0.9 else {"description": self.pick(DESCRIPTIONS)})
        case["item"]["origin"] = "CN" if self.chance(0.8) else self.foreign()
        if action == "provide" and self.chance(0.5):
            case["item"]["kind"] = "technology"
        uses = ["military"] if 0.6 <= how < 0.85 else ["military_potential"] if how >= 0.85 else self.end_uses(EXPORT_USES)
        case["end_use"] = uses
        return case

    def investment_line(self) -> dict:
        """New investment in China, or a transaction with a party that may be listed."""
        if self.chance(0.45):
            investor = self.listed_party() if self.chance(0.5) else self.party(self.foreign())
            case = {"date": self.date(), "action": "invest", "exporter": investor}
            if self.chance(0.6):
                case["destination"] = "CN"
            return case
        r = self.rng.random()
        exporter = (self.party("CN") if r < 0.7 else self.party(self.pick(("DE", "US", "JP")), in_china=True) if r < 0.8
                    else self.party(self.foreign()))
        counterparty = self.listed_party() if self.chance(0.65) else self.party(self.foreign())
        case = {"date": self.date(), "action": "transact", "exporter": exporter, "importer": counterparty}
        if self.chance(0.6) and "country" in counterparty:
            case["destination"] = counterparty["country"]
        return case


def _country_of(name: str) -> str:
    """Where a listed company (or a near miss of one) is, as its name suggests; else the United States."""
    for word, country in ((" Japan", "JP"), (" Korea", "KR"), (" Europe", "GB"), ("GmbH", "DE"), ("SARL", "FR"),
                          ("Private Limited", "IN"), ("Halifax", "CA")):
        if word in name:
            return country
    return "US"


# ---------------------------------------------------------------- the public generators

def realistic_cases(n: int, seed: int = 20261130, program: Program | None = None) -> Iterator[dict]:
    """`n` valid cases of a realistic order book, the same for the same seed and library.

    >>> [c["id"] for c in realistic_cases(2)]
    ['mix-000001', 'mix-000002']
    """
    book = OrderBook(random.Random(seed), facts_of(program))
    for i in range(1, n + 1):
        yield {"id": f"mix-{i:06d}", **book.line()}


def raw_case(case: dict, origin: str | None = None) -> RawCase:
    """A case as `policylang eval` reads it from JSON (numbers as exact decimals)."""
    data = json.loads(json.dumps(case, ensure_ascii=False), parse_float=Decimal, parse_int=Decimal)
    return RawCase(data, origin or str(case.get("id", "<mix>")))


def invalid_cases(n: int, seed: int = 20261130, program: Program | None = None) -> Iterator[dict]:
    """`n` cases of the realistic mix, each spoiled in one way of `SPOILS` (an `error` decision).

    >>> next(invalid_cases(1))["id"]
    'bad-000001'
    """
    rng, facts = random.Random(seed), facts_of(program)
    book = OrderBook(rng, facts)
    spoils = [s for s in SPOILS if facts.part1 or PART1 not in repr(s)]
    for i in range(1, n + 1):
        case = book.line()
        for path, value in rng.choice(spoils).items():
            _write(case, path.split("."), _with_part1(copy.deepcopy(value), facts))
        yield {"id": f"bad-{i:06d}", **case}


# ---------------------------------------------------------------- ways to spoil a case

DROP = "<drop>"          # a spoil's value meaning: remove the field
PART1 = "<part1>"        # a spoil's code meaning: the library's first No. 61 Annex 1 Part 1 code
_CN_PART1 = {"control_code": PART1, "origin": "CN"}
# Each spoil writes its values at its paths (creating `item` where the case has none).
SPOILS = (
    {"item.parameters": {"wire_diameter": "45 N"}},                        # another dimension
    {"item.parameters": {"magnetic_induction": "1.5 m"}},
    {"item.parameters": {"average_particle_size": "50 furlong"}},          # an unknown unit
    {"item.parameters": {"average_particle_size": {"value": 50, "unit": "mu"}}},
    {"item.parameters": {"energy_density": "300"}},                        # no unit
    {"item.parameters": {"energy_density": 300}},
    {"item.parameters": {"wire_diameter": "-5 um"}},                       # below zero
    {"item.parameters": {"heating_temperature": "-300 ℃"}},                # below absolute zero
    {"item.parameters": {"purity": "100.5 %"}},                            # a ratio above 1
    {"item.parameters": {"purity": 1.0005}},
    {"importer": {"name": "Meridian Trading Ltd.", "country": "SG",       # a share outside [0, 1]
                  "owners": [{"party": {"name": "Aurora Metals S.A."}, "share": 1.5}]}},
    {"end_user": {"name": "Kestrel Optics B.V.", "owners": [{"party": {"lists": ["watch_list"]}, "share": "-0.2"}]}},
    {"item.part1_value_ratio": DROP, "item.contains": [{**_CN_PART1, "value_ratio": 1.2}]},
    {"item.part1_value_ratio": 1.5},
    {"item.value": -100},                                                   # a negative value
    {"item.part1_value_ratio": DROP,                                        # Part 1 content above the whole
     "item.contains": [{**_CN_PART1, "value_ratio": 0.6}, {**_CN_PART1, "value_ratio": "0.6"}]},
    {"item.part1_value_ratio": DROP, "item.value": DROP,                    # by value, the item without one
     "item.contains": [{**_CN_PART1, "value": 10}]},
    {"item.part1_value_ratio": "0.5", "item.contains": [{**_CN_PART1, "value_ratio": "0.001"}]},  # disagreeing
    {"date": "2026-13-01"}, {"date": "2026/11/30"}, {"date": "20261130"}, {"date": "2026-02-30"},
    {"date": 20261130}, {"date": DROP},
    {"action": "exprt"}, {"destination": "UK"}, {"destination": "us"}, {"end_use": ["weapons"]},
    {"item.control_code": "8471.30"}, {"item.control_code": "1c902.a"},    # not a control code
    {"item.value": "1_000"}, {"item.value": ".5"}, {"item.value": "NaN"}, {"item.value": True},
)


def _write(data: dict, path: list[str], value) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    if value == DROP:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = value


def _with_part1(value, facts: LibraryFacts):
    if isinstance(value, list):
        return [_with_part1(v, facts) for v in value]
    if isinstance(value, dict):
        return {k: _with_part1(v, facts) for k, v in value.items()}
    return facts.part1[0] if value == PART1 else value
