"""Table rows to cases: the mapping between tables and the case format (README, *Tables*).

Takes: a checked program (its `record Case` and the records it uses) and rows: an Arrow record
batch (from Parquet, DuckDB or Spark) or the cells of a CSV row, with the name of their source
and the number of their first row.
Returns: `RowReader(program)`: `.cases(batch, source, first_row)` and `.csv_cases(header, rows,
source, first_row)`, each a list of `RawCase`, one per row, in order, whose `data` is the JSON
value the row stands for (numbers as `Decimal`, as the JSON reader gives them) and whose origin is
`SOURCE:row N` (N counts data rows from 1).
Guarantees (the mapping):
- a column is a field of the case; a column named with dots (`item.control_code`,
  `exporter.name`) is a field of a record inside it, so flat and nested tables read alike; a
  struct is a record, a list a list, a map a record;
- a null cell, and in CSV an empty cell, is a field not given;
- numbers are exact: an integer or decimal column is its value; a float64 cell is read by its
  shortest decimal text (`repr`: 0.00014 stays 0.00014, never 0.000140000000000000009…); in a
  text field (`id`, `hs_code`) a number is its decimal text;
- in a field that is not text (a bool, decimal, quantity, record or list), a text cell holding
  JSON is that JSON value (`true`, `0.9995`, `["civil"]`, `{"value": 50, "unit": "um"}`,
  `"0.9995"` for the string); any other text is itself (`50 um`); text starting with `[` or `{`
  that is not JSON makes the row invalid. A column whose Arrow field carries the metadata
  `policylang: json` (`writing.py` marks the columns it could not type) holds JSON text in
  every cell. Text fields (text, code, date, enumerations) take text as it is;
- a date cell is its `YYYY-MM-DD`; a timestamp at midnight with no time zone is that day, any
  other is its ISO text (and so an invalid date);
- a row that cannot be mapped (a cell that is not JSON text where JSON is needed, a value no case
  can hold, a CSV row with more cells than the header) is a `RawCase` whose `problems` hold an E522
  naming the row and the field: it gets an `error` decision, and every other row is decided.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any, Callable, Sequence

import attrs

from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.diagnostics import error
from policylang.eval.cases import RawCase
from policylang.program import CASE_RECORD, Program

JSON_METADATA = {b"policylang": b"json"}     # an Arrow field whose cells are JSON text
_ABSENT = object()                           # a cell that gives no field


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON number")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal, parse_constant=_no_constant)


@attrs.frozen
class Kind:
    """What the schema expects in a field: `text` (text, codes, dates, members), `value` (bool,
    decimal, quantity), `record` (with its name), `list` (with its element), or `any` (a field
    the schema does not know)."""
    what: str
    record: str | None = None
    element: "Kind | None" = None


TEXT, VALUE, ANY = Kind("text"), Kind("value"), Kind("any")


class _BadCell(Exception):
    """Internal: a cell that cannot be mapped; `path` names its field."""

    def __init__(self, path: str, detail: str):
        super().__init__(detail)
        self.path, self.detail = path, detail


class RowReader:
    """Maps table rows to raw cases for one program's schema. Build once, read many batches:
    the converter of each column is made once per batch schema."""

    def __init__(self, program: Program):
        types = ExprChecker(program)
        self.fields: dict[str, dict[str, Kind]] = {
            name: {f.name: _kind(types.resolve_type(f.type)) for f in decl.fields}
            for name, decl in program.records.items()}
        self._plans: dict[Any, list] = {}

    # -------------------------------------------------------------- columns to fields

    def kind_at(self, path: Sequence[str]) -> Kind:
        """The kind of the field a dotted column names (`ANY` where the schema does not know it)."""
        kind = Kind("record", CASE_RECORD)
        for part in path:
            if kind.what != "record":
                return ANY
            kind = self.fields.get(kind.record, {}).get(part, ANY)
        return kind

    def _plan(self, schema) -> list["_Filler"]:
        if schema not in self._plans:
            # batches of one input share a schema: keep the last plan only
            self._plans = {schema: [self._filler(f, tuple(f.name.split(".")), f.name) for f in schema]}
        return self._plans[schema]

    def _filler(self, field, path: tuple[str, ...], where: str) -> "_Filler":
        """How one Arrow field fills the cases: a struct field by field, anything else by a
        converter from a cell's Python value to its JSON value (None: the value as it is)."""
        import pyarrow as pa

        t, kind = field.type, self.kind_at(path)
        if (field.metadata or {}).get(b"policylang") == b"json":
            return _Filler(path, lambda v: _json_text(v, where))
        if pa.types.is_struct(t):
            return _Filler(path, children=tuple(self._filler(t.field(i), (*path, t.field(i).name),
                                                             f"{where}.{t.field(i).name}")
                                                for i in range(t.num_fields)))
        return _Filler(path, self._converter(field, kind, where))

    def _converter(self, field, kind: Kind, where: str) -> Callable[[Any], Any] | None:
        """A function from a cell's Python value (`to_pylist`) to its JSON value, or `_ABSENT`;
        None where the value is already what JSON gives (text in a text field)."""
        import pyarrow as pa

        t = field.type
        if (field.metadata or {}).get(b"policylang") == b"json":
            return lambda v: _json_text(v, where)
        if pa.types.is_struct(t):
            children = [(t.field(i).name, self._converter(t.field(i), self._child(kind, t.field(i).name),
                                                          f"{where}.{t.field(i).name}") or _same)
                        for i in range(t.num_fields)]
            return lambda v: _record(v, children)
        if pa.types.is_map(t):
            return lambda v: self._map(v, kind, where)
        if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            element = self._converter(t.value_field, kind.element or ANY, f"{where}[]") or _same
            return lambda v: [None if e is None else _present(element(e)) for e in v]
        if pa.types.is_null(t):
            return lambda v: _ABSENT
        if (pa.types.is_string(t) or pa.types.is_large_string(t)) and kind.what in ("text", "any"):
            return None
        if pa.types.is_boolean(t):
            return None
        return lambda v: _scalar(v, kind, where)

    def _child(self, kind: Kind, name: str) -> Kind:
        if kind.what != "record":
            return ANY
        return self.fields.get(kind.record, {}).get(name, ANY)

    def _map(self, pairs: list, kind: Kind, where: str) -> dict:
        out = {}
        for key, value in pairs:
            if value is not None:
                out[str(key)] = _present(_scalar(value, self._child(kind, str(key)), f"{where}.{key}")) \
                    if not isinstance(value, (dict, list)) else _generic(value, f"{where}.{key}")
        return out

    # -------------------------------------------------------------- rows

    def cases(self, batch, source: str, first_row: int = 1) -> list[RawCase]:
        """The cases of an Arrow record batch, one per row. Column by column: each column
        converts only its present cells and puts them into their rows."""
        rows: list[dict] = [{} for _ in range(batch.num_rows)]
        problems: dict[int, _BadCell] = {}
        for filler, column in zip(self._plan(batch.schema), batch.columns):
            if len(filler.path) == 1:
                filler.fill(rows, column, problems)
            else:                                    # a dotted column: into a record of the row
                holders = _Holders(rows, filler.path[:-1])
                filler.fill(holders, column, problems, filler.path[-1])
                if holders.clash is not None:
                    for i in holders.clash:
                        problems.setdefault(i, _BadCell(".".join(filler.path), f"`{'.'.join(filler.path)}` "
                                                        "is given inside a field that is not a record"))
        return [self._case(row, source, first_row + i, problems.get(i)) for i, row in enumerate(rows)]

    def csv_cases(self, header: Sequence[str], rows: Sequence[Sequence[str]], source: str,
                  first_row: int = 1) -> list[RawCase]:
        """The cases of CSV rows (lists of cells, as `csv.reader` gives them), one per row."""
        paths = [tuple(name.split(".")) for name in header]
        kinds = [self.kind_at(path) for path in paths]
        out = []
        for i, cells in enumerate(rows):
            problem = None
            if getattr(cells, "why", None):
                problem = _BadCell("", cells.why)
            elif len(cells) > len(header):
                problem = _BadCell("", f"the row has {len(cells)} cells where the header names {len(header)}")
            elif not _utf8(cells):
                problem = _BadCell("", "the row is not UTF-8 text")
            data: dict = {}
            for path, kind, cell in zip(paths, kinds, cells):
                if cell == "":
                    continue
                try:
                    value = cell if kind.what in ("text", "any") else _text(cell, ".".join(path))
                except _BadCell as bad:
                    problem = problem or bad
                    continue
                if value is not _ABSENT and not _put(data, path, value):
                    problem = problem or _BadCell(".".join(path), f"`{'.'.join(path)}` is given inside a "
                                                  "field that is not a record")
            out.append(self._case(data, source, first_row + i, problem))
        return out

    def _case(self, data: dict, source: str, row: int, problem: "_BadCell | None") -> RawCase:
        origin = f"{source}:row {row}"
        if problem is not None:
            echoed = {k: data[k] for k in ("id", "date") if isinstance(data.get(k), str)}
            return RawCase(echoed, origin, problems=(error("E522", path=problem.path, row=row, source=source,
                                                          detail=problem.detail),))
        return RawCase(data, origin)


