"""Running `policylang eval` over inputs of any size: streamed, in order, on one core or many.

Takes: the names of case inputs (`.json` files, `.jsonl` files, `-` for standard input) and an
`EvalJob` (the library, the engine, the date default, the output format, the review threshold,
and what `--as-of`, `--explain`, `--dispositions` and `--log` ask for); or chunks of table rows
(`TableChunk`, from `policylang.tables.sources`).
Returns: for each case, in input order, a `Decided`: the decision rendered in the output format,
with the facts the summary counts (outcome, near matches, needs review) and, with `--log`, its
line of the decision log (made where the case is decided, `audit/log.py`); for a chunk of rows, a
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
- every input is read within the limits (`policylang.limits`): a JSON line over `case_bytes` is
  skipped past without being kept (its case gets E518), a document over `document_bytes` is not
  parsed (one E518 decision), so no input can exhaust memory;
- a fault while reading, deciding or writing one case becomes that case's `error` decision
  (E499, labelled as policylang's fault), never the run's; an `id` of any JSON type is echoed
  as the JSON value it was given as.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import gc
import json
import os
import stat
import sys
from collections import deque
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import attrs

from policylang import limits
from policylang.diagnostics import error
from policylang.eval.raw import RawCase, case_id, decode, from_line, json_text, split_cases, too_long
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
    explain: bool = False                      # `--explain`
    dispositions: tuple[dict, ...] = ()        # `--dispositions`: the verdicts, as the file writes them
    log: Any = None                            # `--log`: a `audit.log.LogContext`, the fixed part of each line
    colour: bool = False                       # text decisions for a terminal that wants colour

    def make_engine(self, program):
        """The engine this job decides with, for a checked program."""
        from policylang.engines import engine as make_engine
        dispositions = None
        if self.dispositions:
            from policylang.semantics.dispositions import from_records
            dispositions, _ = from_records(list(self.dispositions), program.entity_lists)
        return make_engine(program, self.engine, self.review_threshold, dispositions, self.explain)
    bounds: limits.Limits = attrs.field(factory=limits.current)   # the limits, for worker processes


@attrs.frozen
class Decided:
    """One case decided and rendered, with what the summary counts (and, with `--log`, its line
    of the decision log)."""
    text: str
    outcome: str
    near_matches: int
    needs_review: bool
    log: str | None = None


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
    parsed where it is decided, `("long", size, origin)` for one over `case_bytes`, which was not
    kept, or `("raw", RawCase, origin)`), and the input's shape: JSON lines (`LINES`), a JSON
    array (`ARRAY`) or one JSON document (`SINGLE`); JSON output follows it."""
    if name == "-":
        return _stdin_units(sys.stdin.buffer)
    path = Path(name)
    if name.endswith(".jsonl"):
        return _line_units(path.open("rb"), name, close=True), LINES
    with path.open("rb") as stream:
        return _document_units(_read_bounded(stream), name)


def _read_bounded(stream: BinaryIO, start: bytes = b"") -> bytes | str:
    """The bytes of a document read whole, or, when it is over `document_bytes`, its size as
    text (no more is read: a device or a pipe that never ends costs neither memory nor time)."""
    bound = limits.current().document_bytes
    data = start + stream.read(max(0, bound + 1 - len(start)))
    if len(data) <= bound:
        return data
    try:
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode):
            return str(info.st_size)
    except (OSError, ValueError, AttributeError):
        pass
    return f"more than {bound}"


def _document_units(data: bytes | str | int, name: str) -> tuple[Iterator[tuple], str]:
    if not isinstance(data, bytes):
        raw = RawCase(None, name, problems=(error("E518", path="", what="input", size=data,
                                                  limit=limits.current().document_bytes,
                                                  help="give the cases as JSON lines (`.jsonl`), which are "
                                                       "read one at a time, or raise the limit: "
                                                       "`--limit document_bytes=N`"),))
        return iter([("raw", raw, name)]), SINGLE
    raws = split_cases(data.decode("utf-8", "surrogateescape"), name)
    array = bool(raws) and raws[0].origin.startswith(f"{name}[")
    lines = bool(raws) and raws[0].origin.startswith(f"{name}:")
    return (("raw", raw, raw.origin) for raw in raws), ARRAY if array else LINES if lines else SINGLE


def _line_units(stream: BinaryIO, name: str, first: bytes | None = None, number: int = 0,
                close: bool = False) -> Iterator[tuple]:
    try:
        lines = _lines(stream) if first is None else _prepend(first, _lines(stream))
        for line in lines:
            number += 1
            if number == 1 and type(line) is bytes and line.startswith(BOM):
                line = line[len(BOM):]
            if type(line) is int:
                yield ("long", line, f"{name}:{number}")
            elif line.strip():
                yield ("line", line, f"{name}:{number}")
    finally:
        if close:
            stream.close()


def _lines(stream: BinaryIO) -> Iterator[bytes | int]:
    """The lines of a stream, split on `\\n` alone; a line over `case_bytes` as its length, its
    bytes read past and dropped, so that memory stays bounded whatever the input."""
    bound = limits.current().case_bytes
    while line := stream.readline(bound + 2):
        if len(line) <= bound + 1 or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while (more := stream.readline(1 << 20)) and not more.endswith(b"\n"):
            size += len(more)
        yield size + len(more)


def _prepend(first: bytes, rest: Iterator) -> Iterator:
    yield first
    yield from rest


