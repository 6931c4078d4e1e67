"""Decisions as columns: the contract's JSON decision (§4) as a table row.

Takes: decisions as `Decision.to_json()` gives them.
Returns: `arrow_schema(as_of, explain)`, the Arrow schema of a table of decisions;
`record_batch(decisions, schema)`; `as_row(decision)`, what a table's row gives back; `csv_header(as_of, explain)` and `csv_row(decision)` for a flat
CSV.
Guarantees: one column per field of the JSON decision, in its order (`id`, `date`, `as_of` when
decided as of another date, `outcome`, `needs_review`, `reasons`, `explanation` with `--explain`,
`obligations`, `suspended`,
`not_in_force`, `overridden`, `screening`, `classification`, `errors`, `warnings`, `library`),
each holding the JSON's value: lists of objects as lists of structs (a key an object leaves out
is null; a reviewer's verdicts are a reason's `listed_by` and a near match's `disposition`), dates
as the JSON's `YYYY-MM-DD` text, a reason's `text` as a map; in CSV, every list
and object is its JSON text and `needs_review` is `true` or `false`. A non-text `id` is its JSON
text. Reading a row back gives the JSON decision, up to the nulls of keys it left out.
"""

from __future__ import annotations

import functools
import json
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False)

# The fields of each list's objects, in the order `Decision.to_json` writes them (None: text).
_CLAUSE = (("policy", None), ("clause", None))
_DIAGNOSTIC = (("code", None), ("message", None), ("path", None), ("help", None))
VERDICT = (("verdict", None), ("reviewer", None), ("date", None), ("note", None))   # a reviewer's disposition
LISTED_BY = (("party", None), ("list", None), ("entry", None), *VERDICT)
EXPLANATION = ("explanation", (*_CLAUSE, ("classifies", None), ("failed", None), ("value", None), ("bound", None),
                               ("path", None)))
LISTS: tuple[tuple[str, tuple], ...] = (
    ("reasons", (*_CLAUSE, ("effect", None), ("source", None), ("url", None), ("title", None), ("text", "map"),
                 ("listed_by", "listed_by"))),
    ("obligations", (("kind", None), *_CLAUSE, ("due", None), ("detail", None))),
    ("suspended", (*_CLAUSE, ("by", None), ("from", None), ("through", None))),
    ("not_in_force", (*_CLAUSE, ("state", None), ("from", None), ("through", None))),
    ("overridden", (*_CLAUSE, ("by", "clauses"))),
    ("screening", (("party", None), ("list", None), ("entry", None), ("score", "float"), ("disposition", "verdict"))),
    ("classification", (("code", None), *_CLAUSE)),
    ("errors", _DIAGNOSTIC),
    ("warnings", _DIAGNOSTIC),
)
LIBRARY = ("version", "digest", "checked_through")
# The columns that hold lists or objects: JSON text in a CSV.
NESTED = frozenset({*(name for name, _ in LISTS), EXPLANATION[0], "library"})


def columns(as_of: bool, explain: bool = False) -> list[str]:
    """The column names, in order.

    >>> columns(False)[:5], columns(True)[:4], columns(False, explain=True)[4:6]
    (['id', 'date', 'outcome', 'needs_review', 'reasons'], ['id', 'date', 'as_of', 'outcome'], ['reasons', 'explanation'])
    """
    return [name for name, _ in _lists(as_of, explain)]


def _lists(as_of: bool, explain: bool) -> list[tuple[str, Any]]:
    """Every column with what it holds: a kind of `arrow_schema`, or the fields of a list's objects."""
    head = [("id", None), ("date", None), *([("as_of", None)] if as_of else []), ("outcome", None),
            ("needs_review", "bool")]
    lists = list(LISTS)
    if explain:
        lists.insert(1, EXPLANATION)
    return [*head, *lists, ("library", "library")]


@functools.lru_cache(maxsize=4)
def arrow_schema(as_of: bool, explain: bool = False):
    """The Arrow schema of a table of decisions."""
    import pyarrow as pa

    text = pa.string()
    kinds = {None: text, "float": pa.float64(), "map": pa.map_(text, text), "bool": pa.bool_(),
             "clauses": pa.list_(pa.struct([(name, text) for name, _ in _CLAUSE])),
             "verdict": pa.struct([(name, text) for name, _ in VERDICT]),
             "listed_by": pa.list_(pa.struct([(name, text) for name, _ in LISTED_BY])),
             "library": pa.struct([(key, text) for key in LIBRARY])}
    return pa.schema([(name, kinds[kind] if not isinstance(kind, tuple) else
                       pa.list_(pa.struct([(key, kinds[k]) for key, k in kind])))
                      for name, kind in _lists(as_of, explain)])


def record_batch(decisions: list[dict], schema):
    """The decisions as one Arrow record batch of `schema` (`arrow_schema`)."""
    import pyarrow as pa

    rows = decisions if all(type(d.get("id")) in (str, type(None)) for d in decisions) else \
        [{**d, "id": _text_id(d["id"])} for d in decisions]
    return pa.RecordBatch.from_pylist(rows, schema=schema)


def as_row(decision: dict) -> dict:
    """A JSON decision as a table of decisions holds it, and gives it back (`Table.to_pylist`):
    every key of a list's objects and of a verdict (null where the JSON leaves it out), maps as
    (key, value) pairs.

    >>> as_row({"id": "a", "reasons": [{"policy": "P", "clause": "1", "text": {"en": "…"}}], "screening": []})["reasons"][0]["text"]
    [('en', '…')]
    """
    out = dict(decision)
    for name, keys in (*LISTS, EXPLANATION):
        if name in decision:
            out[name] = [{key: _as_column(item.get(key), kind) for key, kind in keys} for item in decision[name]]
    return out


def _as_column(value: Any, kind: Any) -> Any:
    if value is None:
        return None
    if kind == "map":
        return list(value.items())
    if kind == "verdict":
        return {key: value.get(key) for key, _ in VERDICT}
    if kind == "listed_by":
        return [{key: item.get(key) for key, _ in LISTED_BY} for item in value]
    return value


def csv_header(as_of: bool, explain: bool = False) -> list[str]:
    return columns(as_of, explain)


def csv_row(decision: dict) -> list[str]:
    """One decision as CSV cells, in `columns` order: text as it is, lists and objects as JSON text."""
    cells = []
    for name, kind in _lists("as_of" in decision, "explanation" in decision):
        value = decision[name]
        if name == "id":
            cells.append(_text_id(value))
        elif kind == "bool":
            cells.append("true" if value else "false")
        elif name in NESTED:
            cells.append(_ENCODER.encode(value) if value is not None else "")
        else:
            cells.append(value or "")
    return cells


def _text_id(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _ENCODER.encode(value) if not hasattr(value, "as_tuple") else str(value)