class _Filler:
    """One Arrow field of a batch and how its cells go into the rows' dicts."""
    __slots__ = ("path", "convert", "children")

    def __init__(self, path: tuple[str, ...], convert: Callable | None = None, children: tuple = ()):
        self.path, self.convert, self.children = path, convert, children

    def fill(self, targets, array, problems: dict, name: str | None = None) -> None:
        """Put the present cells of `array` into `targets[i][name]` (a target None: no record)."""
        n = len(array)
        nulls = array.null_count
        if nulls == n:
            return
        name = name or self.path[-1]
        if nulls:
            import pyarrow.compute as pc

            valid = array.is_valid()
            where = pc.indices_nonzero(valid).to_pylist()
        else:
            where = range(n)
        if self.children:
            inner: list = [None] * n
            for i in where:
                target = targets[i]
                if target is not None:
                    record = target.get(name)
                    if type(record) is not dict:
                        record = target[name] = {}
                    inner[i] = record
            for child, values in zip(self.children, array.flatten()):
                child.fill(inner, values, problems)
            return
        values = (array.filter(valid) if nulls else array).to_pylist()
        convert = self.convert
        if convert is None:
            for i, v in zip(where, values):
                target = targets[i]
                if target is not None:
                    target[name] = v
            return
        for i, v in zip(where, values):
            target = targets[i]
            if target is None:
                continue
            try:
                v = convert(v)
            except _BadCell as bad:
                problems.setdefault(i, bad)
                continue
            if v is not _ABSENT:
                target[name] = v


