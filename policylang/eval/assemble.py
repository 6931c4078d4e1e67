"""Assembling a decision from what an engine found (contract §4).

Takes: the `Law`, a case's id and date, the `Combined` result of combining, a callback that gives
the obligations of an applying clause with their details evaluated for the case, the
classification, the screening near matches, the reader's warnings and the item's control code;
the case itself (as classified), and whether to explain (`eval --explain`).
Returns: the `Decision`.
Guarantees: every engine builds its decisions here, so reasons, citations, duties with their due
dates, the reporting lists, the warnings of contract §4, `needs_review`, `library`, the reviewer's
verdicts a reason rests on (`listings.py`) and the explanation (`explain.py`, asked for only)
cannot differ between engines; what is engine-specific is only how conditions and details are
evaluated. A near match a reviewer has given a verdict on needs no review.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Sequence

from policylang import ast
from policylang.diagnostics import Diagnostic, warning
from policylang.eval.combine import Combined
from policylang.eval.expressions import EvaluationError
from policylang.eval.decision import Classified, Decision, Duty, NotInForce, Overridden, Suspended
from policylang.eval.law import Law
from policylang.eval.listings import cite_listings
from policylang.eval.values import MISSING
from policylang.program import ClauseKey
from policylang.semantics import calendar, outcomes, validity
from policylang.semantics.screening import REVIEW_THRESHOLD as DEFAULT_REVIEW_THRESHOLD

DutiesOf = Callable[[ClauseKey], Sequence[tuple[ast.Obligation, Any]]]


def duty(key: ClauseKey, ob: ast.Obligation, detail: Any, day: datetime.date) -> Duty:
    due = None
    if ob.due_days is not None:
        count = calendar.working_days_after if ob.working_days else calendar.calendar_days_after
        try:
            due = count(day, ob.due_days)
        except calendar.BeyondCalendar:
            raise EvaluationError("E402", path="date", clause=str(key), kind=ob.kind.replace("_", " "),
                                  days=ob.due_days, working=" working" if ob.working_days else "") from None
    return Duty(ob.kind, key, due, None if detail is None else str(detail))


def assemble(law: Law, case_id: Any, day: datetime.date, combined: Combined, duties_of: DutiesOf,
             classified: tuple[Classified, ...], screening: tuple, reader_warnings: Sequence[Diagnostic],
             code: str | None, review_threshold: float = DEFAULT_REVIEW_THRESHOLD, case: Any = None,
             explain: bool = False) -> Decision:
    reasons, duties = [], []
    for key, effect in combined.applying:
        if effect:
            reasons.append(law.reason(key, effect))
        for ob, detail in duties_of(key):
            duties.append(duty(key, ob, detail, day))
    if len(reasons) > 1:
        reasons.sort(key=_rank)
    if law.screening.dispositions is not None and reasons and case is not None:
        reasons = cite_listings(law, case, day, reasons)
    suspended, not_in_force = [], []
    for key, st in combined.sleeping:
        if st.state == validity.SUSPENDED:
            suspended.append(Suspended(key, st.window.by, st.window.start, st.window.end))
        else:
            not_in_force.append(NotInForce(key, st.state, st.start, st.end))
    overridden = tuple(Overridden(k, by) for k, by in combined.overridden)
    warnings = law.warnings(day, code, combined, classified, [r.key for r in reasons])
    if reader_warnings:
        warnings = tuple(reader_warnings) + warnings
    if any(d.due is not None for d in duties):
        warnings = warnings[:len(reader_warnings)] + _calendar_warnings(duties) + warnings[len(reader_warnings):]
    return Decision(
        case_id, day, outcomes.EFFECT_OUTCOME[reasons[0].effect] if reasons else "not_controlled", tuple(reasons),
        tuple(duties), tuple(suspended), tuple(not_in_force), overridden, screening,
        classified, (), warnings, library=law.identity,
        needs_review=bool(screening) and any(s.score >= review_threshold and s.disposition is None
                                             for s in screening),
        explanation=law.explainer.explain(case, day, combined, classified) if explain else None)


def _rank(reason) -> int:
    return outcomes.rank(reason.effect)


SCREENED_PARTIES = ("exporter", "importer", "end_user")


def screen_parties(screening, case, day: datetime.date) -> tuple:
    """The near matches of the case's parties' names on the lists in force on the day."""
    found = []
    for role in SCREENED_PARTIES:
        party = case.get(role)
        if party is not MISSING and party.get("name") is not MISSING:
            found += screening.near_matches(role, party.get("name"), day)
    return tuple(found)


def _calendar_warnings(duties: list[Duty]) -> tuple[Diagnostic, ...]:
    years = sorted({d.due.year for d in duties if d.due and not calendar.has_data(d.due.year)})
    return tuple(warning("W401", path="obligations", year=y) for y in years)
