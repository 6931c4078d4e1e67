"""Shrinking a witness: what a witness case can do without, taken out, so a person can read it.

Takes: a witness case (a JSON-ready dict, as `witness.realise` makes it), `holds(case)`, which
says whether a case still shows what its finding claims (decided by an engine), and the day the
witness is best dated.
Returns: `shrink(case, holds, day)`, the case with, one change at a time and in a fixed order,
its date moved to `day`, each field and list element it can do without taken out (the last
first, the deepest first), and each country replaced by a common one (DE, US, JP, …), every
change kept only when `holds` still says yes.
Guarantees: the result holds whenever the case did; `id` is never changed; the same case and
claim always shrink to the same result. The solver's model only has to show that a case
exists; which fields a model happens to give does not show in the witness.

>>> case = {"id": "w", "date": "2026-11-20", "destination": "KP", "item": {"control_code": "1C902", "origin": "FR"}}
>>> shrink(case, lambda c: c.get("item", {}).get("control_code") == "1C902", "2026-11-11")
{'id': 'w', 'date': '2026-11-11', 'item': {'control_code': '1C902'}}
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from policylang.analysis.symbolic import PREFERRED

COUNTRIES = PREFERRED["Country"]
KEEP = ("id", "date")        # at the top level
NAMES = ("name",)            # a party keeps its name (a made-up one that matches no list)


def shrink(case: dict, holds: Callable[[dict], bool], day: str | None = None) -> dict:
    current = case
    if day is not None and current.get("date") != day:
        moved = {**current, "date": day}
        if holds(moved):
            current = moved
    for path in reversed(list(_paths(current, ()))):
        smaller = without(current, path)
        if holds(smaller):
            current = smaller
    for path in list(_countries(current, ())):
        value = value_at(current, path)
        better = COUNTRIES[:COUNTRIES.index(value)] if value in COUNTRIES else COUNTRIES
        for country in better:
            candidate = with_value(current, path, country)
            if holds(candidate):
                current = candidate
                break
    return current


def _paths(value: Any, prefix: tuple) -> Iterator[tuple]:
    """Every field and list element, in document order, a container before what it holds."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if (prefix or key not in KEEP) and not (prefix and key in NAMES):
                yield prefix + (key,)
                yield from _paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield prefix + (i,)
            yield from _paths(inner, prefix + (i,))


def _countries(value: Any, prefix: tuple) -> Iterator[tuple]:
    """The paths of values that are country codes (two capitals) in country fields."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("destination", "country", "origin", "made_in") and isinstance(inner, str) \
                    and len(inner) == 2 and inner.isupper():
                yield prefix + (key,)
            else:
                yield from _countries(inner, prefix + (key,))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _countries(inner, prefix + (i,))


def value_at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def without(value: Any, path: tuple) -> Any:
    """A copy of `value` without what `path` names (copied along the path only)."""
    step, rest = path[0], path[1:]
    if isinstance(value, dict):
        if not rest:
            return {k: v for k, v in value.items() if k != step}
        return {**value, step: without(value[step], rest)}
    if not rest:
        return value[:step] + value[step + 1:]
    return value[:step] + [without(value[step], rest)] + value[step + 1:]


def with_value(value: Any, path: tuple, new: Any) -> Any:
    step, rest = path[0], path[1:]
    inner = new if not rest else with_value(value[step], rest, new)
    if isinstance(value, dict):
        return {**value, step: inner}
    return value[:step] + [inner] + value[step + 1:]


__all__ = ["shrink", "value_at", "with_value", "without"]
