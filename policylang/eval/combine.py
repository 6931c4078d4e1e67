"""Combining: from the clauses whose conditions hold to what applies (contract §4).

Takes: the `Law` of a library, a date, and for each clause whose condition holds for the case the
effects of its rules that hold (`holding`: clause -> effects, `None` for a rule with obligations
only). Clauses absent from `holding` do not hold.
Returns: `Combined`: the clauses that apply (with their effect), those set aside by an exception
(with the exceptions), and those that would apply but are suspended or not in force.
Guarantees: one definition of combining for every engine (the interpreter and the compiled
engine both call `combine`), over the holding clauses only:
- a clause *applies* when it holds, is in force, a clause it refines applies and requires a
  licence (when it refines any), a clause it is an exception to would apply but for its
  exceptions (when it is an exception to any), and no exception to it applies; an exemption with
  nothing to set aside says nothing;
- a clause that holds but is suspended or not in force is reported with its window, not applied;
- the result lists clauses in the library's order, so every engine reports them alike.
"""

from __future__ import annotations

import datetime
from typing import Mapping, NamedTuple, Sequence

from policylang.eval.law import Law
from policylang.program import ClauseKey
from policylang.semantics import outcomes, validity


class Combined(NamedTuple):
    """What combining found for one case."""
    applying: tuple[tuple[ClauseKey, str | None], ...]          # clause, its effect (or None)
    overridden: tuple[tuple[ClauseKey, tuple[ClauseKey, ...]], ...]
    sleeping: tuple[tuple[ClauseKey, validity.Status], ...]     # would apply: suspended or not in force


def strongest(effects: Sequence[str | None]) -> str | None:
    """The most restrictive effect of a clause's holding rules, or None (obligations only)."""
    if len(effects) == 1:
        return effects[0]
    present = [e for e in effects if e]
    return min(present, key=outcomes.rank) if present else None


def combine(law: Law, day: datetime.date, holding: Mapping[ClauseKey, Sequence[str | None]]) -> Combined:
    """Which of the holding clauses apply on `day`, and why the others do not."""
    if not holding:
        return NOTHING
    status = law.statuses_on(day)
    if law.related.isdisjoint(holding):
        return _unrelated(law, holding, status)
    effect = {k: strongest(v) for k, v in holding.items()}
    # Only holding clauses can apply, set aside or be set aside: relations to others are empty.
    refined = {k: [r for r in law.refined[k] if r in holding] for k in holding if law.refined[k]}
    excepted = {k: [t for t in law.excepted[k] if t in holding] for k in holding if law.excepted[k]}
    exceptions = {k: [e for e in law.exceptions_to[k] if e in holding] for k in holding}
    eligible_memo: dict[ClauseKey, bool] = {}
    applies_memo: dict[ClauseKey, bool] = {}
    would_memo: dict[ClauseKey, bool] = {}

    def eligible(k: ClauseKey) -> bool:  # applies but for the exceptions to it
        if k not in eligible_memo:
            eligible_memo[k] = False      # a cycle (the checker forbids them) applies nothing
            eligible_memo[k] = (status[k].in_force and refinement_met(k, applies)
                                and exception_scope_met(k, eligible))
        return eligible_memo[k]

    def applies(k: ClauseKey) -> bool:
        if k not in applies_memo:
            applies_memo[k] = False
            applies_memo[k] = eligible(k) and not set_aside_by(k)
        return applies_memo[k]

    def would_apply(k: ClauseKey) -> bool:  # ignoring time and exceptions, for reporting
        if k not in would_memo:
            would_memo[k] = False
            would_memo[k] = refinement_met(k, would_apply) and exception_scope_met(k, would_apply)
        return would_memo[k]

    def refinement_met(k: ClauseKey, pred) -> bool:
        if k not in refined:
            return True
        return any(pred(r) and outcomes.requires_license(effect[r]) for r in refined[k])

    def exception_scope_met(k: ClauseKey, pred) -> bool:
        if k not in excepted:
            return True
        return any(pred(t) for t in excepted[k])

    def set_aside_by(k: ClauseKey) -> tuple[ClauseKey, ...]:
        return tuple(e for e in exceptions[k] if applies(e))

    applying, overridden, sleeping = [], [], []
    for k in sorted(holding, key=law.position.__getitem__):
        if applies(k):
            applying.append((k, effect[k]))
        elif eligible(k):
            overridden.append((k, set_aside_by(k)))
        elif would_apply(k) and not status[k].in_force:
            sleeping.append((k, status[k]))
    return Combined(tuple(applying), tuple(overridden), tuple(sleeping))


NOTHING = Combined((), (), ())      # what combining finds when no clause holds


def _unrelated(law: Law, holding, status) -> Combined:
    """Combining when no holding clause refines, excepts or is excepted by another (most cases):
    each applies when in force and is reported with its status otherwise."""
    applying, sleeping = [], []
    keys = sorted(holding, key=law.position.__getitem__) if len(holding) > 1 else holding
    for k in keys:
        st = status[k]
        if st.state == validity.IN_FORCE:
            applying.append((k, strongest(holding[k])))
        else:
            sleeping.append((k, st))
    return Combined(tuple(applying), (), tuple(sleeping))
