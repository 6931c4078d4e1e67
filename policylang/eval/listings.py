"""Reasons that rest on a reviewer's verdict: a `match` disposition that listed a party.

Takes: the `Law` (its screening with the reviewer's dispositions), a case as classified, its
date, and the reasons of its decision.
Returns: the reasons, each carrying the `match` verdicts it rests on (`Reason.listed_by`): those
without which its clause would not hold with its effect.
Guarantees: the same for every engine: the parties are found in the case (every `Party` record
in it, owners and served exports included), and whether a clause holds without a verdict is
decided by the reference evaluator. A verdict is left out one at a time; when no single one is
needed but all together are (two parties matched, either enough), the reason cites them all.
Without a `match` verdict on a party of the case the reasons are returned as they are, at no
cost.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterator

import attrs

from policylang.eval.combine import strongest
from policylang.eval.decision import Reason
from policylang.eval.expressions import Context, Evaluator
from policylang.eval.values import MISSING, RecordValue

PARTY_RECORD = "Party"


def cite_listings(law, case: RecordValue, day: datetime.date, reasons: list[Reason]) -> list[Reason]:
    screening = law.screening
    used = verdicts_used(screening, law.program.entity_lists, case, day)
    if not used:
        return reasons
    dispositions = screening.dispositions
    without_all = screening.reviewed(dispositions.concerning(()))
    found = []
    for reason in reasons:
        cited = tuple((name, d) for name, d in used
                      if _effect(law, case, day, reason, screening.reviewed(dispositions.without(d))) != reason.effect)
        if not cited and _effect(law, case, day, reason, without_all) != reason.effect:
            cited = tuple(used)
        found.append(attrs.evolve(reason, listed_by=cited) if cited else reason)
    return found


def verdicts_used(screening, lists, case: RecordValue, day: datetime.date) -> tuple[tuple[str, Any], ...]:
    """The (party name, `match` verdict) pairs that list a party of the case on the day, where
    nothing else (its `lists`, an exact match) does."""
    found: dict[tuple[str, Any], None] = {}
    for party in _parties(case):
        name = party.values.get("name", MISSING)
        if not isinstance(name, str):
            continue
        named = {getattr(n, "name", None) for n in party.values.get("lists", ()) or ()}
        for list_name in lists:
            if list_name in named or screening.matches(name, list_name, day) is not None:
                continue
            verdict = screening.listing(name, list_name, day)
            if verdict is not None:
                found[(name, verdict)] = None
    return tuple(found)


def _parties(value: Any) -> Iterator[RecordValue]:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, RecordValue):
            if v.type == PARTY_RECORD:
                yield v
            stack.extend(v.values.values())
        elif isinstance(v, tuple):
            stack.extend(v)


def _effect(law, case: RecordValue, day: datetime.date, reason: Reason, screening) -> str | None:
    """The effect the reason's clause has for the case with this screening (None: it does not hold)."""
    evaluator = Evaluator(Context(law.program, day, case, screening, lambda code: law.is_controlled(code, day)))
    effects = [r.effect for r in law.program.clauses[reason.key].rules if evaluator.truth(r.condition)]
    return strongest(effects) if effects else "none"
