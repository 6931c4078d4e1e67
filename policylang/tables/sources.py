"""Where `policylang eval` reads table rows: CSV and Parquet files, globs of them, and SQL run by an
embedded DuckDB.

Takes: input names (a `.csv` or `.parquet` file, or a glob such as `ledger/*.parquet`), or an SQL
query with an optional DuckDB database file to run it in.
Returns: `expand(name)`, the files a name stands for; `chunks(name, rows)` and `query_chunks(sql,
database, rows)`, iterators of `TableChunk`s of at most `rows` rows, in the input's order.
Guarantees: streamed: a Parquet file is read a batch at a time, a CSV a block of rows at a time,
a query's result a record batch at a time, so memory stays flat on any size. Parquet and query
batches are read one ahead on a thread of their own (Arrow and DuckDB decode without the GIL),
so reading goes on while rows are decided. Rows are numbered
from 1 within each file (`ledger.csv:row 17`; a query's rows are `query:row N`). A CSV row that
the CSV reader cannot take, or that is not UTF-8, is passed on as a row holding the problem
(mapped to an error decision), and reading goes on. pyarrow and duckdb are imported here only.
"""

from __future__ import annotations

import csv
import glob
import queue
import sys
import threading
from pathlib import Path
from typing import Iterator

from policylang.eval.runner import TableChunk
from policylang.tables import GLOB_CHARACTERS, need

ROWS = 2048              # rows in a chunk: a worker's unit of work


class SourceError(Exception):
    """An input that cannot be read at all (no such file, a query DuckDB rejects)."""


def expand(name: str) -> list[str]:
    """The files a name stands for: a glob's matches, sorted; otherwise the name itself."""
    if not any(c in name for c in GLOB_CHARACTERS) or Path(name).exists():
        return [name]
    found = sorted(glob.glob(name, recursive=True))
    if not found:
        raise SourceError(f"no file matches `{name}`")
    return found


def chunks(name: str, rows: int = ROWS) -> Iterator[TableChunk]:
    """The rows of one CSV or Parquet file, in chunks."""
    if name.lower().endswith(".csv"):
        return _csv_chunks(name, rows)
    return _parquet_chunks(name, rows)


def _parquet_chunks(name: str, rows: int) -> Iterator[TableChunk]:
    parquet = need("pyarrow.parquet", f"reading `{name}`")
    try:
        file = parquet.ParquetFile(name)
    except (OSError, ValueError) as exc:      # ArrowInvalid is a ValueError: not Parquet
        raise SourceError(f"cannot read `{name}` as Parquet: {exc}") from None
    return _batch_chunks(_ahead(file.iter_batches(batch_size=rows)), name, file)


def _batch_chunks(batches, source: str, closing=None) -> Iterator[TableChunk]:
    first = 1
    try:
        for batch in batches:
            if batch.num_rows:
                yield TableChunk(source, first, batch)
                first += batch.num_rows
    finally:
        if closing is not None and hasattr(closing, "close"):
            closing.close()


def _csv_chunks(name: str, rows: int) -> Iterator[TableChunk]:
    try:
        stream = open(name, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise SourceError(f"cannot read `{name}`: {exc.strerror or exc}") from None
    return _csv_rows(stream, name, rows)


def _csv_rows(stream, name: str, rows: int) -> Iterator[TableChunk]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with stream:
        reader = csv.reader(stream)
        try:
            header = tuple(next(reader))
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(f"cannot read the header of `{name}`: {exc}") from None
        block: list[list[str]] = []
        first = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:          # this row only: the reader goes on with the next line
                cells = UnreadableRow(f"the CSV reader cannot take it ({exc})")
            if not cells:
                continue                       # a blank line is no row
            block.append(cells)
            if len(block) >= rows:
                yield TableChunk(name, first, block, header)
                first += len(block)
                block = []
        if block:
            yield TableChunk(name, first, block, header)


class UnreadableRow(list):
    """The cells of a CSV row that could not be read: none, and why (`mapping.csv_cases`)."""

    def __init__(self, why: str):
        super().__init__()
        self.why = why


def query_chunks(sql: str, database: str | None = None, rows: int = ROWS) -> Iterator[TableChunk]:
    """The result of an SQL query run by an embedded DuckDB (in `database`, a `.duckdb` file
    opened read-only, else in memory), in chunks."""
    duckdb = need("duckdb", "`--query`")
    need("pyarrow", "`--query`")
    try:
        connection = duckdb.connect(database or ":memory:", read_only=database is not None)
        relation = connection.sql(sql)
        if relation is None:
            raise SourceError("the query gives no rows: end it with a SELECT")
        # DuckDB 2 streams a relation with `to_arrow_reader`, 1.x with `fetch_arrow_reader`
        stream = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
        reader = stream(rows)
    except duckdb.Error as exc:
        raise SourceError(f"DuckDB cannot run the query: {exc}") from None
    return _batch_chunks(_ahead(_read_all(reader, connection)), "query")


_DONE = object()


def _ahead(items: Iterator, depth: int = 2) -> Iterator:
    """The items of an iterator, taken from it on a thread of their own, at most `depth` ahead
    of the consumer; its errors are raised in the consumer, in their place."""
    found: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def offer(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                found.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((item, None)):
                    return
            offer((_DONE, None))
        except BaseException as exc:      # handed to the consumer
            offer((_DONE, exc))

    thread = threading.Thread(target=produce, name="policylang-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = found.get()
            if exc is not None:
                raise exc
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _read_all(reader, connection) -> Iterator:
    try:
        while True:
            try:
                yield reader.read_next_batch()
            except StopIteration:
                return
    finally:
        connection.close()
