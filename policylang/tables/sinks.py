"""Where `policylang eval --output` writes decisions as a table: Parquet, CSV or a DuckDB database.

Takes: the output path (its suffix says the kind), whether decisions carry `as_of`, then the
decided chunks in order (`runner.DecidedChunk`: an Arrow record batch or CSV rows each).
Returns: `table_output(path)`, the runner's encoding a path wants (`runner.ARROW`,
`runner.CSV_ROWS`) or None when it is no table (`.jsonl` and the rest are rendered as text);
`open_sink(path, as_of, explain)`, a sink with `write(payload)` and `close()`.
Guarantees: rows are written in the order given, one per decision; memory stays flat (a Parquet
row group or a DuckDB insert holds at most `GROUP_ROWS` decisions, and at most one group is
being written while the next gathers); the file is complete only after `close()`. A group is
encoded, compressed and written on a thread of its own (Arrow and DuckDB let go of the GIL), so
the deciding goes on meanwhile. A `.duckdb` output is a database file whose table `decisions` (replaced if it
exists) holds the rows. Columns are `decisions.columns(as_of, explain)`.
"""

from __future__ import annotations

import csv
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from policylang.eval.runner import ARROW, CSV_ROWS
from policylang.tables import decisions as columns
from policylang.tables import need

GROUP_ROWS = 16_384      # decisions in one Parquet row group, or one DuckDB insert
TABLE = "decisions"      # the table of a `.duckdb` output


def table_output(path: Path | None) -> str | None:
    """The encoding a decided chunk needs for this output, or None (rendered as text)."""
    suffix = path.suffix.lower() if path is not None else ""
    return {".parquet": ARROW, ".duckdb": ARROW, ".csv": CSV_ROWS}.get(suffix)


def open_sink(path: Path, as_of: bool, explain: bool = False):
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return CsvSink(path, as_of, explain)
    if suffix == ".duckdb":
        return DuckdbSink(path, as_of, explain)
    return ParquetSink(path, as_of, explain)


class _Grouped:
    """Record batches gathered into groups of about `GROUP_ROWS` rows, each written on the
    writer thread while the next gathers."""

    def __init__(self) -> None:
        self.pending: list = []
        self.rows = 0
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="policylang-writer")
        self._writing: Future | None = None

    def write(self, batch) -> None:
        self.pending.append(batch)
        self.rows += batch.num_rows
        if self.rows >= GROUP_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            pa = need("pyarrow", "writing decisions as a table")
            table = pa.Table.from_batches(self.pending, schema=self.schema)
            self.pending, self.rows = [], 0
            self.wait()
            self._writing = self._thread.submit(self.write_table, table)

    def wait(self) -> None:
        """Until the group being written is written (its error, if any, raised here)."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            writing.result()

    def finish(self) -> None:
        try:
            self.flush()
            self.wait()
        finally:
            self._thread.shutdown()

    def write_table(self, table) -> None:    # pragma: no cover - each sink has its own
        raise NotImplementedError


class ParquetSink(_Grouped):
    def __init__(self, path: Path, as_of: bool, explain: bool = False):
        super().__init__()
        parquet = need("pyarrow.parquet", f"writing `{path}`")
        self.schema = columns.arrow_schema(as_of, explain)
        self.writer = parquet.ParquetWriter(str(path), self.schema, compression="zstd")

    def write_table(self, table) -> None:
        self.writer.write_table(table, row_group_size=GROUP_ROWS)

    def close(self) -> None:
        try:
            self.finish()
        finally:
            self.writer.close()


class DuckdbSink(_Grouped):
    def __init__(self, path: Path, as_of: bool, explain: bool = False):
        super().__init__()
        duckdb = need("duckdb", f"writing `{path}`")
        pa = need("pyarrow", f"writing `{path}`")
        self.schema = columns.arrow_schema(as_of, explain)
        self.connection = duckdb.connect(str(path))
        empty = pa.Table.from_batches([], schema=self.schema)
        self.connection.register("policylang_rows", empty)
        self.connection.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM policylang_rows")
        self.connection.unregister("policylang_rows")

    def write_table(self, table) -> None:
        self.connection.register("policylang_rows", table)
        self.connection.execute(f"INSERT INTO {TABLE} SELECT * FROM policylang_rows")
        self.connection.unregister("policylang_rows")

    def close(self) -> None:
        try:
            self.finish()
        finally:
            self.connection.close()


class CsvSink:
    def __init__(self, path: Path, as_of: bool, explain: bool = False):
        self.stream = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.stream)
        self.writer.writerow(columns.csv_header(as_of, explain))

    def write(self, rows: list[list[Any]]) -> None:
        self.writer.writerows(rows)

    def close(self) -> None:
        self.stream.close()
