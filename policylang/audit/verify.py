"""Verifying a decision log: every logged case decided again, and what would now differ.

Takes: the lines of a decision log (`log.py`), a checked library (the installed one by default),
an engine kind, and whether a library other than the logged one may re-decide
(`allow_library_change`).
Returns: a `Verification`: for each line, whether the decision is the same, differs (with the
fields that differ and both outcomes), was refused (the line's library digest is not the
installed library's), or could not be read.
Guarantees:
- each case is decided as it was: the logged case as read, with the logged `date` default,
  `as_of`, review threshold, `explain` and reviewer's verdicts, by the engine asked for (both
  engines agree byte for byte, so the logged engine need not be the one that verifies);
- a decision is compared field by field as `eval --format json` prints it, `library` aside (the
  digest is compared before deciding; a new package version over the same `.ecp` files is still
  verified, so a change in policylang's own meaning shows as a difference);
- reading: a line whose library digest differs from the installed library's is *refused* unless
  `allow_library_change`, because its decision cannot be verified with a law that is not the one
  that made it; with `allow_library_change` it is decided with the installed library and any
  difference is reported: what would change if it were decided today.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any, Iterable

import attrs

from policylang.eval.cases import RawCase
from policylang.eval.law import library_identity
from policylang.program import Program

SAME, DIFFERS, REFUSED, UNREADABLE = "same", "differs", "refused", "unreadable"
_FIELDS = ("decision_id", "library", "options", "origin", "case", "decision")


@attrs.frozen
class Checked:
    """One line of the log, verified."""
    line: int
    status: str
    decision_id: str | None = None
    case_id: Any = None
    was: str | None = None              # the logged outcome
    now: str | None = None              # the outcome decided again
    fields: tuple[str, ...] = ()        # the decision's fields that differ
    digest: str | None = None           # the logged library digest
    problem: str | None = None          # why a line could not be read or decided

    def to_json(self) -> dict:
        return {k: v for k, v in attrs.asdict(self).items() if v not in (None, ())} | {"fields": list(self.fields)}


@attrs.frozen
class Verification:
    installed: str                      # the installed library's digest
    checked: tuple[Checked, ...]

    def count(self, status: str) -> int:
        return sum(1 for c in self.checked if c.status == status)


class Verifier:
    """Re-decides logged cases with one library; an engine per set of logged options."""

    def __init__(self, program: Program, engine: str = "compiled", allow_library_change: bool = False):
        self.program, self.kind, self.allow = program, engine, allow_library_change
        self.identity = library_identity(program)
        self._engines: dict[tuple, Any] = {}

    def verify(self, lines: Iterable[str]) -> Verification:
        return Verification(self.identity.digest, tuple(self.check(n, text) for n, text in enumerate(lines, 1)
                                                        if text.strip()))

    def check(self, number: int, text: str) -> Checked:
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            missing = [f for f in _FIELDS if f not in record]
            if missing:
                raise ValueError(f"no `{missing[0]}`")
            exact = json.loads(text, parse_float=Decimal, parse_int=Decimal)
            digest = record["library"]["digest"]
            logged = record["decision"]
            options = record["options"]
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            return Checked(number, UNREADABLE, problem=f"not a decision log line: {exc}")
        base = dict(decision_id=record.get("decision_id"), case_id=logged.get("id"), was=logged.get("outcome"),
                    digest=digest)
        if digest != self.identity.digest and not self.allow:
            return Checked(number, REFUSED, **base)
        try:
            engine = self._engine(options)
            raw = RawCase(exact["case"], record["origin"], record.get("case_error"))
            decision = engine.decide(raw, _day(options.get("date")), _day(options.get("as_of"))).to_json()
        except _Unusable as exc:
            return Checked(number, UNREADABLE, problem=str(exc), **base)
        now = json.loads(json.dumps(decision, ensure_ascii=False))
        fields = tuple(k for k in dict.fromkeys([*logged, *now]) if k != "library" and logged.get(k) != now.get(k))
        return Checked(number, DIFFERS if fields else SAME, now=now.get("outcome"), fields=fields, **base)

    def _engine(self, options: dict):
        from policylang.engines import engine
        from policylang.semantics.dispositions import from_records

        records = options.get("dispositions") or []
        key = (options.get("review_threshold"), bool(options.get("explain")), json.dumps(records, sort_keys=True))
        if key not in self._engines:
            dispositions = None
            if records:
                dispositions, problems = from_records(records, self.program.entity_lists)
                if dispositions is None:
                    raise _Unusable("its reviewer's verdicts do not fit the library: "
                                    + "; ".join(p.message for p in problems if p.is_error))
            threshold = options.get("review_threshold")
            if not isinstance(threshold, (int, float)):
                raise _Unusable("no review threshold in its options")
            self._engines[key] = engine(self.program, self.kind, float(threshold), dispositions,
                                        bool(options.get("explain")))
        return self._engines[key]


class _Unusable(Exception):
    """A logged line whose options cannot be used with this library."""


def _day(text: Any) -> datetime.date | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _Unusable(f"its date option `{text}` is not a date") from None
