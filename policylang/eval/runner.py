"""Running `policylang eval` over inputs of any size: streamed, in order, on one core or many.

Takes: the names of case inputs (`.json` files, `.jsonl` files, `-` for standard input) and an
`EvalJob` (the library, the engine, the date default, the output format, the review threshold);
or chunks of table rows (`TableChunk`, from `policylang.tables.sources`).
Returns: for each case, in input order, a `Decided`: the decision rendered in the output format,
with the facts the summary counts (outcome, near matches, needs review); for a chunk of rows, a
`DecidedChunk`: its `Decided`s and the decisions encoded for a table output at once (an Arrow
record batch, or CSV rows).
Guarantees:
- JSON lines are read and decided one line at a time: the first decision is out before the
  second line is read, and memory stays flat on any input size; a line is split on `\\n` only and
  decoded on its own, so a line that is not UTF-8 is that case's error and no other's;
- `jobs > 1` decides in worker processes, each with the library loaded once; the output is
  byte-identical to `jobs = 1` (chunks are written back in input order, with a bounded number
  in flight, so memory stays flat too);
- table rows go through the same `Decider.decide_raw` as JSON cases (one decision function);
  a chunk of rows is mapped to cases, decided and encoded in the worker, so the main process only
  reads and writes;
- a fault while deciding one case becomes that case's `error` decision (E499), never the run's.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import gc
import json
import sys
from collections import deque
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import attrs

from policylang.diagnostics import error
from policylang.eval.cases import RawCase, split_cases
from policylang.eval.decision import Decision, render_text

CHUNK = 256            # cases a worker decides at a time
STREAM_CHUNK = 16      # the same, for standard input, which may arrive slowly
BOM = b"\xef\xbb\xbf"


@attrs.frozen
class EvalJob:
    """What a worker needs to decide cases as the command asked."""
    paths: tuple[str, ...]
    with_stdlib: bool
    engine: str
    review_threshold: float
    default_date: datetime.date | None
    fmt: str
    as_of: datetime.date | None = None


@attrs.frozen
class Decided:
    """One case decided and rendered, with what the summary counts."""
    text: str
    outcome: str
    near_matches: int
    needs_review: bool


@attrs.frozen
class TableChunk:
    """Rows of one table input, decided together: an Arrow record batch (`rows`, with `header`
    None) or CSV rows (lists of cells, under `header`); `first_row` numbers the first from 1."""
    source: str
    first_row: int
    rows: Any
    header: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.header is not None else self.rows.num_rows


@attrs.frozen
class DecidedChunk:
    """A chunk decided: the summary's facts of each row and the decisions for the output, as
    rendered texts (`Decided.text`) or, for a table output, as one `payload`."""
    decided: list[Decided]
    payload: Any = None

# What a table output wants of a chunk: an Arrow record batch, or CSV rows.
ARROW, CSV_ROWS = "arrow", "csv"


# ------------------------------------------------------------------ reading inputs

LINES, ARRAY, SINGLE = "lines", "array", "single"


def units_of(name: str) -> tuple[Iterator[tuple], str]:
    """The cases of one input as work units (`("line", bytes, origin)` for a JSON line, to be
    parsed where it is decided, or `("raw", RawCase, origin)`), and the input's shape: JSON lines
    (`LINES`), a JSON array (`ARRAY`) or one JSON document (`SINGLE`); JSON output follows it."""
    if name == "-":
        return _stdin_units(sys.stdin.buffer)
    path = Path(name)
    if name.endswith(".jsonl"):
        return _line_units(path.open("rb"), name, close=True), LINES
    return _document_units(path.read_bytes(), name)


def _document_units(data: bytes, name: str) -> tuple[Iterator[tuple], str]:
    text = data.decode("utf-8-sig", errors="replace")
    raws = split_cases(text, name)
    array = bool(raws) and raws[0].origin.startswith(f"{name}[")
    lines = bool(raws) and raws[0].origin.startswith(f"{name}:")
    return (("raw", raw, raw.origin) for raw in raws), ARRAY if array else LINES if lines else SINGLE


def _line_units(stream: BinaryIO, name: str, first: bytes | None = None, number: int = 0,
                close: bool = False) -> Iterator[tuple]:
    try:
        lines = stream if first is None else _prepend(first, stream)
        for line in lines:
            number += 1
            if number == 1 and line.startswith(BOM):
                line = line[len(BOM):]
            if line.strip():
                yield ("line", line, f"{name}:{number}")
    finally:
        if close:
            stream.close()


def _prepend(first: bytes, stream: BinaryIO) -> Iterator[bytes]:
    yield first
    yield from stream


def _stdin_units(stream: BinaryIO) -> tuple[Iterator[tuple], str]:
    """Standard input is JSON lines when its first non-blank line is a whole JSON object, and is
    then streamed; otherwise it is read whole as one JSON document."""
    skipped = 0
    for first in stream:
        skipped += 1
        if first.strip():
            break
    else:
        return iter(()), SINGLE
    try:
        if not isinstance(json.loads(first.lstrip(BOM)), dict):
            raise ValueError("not an object")
        return _line_units(stream, "-", first=first, number=skipped - 1), LINES
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _document_units(first + stream.read(), "-")


# Built once: `json.loads` and `json.dumps` with options build a new decoder or encoder per call.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False)
_INDENT_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)


def raw_case(unit: tuple) -> RawCase:
    """The case a work unit holds, parsed as the contract reads JSON (numbers as decimals)."""
    kind, payload, origin = unit
    if kind == "raw":
        return payload
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RawCase(None, origin, f"the line is not UTF-8 (byte {exc.start + 1})")
    try:
        return RawCase(_DECODER.decode(text), origin)
    except ValueError as exc:
        return RawCase(None, origin, f"{getattr(exc, 'msg', exc)} at column {getattr(exc, 'colno', '?')}")
    except RecursionError:
        return RawCase(None, origin, "nested too deeply")


# ------------------------------------------------------------------ deciding

class Decider:
    """An engine with the way its decisions are rendered: what runs in each worker."""

    def __init__(self, job: EvalJob, engine=None):
        if engine is None:
            from policylang.engines import engine as make_engine
            from policylang.library import load
            program, diags = load(list(job.paths), with_stdlib=job.with_stdlib)
            if program is None:   # pragma: no cover - the command checked the library first
                raise RuntimeError("the library does not check")
            engine = make_engine(program, job.engine, job.review_threshold)
        self.engine, self.job = engine, job
        self._rows = None
        # The library, its AST and the generated code live as long as the process: keep them out
        # of the cyclic collector's full passes, which would otherwise walk them again and again
        # while cases stream through (a tenth of the time on long inputs).
        gc.freeze()

    def decide_raw(self, raw: RawCase, as_of: datetime.date | None | str = "job") -> Decision:
        """The one decision function of every input form: the engine's, as the job asks (or as
        of another date: `rescreen` decides each row as of two)."""
        try:
            return self.engine.decide(raw, self.job.default_date, self.job.as_of if as_of == "job" else as_of)
        except Exception as exc:  # a fault of policylang in one case never stops the others
            return Decision(_id_of(raw), None, "error", errors=(error(
                "E499", path="", detail=f"{type(exc).__name__}: {exc}"),), library=self.engine.law.identity)

    def decide(self, unit: tuple, fmt: str | None = None) -> Decided:
        decision = self.decide_raw(raw_case(unit))
        return Decided(render(decision, fmt or self.job.fmt), decision.outcome, len(decision.screening),
                       decision.needs_review)

    def decide_chunk(self, units: list[tuple], fmt: str | None = None) -> list[Decided]:
        return [self.decide(u, fmt) for u in units]

    def table_cases(self, chunk: TableChunk) -> list[RawCase]:
        """The cases of a chunk of table rows (`policylang.tables.mapping`)."""
        if self._rows is None:
            from policylang.tables.mapping import RowReader
            self._rows = RowReader(self.engine.program)
        if chunk.header is not None:
            return self._rows.csv_cases(chunk.header, chunk.rows, chunk.source, chunk.first_row)
        return self._rows.cases(chunk.rows, chunk.source, chunk.first_row)

    def cases_of(self, chunk: TableChunk | list[tuple]) -> list[RawCase]:
        """The cases of a chunk: table rows, or JSON work units."""
        return self.table_cases(chunk) if isinstance(chunk, TableChunk) else [raw_case(u) for u in chunk]

    def decide_table(self, chunk: TableChunk | list[tuple], output: str) -> DecidedChunk:
        """A chunk of table rows (or of JSON work units) decided, and encoded for the output:
        `ARROW` or `CSV_ROWS` for a table, else a rendering format (`text`, `json`, `jsonl`)."""
        raws = self.cases_of(chunk)
        if output in (ARROW, CSV_ROWS):
            facts, found = [], []
            for raw in raws:     # each decision turned into JSON at once, while it is in the cache
                d = self.decide_raw(raw)
                facts.append(Decided("", d.outcome, len(d.screening), d.needs_review))
                found.append(d.to_json())
            from policylang.tables import decisions as columns
            if output == ARROW:
                return DecidedChunk(facts, columns.record_batch(found, columns.arrow_schema(self.job.as_of is not None)))
            return DecidedChunk(facts, [columns.csv_row(d) for d in found])
        return DecidedChunk([Decided(render(d, output), d.outcome, len(d.screening), d.needs_review)
                             for d in map(self.decide_raw, raws)])


def output_format(fmt: str, shape: str) -> str:
    """How each decision is rendered: JSON decisions of JSON lines are one line each."""
    return "jsonl" if fmt == "json" and shape == LINES else fmt


def render(decision: Decision, fmt: str) -> str:
    if fmt == "text":
        return render_text(decision)
    if fmt == "jsonl":
        return _LINE_ENCODER.encode(decision.to_json())
    return _INDENT_ENCODER.encode(decision.to_json())


def _id_of(raw: RawCase) -> Any:
    return raw.data.get("id") if isinstance(raw.data, dict) else None


_WORKER: Decider | None = None


def _start_worker(job: EvalJob) -> None:
    global _WORKER
    _WORKER = Decider(job)


def _work(units: list[tuple], fmt: str) -> list[Decided]:
    return _WORKER.decide_chunk(units, fmt)


def _work_table(chunk: TableChunk | list[tuple], output: str) -> DecidedChunk:
    return _WORKER.decide_table(chunk, output)


def worker() -> Decider:
    """The `Decider` of this worker process (for work functions given to `Pool.map_in_order`)."""
    return _WORKER


class Pool:
    """Worker processes deciding chunks of cases; results come back in input order."""

    def __init__(self, job: EvalJob, jobs: int):
        self.jobs = jobs
        self.executor = concurrent.futures.ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(job,))

    def decide(self, units: Iterable[tuple], chunk: int, fmt: str) -> Iterator[Decided]:
        for decided in self.map_in_order(_work, in_batches(units, chunk), fmt):
            yield from decided

    def decide_tables(self, chunks: Iterable[TableChunk | list[tuple]], output: str) -> Iterator[DecidedChunk]:
        """Chunks decided by `Decider.decide_table` in the workers, in input order."""
        return self.map_in_order(_work_table, chunks, output)

    def map_in_order(self, work, chunks: Iterable, *args) -> Iterator:
        """`work(chunk, *args)` for each chunk in the workers; results in input order, with at
        most about two chunks per worker in flight (so memory stays flat)."""
        in_flight: deque = deque()
        for chunk in chunks:
            in_flight.append(self.executor.submit(work, chunk, *args))
            while len(in_flight) > 2 * self.jobs or (in_flight and in_flight[0].done()):
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()

    def close(self) -> None:
        self.executor.shutdown(cancel_futures=True)


def in_batches(units: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    """Work units in lists of `size` (the last may be shorter)."""
    batch: list[tuple] = []
    for unit in units:
        batch.append(unit)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