class _Holders:
    """The record a dotted column fills in each row (`item` for `item.value`), made only when a
    cell is present; `clash` collects the rows where that place holds something else."""

    def __init__(self, rows: list[dict], prefix: tuple[str, ...]):
        self.rows, self.prefix, self.clash = rows, prefix, None

    def __getitem__(self, i: int) -> dict | None:
        into = self.rows[i]
        for part in self.prefix:
            into = into.setdefault(part, {})
            if type(into) is not dict:
                self.clash = [*(self.clash or []), i]
                return None
        return into


def _utf8(cells: Sequence[str]) -> bool:
    """No cell holds bytes that were not UTF-8 (read with `surrogateescape`)."""
    try:
        "".join(cells).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _put(data: dict, path: tuple[str, ...], value: Any) -> bool:
    into = data
    for part in path[:-1]:
        into = into.setdefault(part, {})
        if type(into) is not dict:
            return False
    into[path[-1]] = value
    return True


def _same(v: Any) -> Any:
    return v


# ------------------------------------------------------------------ values

def _kind(t: T.Type) -> Kind:
    match t:
        case T.Prim("text") | T.Prim("code") | T.Prim("date") | T.EnumT():
            return TEXT
        case T.Prim("bool") | T.Prim("decimal") | T.QuantityT():
            return VALUE
        case T.RecordT(name):
            return Kind("record", name)
        case T.ListT(element) | T.SetT(element):
            return Kind("list", element=_kind(element))
    return ANY


def _present(value: Any) -> Any:
    return None if value is _ABSENT else value


def _record(value: dict, children) -> Any:
    out = {}
    for name, convert in children:
        v = value.get(name)
        if v is not None:
            v = convert(v)
            if v is not _ABSENT:
                out[name] = v
    return out


def _scalar(v: Any, kind: Kind, where: str) -> Any:
    t = type(v)
    if t is str:
        return v if kind.what in ("text", "any") else _text(v, where)
    if t is bool:
        return v
    if t is int:
        return str(v) if kind.what == "text" else Decimal(v)
    if t is float:
        return repr(v) if kind.what == "text" else Decimal(repr(v))
    if t is Decimal:
        return str(v) if kind.what == "text" else v
    if t is datetime.datetime:
        if v.tzinfo is None and v.time() == datetime.time():
            return v.date().isoformat()
        return v.isoformat()
    if t is datetime.date:
        return v.isoformat()
    if t is bytes:
        try:
            return _scalar(v.decode("utf-8"), kind, where)
        except UnicodeDecodeError:
            raise _BadCell(where, f"`{where}` holds bytes that are not UTF-8 text") from None
    if t in (dict, list):
        return _generic(v, where)
    raise _BadCell(where, f"`{where}` holds a {t.__name__}, which no case field can take")


def _generic(v: Any, where: str) -> Any:
    """A nested value of a field the schema does not know, or of a map: as JSON would give it."""
    if isinstance(v, dict):
        return {k: _generic(x, f"{where}.{k}") for k, x in v.items() if x is not None}
    if isinstance(v, list):
        if v and all(isinstance(p, tuple) and len(p) == 2 for p in v):   # a map's pairs
            return {str(k): _generic(x, f"{where}.{k}") for k, x in v if x is not None}
        return [None if x is None else _generic(x, where) for x in v]
    return _scalar(v, ANY, where)


_JSON_START = frozenset('-0123456789"tfn[{')


def _text(cell: str, where: str) -> Any:
    """A text cell of a field that is not text: the JSON it holds, else itself."""
    stripped = cell.strip()
    if not stripped or stripped[0] not in _JSON_START:
        return cell
    try:
        value = _DECODER.decode(stripped)
    except (ValueError, RecursionError) as exc:
        if stripped[0] in "[{":
            raise _BadCell(where, f"`{where}` is not JSON text ({_reason(exc)})") from None
        return cell
    return _ABSENT if value is None else value


def _json_text(cell: Any, where: str) -> Any:
    if not isinstance(cell, str):
        raise _BadCell(where, f"`{where}` should hold JSON text")
    try:
        value = _DECODER.decode(cell)
    except (ValueError, RecursionError) as exc:
        raise _BadCell(where, f"`{where}` is not JSON text ({_reason(exc)})") from None
    return _ABSENT if value is None else value


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg.lower()} at column {exc.colno}"
    return str(exc) if not isinstance(exc, RecursionError) else "nested too deeply"
