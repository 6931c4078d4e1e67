"""`policylang eval` where tables are involved: table inputs (`.csv`, `.parquet`, globs, `--query`)
or a table output (`--output x.parquet|.csv|.duckdb`).

Takes: the command's inputs (table files, globs and JSON inputs, in order), an optional SQL query
and DuckDB database, the `Decider` and worker `Pool` of the run, the output path and format, and
the `Report` that counts.
Returns: nothing; writes the decisions and counts them. Raises `SourceError` or `MissingExtra`
(the command reports either in one line and exits 2).
Guarantees: the inputs are read in the order given (a glob's files sorted), each in chunks, and
decided by the runner (`Decider.decide_table`, in the workers with `--jobs`); the output gets one
decision per row in, in order, written as the chunks come back, so memory stays flat. What the
output needs (pyarrow, duckdb) is checked before the first row is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, TextIO

from policylang.eval import runner
from policylang.eval.report import Report
from policylang.tables import is_table, need, sinks, sources


def total_rows(inputs: tuple[str, ...], query: str | None) -> int | None:
    """The number of rows when every input says it up front (Parquet metadata), for a progress bar."""
    files = _files(inputs)
    if query is not None or not files or not all(f.lower().endswith(".parquet") for f in files):
        return None
    parquet = need("pyarrow.parquet", "reading Parquet")
    try:
        return sum(parquet.ParquetFile(f).metadata.num_rows for f in files)
    except (OSError, ValueError) as exc:      # ArrowInvalid is a ValueError: not Parquet
        raise sources.SourceError(f"cannot read Parquet: {exc}") from None


def run(inputs: tuple[str, ...], query: str | None, database: str | None, decider: runner.Decider,
        pool: runner.Pool | None, output: Path | None, fmt: str, report: Report, out: TextIO,
        write_text, log=None) -> None:
    """Decide every row of the inputs and write the decisions (see the module's contract).
    `write_text(out, decided, fmt, shape, flush)` writes rendered decisions (the command's own,
    which logs them); a table output's decisions go to `log` (an `audit.log.DecisionLog`), a
    chunk at a time, before the chunk is written."""
    encoding = sinks.table_output(output)
    if encoding == runner.ARROW:
        need("pyarrow", f"writing `{output}`")
        if output.suffix.lower() == ".duckdb":
            need("duckdb", f"writing `{output}`")
    per_case = encoding or runner.output_format(fmt, runner.LINES)
    chunks = chunks_of(inputs, query, database)
    decided = pool.decide_tables(chunks, per_case) if pool else \
        (decider.decide_table(chunk, per_case) for chunk in chunks)
    if encoding is None:
        write_text(out, report.count(d for chunk in decided for d in chunk.decided), fmt, runner.LINES,
                   flush=False)
        return
    sink = sinks.open_sink(output, decider.job.as_of is not None, decider.job.explain)
    try:
        for chunk in decided:
            for d in report.count(chunk.decided):
                if log is not None:
                    log.add(d.log)
            sink.write(chunk.payload)
    finally:
        sink.close()


def chunks_of(inputs: tuple[str, ...], query: str | None, database: str | None) -> Iterator:
    """Every input's rows in chunks, in order (the query's first): table chunks, or lists of
    JSON work units. What cannot be read at all (a missing file, a glob that matches nothing, a
    query DuckDB rejects) raises `SourceError` here, before any row is decided."""
    files = _files(inputs)
    for file in files:
        if file != "-" and not Path(file).is_file():
            raise sources.SourceError(f"cannot read `{file}`: no such file")
    queried = sources.query_chunks(query, database) if query is not None else iter(())
    return _chunks(queried, files)


def _files(inputs: tuple[str, ...]) -> list[str]:
    """The files the inputs name, in order: each glob's matches, sorted."""
    return [file for name in inputs for file in (sources.expand(name) if is_table(name) else [name])]


def _chunks(queried: Iterator, files: list[str]) -> Iterator:
    yield from queried
    for file in files:
        if is_table(file):
            yield from sources.chunks(file)
        else:
            units, _ = runner.units_of(file)
            yield from runner.in_batches(units, runner.STREAM_CHUNK if file == "-" else runner.CHUNK)
