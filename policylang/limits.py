"""Limits on what policylang reads: every size and depth of its inputs, stated and enforced.

Takes: nothing by default; `configure` takes new values by name, `parse_settings` reads them
from text (`case_depth=64,text_length=20000`), as the `--limit NAME=VALUE` option and the
`POLICYLANG_LIMITS` environment variable give them.
Returns: `current()`, the `Limits` in force in this process.
Guarantees: one table (`Limits`, below) of every bound, each with the stable code of the
diagnostic that reports it (`CODES`) and a one-line meaning (`MEANING`), which the README's
Limits section repeats. A limit on a depth is capped at a safe maximum (`SAFE_MAXIMUM`):
the engines recurse over nested cases and expressions, and beyond it Python's own parser and
stack would fail, so such a value is refused with a message, never accepted and then crashed on.
A change of limits clears what the readers remembered under the old ones.

>>> Limits().case_depth
48
>>> parse_settings("case_depth=64, text_length=20000")
{'case_depth': 64, 'text_length': 20000}
>>> parse_settings("case_depth=100000")
Traceback (most recent call last):
...
ValueError: `case_depth` is at most 200: deeper nesting exceeds what the engines' recursion takes
"""

from __future__ import annotations

import os
from typing import Callable

import attrs

ENVIRONMENT = "POLICYLANG_LIMITS"


@attrs.frozen
class Limits:
    """Every bound on input, with its default."""
    # cases
    case_bytes: int = 1 << 20          # one case: a JSON line, or the text of a case in a test file
    document_bytes: int = 16 << 20     # a `.json` case file (or standard input) read whole
    case_depth: int = 48               # objects and lists nested in one case (15 links of owners)
    text_length: int = 10_000          # characters of one string of a case (a name, a key, …)
    list_length: int = 10_000          # entries of one list of a case
    decimal_digits: int = 60           # significant digits of a decimal (cases and policies)
    decimal_exponent: int = 60         # decimal exponent of a decimal, either way
    # policies
    policy_bytes: int = 256 << 10      # one `.ecp` file: ten times the largest shipped (24 kB); parsing takes ~4 µs a byte
    string_length: int = 100_000       # characters of one string literal of a policy
    name_length: int = 200             # characters of one name of a policy
    expression_depth: int = 100        # nesting of one expression, definitions it uses counted in
    clause_chain: int = 64             # exceptions and refinements leading from one clause to another
    due_days: int = 3660               # `within N [working] days` of an obligation


CODES = {
    "case_bytes": "E518", "document_bytes": "E518", "case_depth": "E517", "text_length": "E515",
    "list_length": "E516", "decimal_digits": "E514 (cases), E008 (policies)", "decimal_exponent": "E514",
    "policy_bytes": "E010", "string_length": "E005", "name_length": "E011",
    "expression_depth": "E007 (as written), E118 (definitions counted in)", "clause_chain": "E119",
    "due_days": "E014",
}
MEANING = {
    "case_bytes": "bytes of one case: a JSON line, or a case of a test file",
    "document_bytes": "bytes of a `.json` case file, or of standard input read whole",
    "case_depth": "objects and lists nested in one case",
    "text_length": "characters of one string of a case (a name, a key, a description)",
    "list_length": "entries of one list of a case",
    "decimal_digits": "significant digits of a decimal, in a case or a policy",
    "decimal_exponent": "decimal exponent of a number of a case, either way (`1e-60`)",
    "policy_bytes": "bytes of one `.ecp` file",
    "string_length": "characters of one string literal of a policy",
    "name_length": "characters of one name of a policy",
    "expression_depth": "nesting of one expression of a policy, the definitions it uses counted in",
    "clause_chain": "exceptions and refinements leading from one clause to another, one after the other",
    "due_days": "days of `within N days` or `within N working days`",
}
# Depths the engines can take: the reader, the interpreter and the generated Python recurse once
# or a few times per level, and Python's parser takes at most 200 nested parentheses.
SAFE_MAXIMUM = {"case_depth": 200, "expression_depth": 150, "clause_chain": 150}
_WHY_SAFE = {
    "case_depth": "deeper nesting exceeds what the engines' recursion takes",
    "expression_depth": "deeper expressions exceed what Python's own parser and stack take",
    "clause_chain": "longer chains exceed what combining's recursion takes",
}

_current: Limits | None = None
_listeners: list[Callable[[], None]] = []


def current() -> Limits:
    """The limits in force: the defaults, changed by `POLICYLANG_LIMITS` and `configure`."""
    global _current
    if _current is None:
        _current = attrs.evolve(Limits(), **parse_settings(os.environ.get(ENVIRONMENT, "")))
    return _current


def configure(**changes: int) -> Limits:
    """Change limits by name for this process (and what it remembered under the old ones)."""
    global _current
    for name, value in changes.items():
        _check(name, value)
    _current = attrs.evolve(current(), **changes)
    for listener in _listeners:
        listener()
    return _current


def use(limits: Limits) -> None:
    """Put `limits` in force as a whole (a worker process takes its parent's)."""
    configure(**attrs.asdict(limits))


def on_change(listener: Callable[[], None]) -> None:
    """Call `listener` whenever the limits change (a cache of values read under them)."""
    _listeners.append(listener)


def parse_settings(text: str) -> dict[str, int]:
    """`name=value` pairs separated by commas or blanks, checked."""
    found: dict[str, int] = {}
    for item in text.replace(",", " ").split():
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"`{item}` is not NAME=VALUE")
        try:
            number = int(value.replace("_", ""))
        except ValueError:
            raise ValueError(f"the limit `{name}` takes a whole number, not `{value}`") from None
        _check(name, number)
        found[name] = number
    return found


def _check(name: str, value: int) -> None:
    if name not in MEANING:
        raise ValueError(f"unknown limit `{name}`: the limits are {', '.join(MEANING)}")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a whole number of at least 1")
    if name in SAFE_MAXIMUM and value > SAFE_MAXIMUM[name]:
        raise ValueError(f"`{name}` is at most {SAFE_MAXIMUM[name]}: {_WHY_SAFE[name]}")
