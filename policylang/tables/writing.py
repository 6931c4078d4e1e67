"""Cases written as tables: the inverse of `mapping.py`, for tests, benchmarks and users who
move an order book from JSON to Parquet or CSV.

Takes: cases in the contract's JSON format (dicts, numbers as `Decimal`, `int` or `float`) and the
checked program whose schema says which fields are text.
Returns: `case_table(cases, program)`, a nested Arrow table (parties and items as structs, lists
as lists: what `pyarrow.Table.from_pylist` writes where the cases agree on each field's shape),
and `case_csv(cases, program)`, the header and rows of a flat CSV (dotted columns, lists and
other objects as JSON text, missing fields as empty cells). For more cases than memory holds,
`case_shape` finds the columns' types of one block of cases, `merge_shapes` joins the shapes of
several, and `case_table(block, program, shape=…)` writes each block with the joined shape, so
that every block of one file has the same schema (`shape_schema`).
Guarantees: `mapping.RowReader` reads every case back to a JSON value that decides the same, byte
for byte: a column whose values do not share one Arrow type is written as JSON text and marked
(`mapping.JSON_METADATA`); a number column is float64 only where every value's shortest `repr`
is its decimal value, else decimal128, else JSON text; a text in a field that is not text and
would read as JSON (`"0.9995"`) is written JSON-quoted. What a flat CSV cannot hold is an empty
text (`""`: an empty cell is a missing field).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterable

from policylang.program import Program
from policylang.tables.mapping import JSON_METADATA, ANY, Kind, RowReader, _BadCell, _text

_JSON = "json"


def case_table(cases: Iterable[dict], program: Program, typed: bool = False, shape: dict | None = None):
    """A nested Arrow table of the cases. With `typed`, a decimal written as text (`"12500.50"`)
    in a field that is not text is written as a number, as a ledger's typed column holds it.
    With `shape` (`case_shape`, `merge_shapes`), the columns have those types."""
    import pyarrow as pa

    reader = RowReader(program)
    cases = [_typed(c, reader, ()) if typed else c for c in cases]
    shape = shape or case_shape(cases, program)
    arrays = []
    for name, field_type in shape.items():
        kind = reader.kind_at((name,))
        arrays.append(pa.array([_prepare(c.get(name), field_type, kind, reader) for c in cases],
                               type=_arrow(field_type)))
    return pa.Table.from_arrays(arrays, schema=shape_schema(shape)) if shape else pa.table({})


def case_shape(cases: Iterable[dict], program: Program, typed: bool = False) -> dict:
    """The type each column of these cases is written as (top-level field name → type)."""
    reader = RowReader(program)
    cases = [_typed(c, reader, ()) if typed else c for c in cases]
    names = list(dict.fromkeys(k for c in cases for k in c))
    return {name: _infer([c.get(name) for c in cases], reader.kind_at((name,)), reader) for name in names}


def merge_shapes(first: dict, second: dict) -> dict:
    """One shape that can write the cases of both (a column whose types disagree: JSON text)."""
    return {name: _join(first.get(name, ("null",)), second.get(name, ("null",)))
            for name in dict.fromkeys([*first, *second])}


def shape_schema(shape: dict):
    """The Arrow schema of a shape."""
    import pyarrow as pa

    return pa.schema([_field(name, t) for name, t in shape.items()])


def _join(a: Any, b: Any) -> Any:
    if a == b:
        return a
    if a == ("null",):
        return b
    if b == ("null",):
        return a
    if _JSON in (a, b):
        return _JSON
    if {a[0], b[0]} == {"int", "float"}:
        return ("float",)       # integers of a ledger are exact as float64 (below 2**53)
    if a[0] == b[0] == "decimal":
        scale = max(a[2], b[2])
        whole = max(a[1] - a[2], b[1] - b[2])
        return ("decimal", whole + scale, scale) if whole + scale <= 38 else _JSON
    if a[0] == b[0] == "struct":
        left, right = {n: (t, k) for n, t, k in a[1]}, {n: (t, k) for n, t, k in b[1]}
        return ("struct", tuple((n, _join(left.get(n, (("null",),))[0], right.get(n, (("null",),))[0]),
                                 (left.get(n) or right.get(n))[1]) for n in dict.fromkeys([*left, *right])))
    if a[0] == b[0] == "list":
        return ("list", _join(a[1], b[1]), a[2])
    return _JSON


def case_csv(cases: Iterable[dict], program: Program) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a flat CSV of the cases."""
    reader = RowReader(program)
    flat = [_flatten(c, (), reader) for c in cases]
    header = list(dict.fromkeys(k for row in flat for k in row))
    return header, [[row.get(k, "") for k in header] for row in flat]


# ------------------------------------------------------------------ nested

def _number_kind(v: Any) -> str | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int) or (isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value()
                              and v.as_tuple().exponent >= 0):
        return "int"
    if isinstance(v, (float, Decimal)):
        return "num"
    return None


