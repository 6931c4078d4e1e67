"""Running `policylang eval` over inputs of any size: streamed, in order, on one core or many.

Takes: the names of case inputs (`.json` files, `.jsonl` files, `-` for standard input) and an
`EvalJob` (the library, the engine, the date default, the output format, the review threshold).
Returns: for each case, in input order, a `Decided`: the decision rendered in the output format,
with the facts the summary counts (outcome, near matches, needs review).
Guarantees:
- JSON lines are read and decided one line at a time: the first decision is out before the
  second line is read, and memory stays flat on any input size; a line is split on `\\n` only and
  decoded on its own, so a line that is not UTF-8 is that case's error and no other's;
- `jobs > 1` decides in worker processes, each with the library loaded once; the output is
  byte-identical to `jobs = 1` (chunks are written back in input order, with a bounded number
  in flight, so memory stays flat too);
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
from policylang.eval.raw import RawCase, case_id, from_line, json_text, split_cases, too_long
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
    bounds: limits.Limits = attrs.field(factory=limits.current)   # the limits, for worker processes


@attrs.frozen
class Decided:
    """One case decided and rendered, with what the summary counts."""
    text: str
    outcome: str
    near_matches: int
    needs_review: bool


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
        return isinstance(json.loads(line.lstrip(BOM)), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):
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

    def __init__(self, job: EvalJob, engine=None):
        if engine is None:
            from policylang.engines import engine as make_engine
            from policylang.library import load
            program, diags = load(list(job.paths), with_stdlib=job.with_stdlib)
            if program is None:   # pragma: no cover - the command checked the library first
                raise RuntimeError("the library does not check")
            engine = make_engine(program, job.engine, job.review_threshold)
        self.engine, self.job = engine, job
        # The library, its AST and the generated code live as long as the process: keep them out
        # of the cyclic collector's full passes, which would otherwise walk them again and again
        # while cases stream through (a tenth of the time on long inputs).
        gc.freeze()

    def decide(self, unit: tuple, fmt: str | None = None) -> Decided:
        fmt = fmt or self.job.fmt
        raw = None
        try:
            raw = raw_case(unit)
            decision = self.engine.decide(raw, self.job.default_date, self.job.as_of)
            text = render(decision, fmt)
        except Exception as exc:  # a fault of policylang in one case never stops the others
            decision = fault_decision(exc, None if raw is None else case_id(raw), self.engine.law.identity)
            try:
                text = render(decision, fmt)
            except Exception:     # the id itself cannot be written: the fault is still this case's
                decision = attrs.evolve(decision, id=None)
                text = render(decision, fmt)
        return Decided(text, decision.outcome, len(decision.screening), decision.needs_review)

    def decide_chunk(self, units: list[tuple], fmt: str | None = None) -> list[Decided]:
        return [self.decide(u, fmt) for u in units]


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


def render(decision: Decision, fmt: str) -> str:
    """A decision as text, one JSON line (`jsonl`) or indented JSON. An `id` that is not text
    (any JSON value may be an id) is written as the JSON text it was given as."""
    if fmt == "text":
        if decision.id is not None and type(decision.id) is not str:
            decision = attrs.evolve(decision, id=json_text(decision.id, None))
        return render_text(decision)
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
