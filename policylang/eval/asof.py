"""Deciding a case as of another date than its own: the what-if of `eval --as-of`, the two
dates of `rescreen`, and any caller of the API.

Takes: an engine's own decide function, a raw case, the default date for cases without one,
and the date to decide as of.
Returns: the decision, saying both dates: `date` is the case's own (or the default), `as_of`
the date the law was applied as of. `AsOfDecider` gives an engine its public `decide` from its
own `_decide`.
Guarantees: one mechanism for every engine and input form. The case is decided exactly as if
its `date` were the as-of date: every clause's status, every list and control scope in force,
every condition on `date` and every due date follow the as-of date (the act is imagined on that
day). A case whose own date is given but unreadable is not moved: it gets its error decision,
as without `--as-of`.
"""

from __future__ import annotations

import datetime
from typing import Callable

import attrs

from policylang.eval.cases import RawCase, read_date  # noqa: F401 - RawCase in the signature
from policylang.eval.decision import Decision

Decide = Callable[[RawCase, "datetime.date | None"], Decision]


def decide_as_of(decide: Decide, raw: RawCase, default_date: datetime.date | None,
                 as_of: datetime.date) -> Decision:
    data = raw.data
    if not isinstance(data, dict):
        return attrs.evolve(decide(raw, default_date), as_of=as_of)
    given = data.get("date")
    own = read_date(given) if given is not None else default_date
    if given is not None and own is None:
        return attrs.evolve(decide(raw, default_date), as_of=as_of)
    moved = attrs.evolve(raw, data={**data, "date": as_of.isoformat()})   # its problems kept
    return attrs.evolve(decide(moved, default_date), date=own, as_of=as_of)


class AsOfDecider:
    """The public `decide` of an engine (both engines share it): its own `_decide(raw,
    default_date)`, or, with `as_of`, that one as of another date."""

    def _decide(self, raw: RawCase, default_date: datetime.date | None) -> Decision:
        raise NotImplementedError

    def decide(self, raw: RawCase, default_date: datetime.date | None = None,
               as_of: datetime.date | None = None) -> Decision:
        """The decision for one case; with `as_of`, as if its date were that day."""
        if as_of is not None:
            return decide_as_of(self._decide, raw, default_date, as_of)
        return self._decide(raw, default_date)