def _infer(values: list, kind: Kind, reader: RowReader) -> Any:
    """The type a column of these values is written as: an Arrow type's description (a tuple),
    or `_JSON` when they share none."""
    present = [v for v in values if v is not None]
    if not present:
        return ("null",)
    shapes = {_shape(v) for v in present}
    if shapes == {"bool"}:
        return ("bool",)
    if shapes == {"str"}:
        return ("str",)
    if shapes <= {"int", "num"}:
        if shapes == {"int"} and all(-2**63 <= int(v) < 2**63 for v in present):
            return ("int",)
        if all(_float_exact(v) for v in present):
            return ("float",)
        exact = [Decimal(v) if not isinstance(v, float) else Decimal(repr(v)) for v in present]
        if not all(d.is_finite() for d in exact):
            return _JSON
        shapes_of = [d.as_tuple() for d in exact]
        scale = max(max(0, -t.exponent) for t in shapes_of)
        whole = max(max(0, len(t.digits) + t.exponent) for t in shapes_of)
        return ("decimal", max(1, whole + scale), scale) if whole + scale <= 38 else _JSON
    if shapes == {"dict"} and kind.what in ("record", "any"):
        names = list(dict.fromkeys(k for v in present for k in v))
        children = []
        for name in names:
            child = reader._child(kind, name) if kind.what == "record" else ANY
            children.append((name, _infer([v.get(name) for v in present], child, reader), child))
        return ("struct", tuple(children))
    if shapes == {"list"}:
        element = kind.element or ANY
        inner = _infer([e for v in present for e in v], element, reader)
        return ("list", inner, element)
    return _JSON


def _shape(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    number = _number_kind(v)
    if number:
        return number
    return {str: "str", dict: "dict", list: "list"}.get(type(v), "other")


def _float_exact(v: Any) -> bool:
    d = Decimal(v) if not isinstance(v, float) else Decimal(repr(v))
    try:
        return d.is_finite() and Decimal(repr(float(d))) == d
    except (OverflowError, ValueError):
        return False


def _arrow(t: Any):
    import pyarrow as pa

    if t == _JSON:
        return pa.string()
    match t[0]:
        case "null":
            return pa.null()
        case "bool":
            return pa.bool_()
        case "str":
            return pa.string()
        case "int":
            return pa.int64()
        case "float":
            return pa.float64()
        case "decimal":
            return pa.decimal128(t[1], t[2])
        case "struct":
            return pa.struct([_field(name, child) for name, child, _ in t[1]])
        case "list":
            return pa.list_(_field("item", t[1]))


def _field(name: str, t: Any):
    import pyarrow as pa

    return pa.field(name, _arrow(t), metadata=JSON_METADATA if t == _JSON else None)


def _prepare(v: Any, t: Any, kind: Kind, reader: RowReader) -> Any:
    """A value as `pyarrow.array` takes it for a column of type `t`."""
    if v is None:
        return None
    if t == _JSON:
        return json_text(v)
    match t[0]:
        case "int":
            return int(v)
        case "float":
            return float(v)
        case "decimal":
            return Decimal(v) if not isinstance(v, float) else Decimal(repr(v))
        case "str":
            return _quoted(v, kind)
        case "struct":
            return {name: _prepare(v.get(name), child_type, child, reader) for name, child_type, child in t[1]}
        case "list":
            return [_prepare(e, t[1], t[2], reader) for e in v]
    return v


def _quoted(text: str, kind: Kind) -> str:
    """A text in a field that is not text, JSON-quoted where the mapping would read it as JSON."""
    if kind.what in ("text", "any"):
        return text
    try:
        read = _text(text, "")
    except _BadCell:
        read = None
    return text if read == text and type(read) is str else json.dumps(text, ensure_ascii=False)


def json_text(v: Any) -> str:
    """JSON text of a value whose numbers may be `Decimal`, each written digit for digit.

    >>> json_text({"share": Decimal("0.50"), "lists": ["control_list"], "x": None})
    '{"share": 0.50, "lists": ["control_list"], "x": null}'
    """
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {json_text(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(json_text(x) for x in v) + "]"
    if isinstance(v, Decimal):
        return str(v) if v.is_finite() else json.dumps(str(v))
    return json.dumps(v, ensure_ascii=False)


def _typed(value: Any, reader: RowReader, path: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: _typed(v, reader, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v, reader, path) for v in value]
    if isinstance(value, str) and reader.kind_at(path).what == "value":
        read = _text(value, "")
        return read if isinstance(read, Decimal) else value
    return value


# ------------------------------------------------------------------ flat

def _flatten(value: dict, path: tuple[str, ...], reader: RowReader) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, v in value.items():
        if v is None:
            continue
        where = (*path, key)
        kind = reader.kind_at(where)
        if isinstance(v, dict) and v and kind.what == "record":
            out.update(_flatten(v, where, reader))
        else:
            out[".".join(where)] = _cell(v, kind)
    return out


def _cell(v: Any, kind: Kind) -> str:
    if isinstance(v, str):
        return _quoted(v, kind)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return json_text(v)