def _stdin_units(stream: BinaryIO) -> tuple[Iterator[tuple], str]:
    """Standard input is JSON lines when its first non-blank line is a whole JSON object, and is
    then streamed; otherwise it is read whole as one JSON document (within `document_bytes`)."""
    bound = limits.current().document_bytes
    skipped = 0
    while first := stream.readline(bound + 1):
        skipped += 1
        if first.strip():
            break
    else:
        return iter(()), SINGLE
    if _is_object(first):
        return _line_units(stream, "-", first=first, number=skipped - 1), LINES
    return _document_units(_read_bounded(stream, first), "-")


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(decode(line.lstrip(BOM).decode("utf-8", "surrogateescape")), dict)
    except (ValueError, RecursionError):
        return False


def raw_case(unit: tuple) -> RawCase:
    """The case a work unit holds, parsed as the contract reads JSON (numbers as decimals)."""
    kind, payload, origin = unit
    if kind == "raw":
        return payload
    if kind == "long":
        return too_long(origin, payload)
    return from_line(payload, origin)


# ------------------------------------------------------------------ deciding

class Decider:
    """An engine with the way its decisions are rendered: what runs in each worker."""

    def __init__(self, job: EvalJob, engine=None, freeze: bool = True):
        if engine is None:
            from policylang.library import load
            program, diags = load(list(job.paths), with_stdlib=job.with_stdlib)
            if program is None:   # pragma: no cover - the command checked the library first
                raise RuntimeError("the library does not check")
            engine = job.make_engine(program)
        self.engine, self.job = engine, job
        from policylang.colour import ansi, plain
        self._paint = ansi() if job.colour else plain
        self._rows = None
        # The library, its AST and the generated code live as long as the process: keep them out
        # of the cyclic collector's full passes, which would otherwise walk them again and again
        # while cases stream through (a tenth of the time on long inputs). A decider made for
        # one request of the service (`freeze=False`) must not: each request's garbage would stay.
        if freeze:
            gc.freeze()

    def decide_raw(self, raw: RawCase, as_of: datetime.date | None | str = "job") -> Decision:
        """The one decision function of every input form: the engine's, as the job asks (or as
        of another date: `rescreen` decides each row as of two)."""
        try:
            return self.engine.decide(raw, self.job.default_date, self.job.as_of if as_of == "job" else as_of)
        except Exception as exc:  # a fault of policylang in one case never stops the others
            return attrs.evolve(fault_decision(exc, case_id(raw), self.engine.law.identity),
                                explanation=() if self.job.explain else None)

    def decide(self, unit: tuple, fmt: str | None = None) -> Decided:
        fmt = fmt or self.job.fmt
        raw = None
        try:
            raw = raw_case(unit)
            return self._decided(raw, self.decide_raw(raw), fmt)
        except Exception as exc:  # a fault of policylang in one case never stops the others
            decision = fault_decision(exc, None if raw is None else case_id(raw), self.engine.law.identity)
            try:
                text = render(decision, fmt)
            except Exception:     # the id itself cannot be written: the fault is still this case's
                decision = attrs.evolve(decision, id=None)
                text = render(decision, fmt)
            return Decided(text, decision.outcome, len(decision.screening), decision.needs_review)

    def _decided(self, raw: RawCase, decision: Decision, fmt: str | None) -> Decided:
        """The decision rendered in `fmt` (None: not rendered, a table encodes it), with its log line."""
        line = self.job.log.line(raw, decision) if self.job.log is not None else None
        text = render(decision, fmt, raw.origin, self._paint) if fmt is not None else ""
        return Decided(text, decision.outcome, len(decision.screening), decision.needs_review, line)

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
                facts.append(self._decided(raw, d, None))
                found.append(d.to_json())
            from policylang.tables import decisions as columns
            if output == ARROW:
                schema = columns.arrow_schema(self.job.as_of is not None, self.job.explain)
                return DecidedChunk(facts, columns.record_batch(found, schema))
            return DecidedChunk(facts, [columns.csv_row(d) for d in found])
        return DecidedChunk([self._decided(raw, self.decide_raw(raw), output) for raw in raws])


def fault_decision(exc: Exception, case_id: Any, library: Any) -> Decision:
    """The decision for a case whose deciding raised: an error labelled as policylang's fault
    (E499), with the exception in one line, cut, and nothing in it that cannot be written."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())
    detail = detail.encode("utf-8", "replace").decode("utf-8")
    if len(detail) > FAULT_DETAIL:
        detail = detail[: FAULT_DETAIL - 1] + "…"
    return Decision(case_id, None, "error", errors=(error("E499", path="", detail=detail),), library=library)


FAULT_DETAIL = 200


def output_format(fmt: str, shape: str) -> str:
    """How each decision is rendered: JSON decisions of JSON lines are one line each."""
    return "jsonl" if fmt == "json" and shape == LINES else fmt


# Built once: `json.dumps` with options builds a new encoder per call.
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False)
_INDENT_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)
_PLAIN_ID = (str, type(None), bool)


def render(decision: Decision, fmt: str, origin: str | None = None, paint=None) -> str:
    """A decision as text, one JSON line (`jsonl`) or indented JSON. An `id` that is not text
    (any JSON value may be an id) is written as the JSON text it was given as."""
    if fmt == "text":
        if decision.id is not None and type(decision.id) is not str:
            decision = attrs.evolve(decision, id=json_text(decision.id, None))
        return render_text(decision, origin, paint)
    encoder = _LINE_ENCODER if fmt == "jsonl" else _INDENT_ENCODER
    if type(decision.id) in _PLAIN_ID:
        return encoder.encode(decision.to_json())
    data = decision.to_json()
    data["id"] = _ID_PLACE          # the first key: its value is the first string written
    return encoder.encode(data).replace(_ENCODED_ID_PLACE, json_text(decision.id, encoder.indent, 1), 1)


_ID_PLACE = "policylang:id"
_ENCODED_ID_PLACE = json.dumps(_ID_PLACE)


_WORKER: Decider | None = None


def _start_worker(job: EvalJob) -> None:
    global _WORKER
    limits.use(job.bounds)
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
