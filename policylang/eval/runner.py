"""Running `policylang eval` over inputs of any size: streamed, in order, on one core or many.

Takes: the names of case inputs (`.json` files, `.jsonl` files, `-` for standard input) and an
`EvalJob` (the library, the engine, the date default, the output format, the review threshold,
and what `--as-of`, `--explain`, `--dispositions` and `--log` ask for).
Returns: for each case, in input order, a `Decided`: the decision rendered in the output format,
with the facts the summary counts (outcome, near matches, needs review) and, with `--log`, its
line of the decision log (made where the case is decided, `audit/log.py`).
Guarantees:
- JSON lines are read and decided one line at a time: the first decision is out before the
  second line is read, and memory stays flat on any input size; a line is split on `\\n` only and
  decoded on its own, so a line that is not UTF-8 is that case's error and no other's;
- `jobs > 1` decides in worker processes, each with the library loaded once; the output is
  byte-identical to `jobs = 1` (chunks are written back in input order, with a bounded number
  in flight, so memory stays flat too);
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
    explain: bool = False                      # `--explain`
    dispositions: tuple[dict, ...] = ()        # `--dispositions`: the verdicts, as the file writes them
    log: Any = None                            # `--log`: a `audit.log.LogContext`, the fixed part of each line

    def make_engine(self, program):
        """The engine this job decides with, for a checked program."""
        from policylang.engines import engine as make_engine
        dispositions = None
        if self.dispositions:
            from policylang.semantics.dispositions import from_records
            dispositions, _ = from_records(list(self.dispositions), program.entity_lists)
        return make_engine(program, self.engine, self.review_threshold, dispositions, self.explain)


@attrs.frozen
class Decided:
    """One case decided and rendered, with what the summary counts (and, with `--log`, its line
    of the decision log)."""
    text: str
    outcome: str
    near_matches: int
    needs_review: bool
    log: str | None = None


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
            from policylang.library import load
            program, diags = load(list(job.paths), with_stdlib=job.with_stdlib)
            if program is None:   # pragma: no cover - the command checked the library first
                raise RuntimeError("the library does not check")
            engine = job.make_engine(program)
        self.engine, self.job = engine, job
        # The library, its AST and the generated code live as long as the process: keep them out
        # of the cyclic collector's full passes, which would otherwise walk them again and again
        # while cases stream through (a tenth of the time on long inputs).
        gc.freeze()

    def decide(self, unit: tuple, fmt: str | None = None) -> Decided:
        raw = raw_case(unit)
        try:
            decision = self.engine.decide(raw, self.job.default_date, self.job.as_of)
        except Exception as exc:  # a fault of policylang in one case never stops the others
            decision = Decision(_id_of(raw), None, "error", errors=(error(
                "E499", path="", detail=f"{type(exc).__name__}: {exc}"),), library=self.engine.law.identity,
                explanation=() if self.job.explain else None)
        line = self.job.log.line(raw, decision) if self.job.log is not None else None
        return Decided(render(decision, fmt or self.job.fmt), decision.outcome, len(decision.screening),
                       decision.needs_review, line)

    def decide_chunk(self, units: list[tuple], fmt: str | None = None) -> list[Decided]:
        return [self.decide(u, fmt) for u in units]


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


class Pool:
    """Worker processes deciding chunks of cases; results come back in input order."""

    def __init__(self, job: EvalJob, jobs: int):
        self.jobs = jobs
        self.executor = concurrent.futures.ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(job,))

    def decide(self, units: Iterable[tuple], chunk: int, fmt: str) -> Iterator[Decided]:
        in_flight: deque = deque()
        batch: list[tuple] = []
        for unit in units:
            batch.append(unit)
            if len(batch) >= chunk:
                in_flight.append(self.executor.submit(_work, batch, fmt))
                batch = []
                while len(in_flight) > 2 * self.jobs or (in_flight and in_flight[0].done()):
                    yield from in_flight.popleft().result()
        if batch:
            in_flight.append(self.executor.submit(_work, batch, fmt))
        while in_flight:
            yield from in_flight.popleft().result()

    def close(self) -> None:
        self.executor.shutdown(cancel_futures=True)
