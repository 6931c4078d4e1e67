"""The decision log: one JSON line per decision, appended, the audit trail of `eval --log FILE`.

Takes: for a run, the fixed part of every line (`LogContext`: the engine, the command line, the
library's identity, the options that shape a decision); for each case, the case as read and its
decision.
Returns: the line (`LogContext.line`), and `DecisionLog`, which appends lines to a file.
Guarantees:
- a line is one JSON object: `decision_id` (a random UUID), `evaluated_at` (UTC, ISO 8601 with
  `Z`), `engine`, `command` (the command line, as a list), `library` (`version`, `digest`,
  `checked_through`), `options` (`date`, `as_of`, `review_threshold`, `explain`, and the
  reviewer's verdicts on the case's party names, `dispositions`), `origin` (where the case was
  read), `case` (the case as read, numbers exactly as written; null, with `case_error`, when it
  could not be read as JSON) and `decision` (as `eval --format json` prints it);
- the file is opened for appending only and never truncated; lines are written in batches (each
  batch at most `BATCH` lines, and whatever is pending when the run streams standard input or
  ends), each batch with one write under an exclusive lock on the file (`flock` on POSIX) and
  synced to disk before the lock is released, so runs appending to one log at once never
  interleave or lose a line;
- the options and verdicts in a line are enough for `policylang log verify` to decide the case
  again as it was decided.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import attrs

try:                                    # POSIX; elsewhere each batch is still one appending write
    import fcntl
except ImportError:                     # pragma: no cover
    fcntl = None

BATCH = 256                             # lines written at a time


@attrs.frozen
class LogContext:
    """What every line of one run shares; `dispositions` are all the verdicts given (records)."""
    engine: str
    command: tuple[str, ...]
    library: dict
    date: datetime.date | None
    as_of: datetime.date | None
    review_threshold: float
    explain: bool
    dispositions: tuple[dict, ...] = ()

    def line(self, raw, decision) -> str:
        """The log line of one decided case."""
        options = {"date": _day(self.date), "as_of": _day(self.as_of), "review_threshold": self.review_threshold,
                   "explain": self.explain, "dispositions": self._concerning(raw.data)}
        head = {"decision_id": str(uuid.uuid4()),
                "evaluated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
                .replace("+00:00", "Z"),
                "engine": self.engine, "command": list(self.command), "library": self.library, "options": options,
                "origin": raw.origin}
        error = {"case_error": raw.parse_error} if raw.parse_error is not None else {}
        return exact_json({**head, "case": raw.data, **error, "decision": decision.to_json()})

    def _concerning(self, data: Any) -> list[dict]:
        if not self.dispositions:
            return []
        return _verdicts(self.dispositions).concerning(_names(data)).records()


_VERDICTS: dict[int, tuple[tuple, Any]] = {}


def _verdicts(records: tuple[dict, ...]):
    """The `Dispositions` of a run's verdicts, made once per run (the records kept, so their id
    stays theirs)."""
    found = _VERDICTS.get(id(records))
    if found is None or found[0] is not records:
        from policylang.semantics.dispositions import Dispositions, from_checked
        found = _VERDICTS[id(records)] = (records, Dispositions(from_checked(records)))
    return found[1]


def _names(data: Any) -> Iterator[str]:
    """Every text given as a `name` anywhere in a case (its parties, their owners, a served export)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, str):
                yield name
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def exact_json(value: Any) -> str:
    """JSON text of a value read with decimals: a number is written exactly as it was read.

    >>> exact_json({"value": Decimal("0.00014"), "n": [Decimal("1E+2"), True, None, "µm"]})
    '{"value": 0.00014, "n": [1E+2, true, null, "µm"]}'
    """
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else json.dumps(float(value))
    if isinstance(value, dict):
        return "{" + ", ".join(json.dumps(str(k), ensure_ascii=False) + ": " + exact_json(v)
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(exact_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class DecisionLog:
    """A decision log file, appended to in batches under an exclusive lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self.pending: list[str] = []

    def add(self, line: str | None) -> None:
        if line is None:
            return
        self.pending.append(line)
        if len(self.pending) >= BATCH:
            self.flush()

    def add_batch(self, lines: list[str]) -> None:
        """Write `lines`, with anything pending, as one batch (however many there are)."""
        self.pending.extend(lines)
        self.flush()

    def flush(self) -> None:
        """Write what is pending as one batch: locked, written whole, synced, unlocked."""
        if not self.pending:
            return
        data = "".join(line + "\n" for line in self.pending).encode("utf-8")
        self.pending = []
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
            os.fsync(self.fd)
        finally:
            if fcntl is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            os.close(self.fd)
