"""The reference interpreter: the specification of what a library decides.

Takes: a checked `Program` and raw cases (see `cases.py`), with a default date for cases
without one.
Returns: one `Decision` per case, in order.
Guarantees (contract §4), for each case on its date:
1. the item is classified first: an item given by `category` gets the code of the first
   `classify` declaration whose condition its parameters meet;
2. a clause *holds* when one of its rules' conditions is true, and *applies* when it holds, is in
   force (see `semantics/validity.py`), a clause it refines applies and requires a licence (when
   it refines any), a clause it is an exception to would apply but for its exceptions (when it is
   an exception to any), and no exception to it applies. The scope rule for exceptions mirrors
   the one for refinements: an exemption with nothing to set aside says nothing (it would
   otherwise mark every humanitarian export `report_only`, controlled or not);
3. the outcome is the most restrictive effect of the clauses that apply (`semantics/outcomes.py`);
4. clauses that hold but are suspended or not in force are reported with their windows, not
   applied; clauses set aside by an exception are reported with the exception;
5. every obligation of an applying clause is reported, with its due date counted on the PRC
   official calendar.
A case that cannot be read, or that an `invalid` rule rejects, gets an `error` decision; no case
stops another.
"""

from __future__ import annotations

import datetime
import functools

from policylang import ast
from policylang.diagnostics import Diagnostic, error, warning
from policylang.eval.cases import CaseReader, RawCase
from policylang.eval.decision import (Classified, Decision, Duty, NotInForce, Overridden, Reason,
                                      Suspended)
from policylang.eval.expressions import Context, EvaluationError, Evaluator
from policylang.eval.values import MISSING, RecordValue, code_within
from policylang.program import ClauseKey, Program
from policylang.semantics import calendar, outcomes, validity
from policylang.semantics.screening import Screening

SCREENED_PARTIES = ("exporter", "importer", "end_user")


class Interpreter:
    """Decides cases against one program. Build once, decide many."""

    def __init__(self, program: Program):
        self.program = program
        self.lives = validity.lives(program)
        # What depends on the date alone is computed once per date, not once per case.
        self.statuses_on = functools.lru_cache(maxsize=1024)(self._statuses_on)
        self.screening = Screening(program.entity_lists, self._announcement_active)
        self.order = list(program.clauses)
        self.exceptions_to: dict[ClauseKey, list[ClauseKey]] = {k: [] for k in self.order}
        self.refined: dict[ClauseKey, list[ClauseKey]] = {k: [] for k in self.order}
        self.excepted: dict[ClauseKey, list[ClauseKey]] = {k: [] for k in self.order}
        self.controls: list[tuple[ClauseKey, str]] = []
        self.classifiers: list[tuple[ClauseKey, ast.Classification]] = []
        for key, clause in program.clauses.items():
            for ref in clause.exception_to:
                for target in program.clauses_for(ref, key.policy):
                    self.exceptions_to[target].append(key)
                    self.excepted[key].append(target)
            for ref in clause.refines:
                self.refined[key] += program.clauses_for(ref, key.policy)
            self.controls += [(key, c.value) for c in clause.controls]
            self.classifiers += [(key, c) for c in clause.classifications]

    def _statuses_on(self, day: datetime.date) -> dict[ClauseKey, validity.Status]:
        return {k: self.lives[k].status(day) for k in self.order}

    def _announcement_active(self, policy: str, day: datetime.date) -> bool:
        return validity.announcement_in_force(self.program, self.lives, policy, day)

    def _context(self, day: datetime.date, case: RecordValue | None) -> Context:
        def is_controlled_code(code: str) -> bool:
            status = self.statuses_on(day)
            return any(code_within(code, scope) and status[key].in_force for key, scope in self.controls)
        return Context(self.program, day, case, self.screening, is_controlled_code)

    # -------------------------------------------------------------- one case

    def decide(self, raw: RawCase, default_date: datetime.date | None = None) -> Decision:
        reading_ctx = self._context(default_date or datetime.date.today(), None)
        read = CaseReader(self.program, Evaluator(reading_ctx)).read(raw, default_date)
        if read.value is None:
            return Decision(read.id, _date_of(raw) or default_date, "error", errors=read.errors,
                            warnings=read.warnings)
        case = read.value
        day = case.get("date")
        try:
            case, classified = self._classify(case, day)
            evaluator = Evaluator(self._context(day, case))
            invalid = self._invalid(evaluator)
            if invalid:
                return Decision(read.id, day, "error", errors=tuple(invalid), warnings=read.warnings)
            return self._combine(read.id, day, evaluator, classified, read.warnings)
        except EvaluationError as exc:
            return Decision(read.id, day, "error", errors=(error(exc.code, path="", **exc.values),),
                            warnings=read.warnings)

    def _classify(self, case: RecordValue, day: datetime.date) -> tuple[RecordValue, tuple[Classified, ...]]:
        item = case.get("item")
        if item is MISSING or item.get("category") is MISSING or item.get("control_code") is not MISSING:
            return case, ()
        evaluator = Evaluator(self._context(day, case))
        category = item.get("category").name
        for key, c in self.classifiers:
            if c.category == category and evaluator.truth(c.condition):
                item = RecordValue(item.type, {**item.fields, "control_code": c.code})
                return RecordValue(case.type, {**case.fields, "item": item}), (Classified(c.code, key),)
        return case, ()

    def _invalid(self, evaluator: Evaluator) -> list[Diagnostic]:
        return [error("E510", path=".".join(rule.path), message=rule.message)
                for rule, _ in self.program.invalid_rules if evaluator.truth(rule.condition)]

    # -------------------------------------------------------------- combining (contract §4)

    def _combine(self, case_id, day: datetime.date, ev: Evaluator, classified, warnings) -> Decision:
        program = self.program
        holding = {k: [r for r in program.clauses[k].rules if ev.truth(r.condition)] for k in self.order}
        status = self.statuses_on(day)

        def effect(k: ClauseKey) -> str | None:
            effects = [r.effect for r in holding[k] if r.effect]
            return min(effects, key=outcomes.rank) if effects else None

        @functools.cache
        def eligible(k: ClauseKey) -> bool:  # applies but for the exceptions to it
            return (status[k].in_force and bool(holding[k]) and refinement_met(k, applies)
                    and exception_scope_met(k, eligible))

        @functools.cache
        def applies(k: ClauseKey) -> bool:
            return eligible(k) and not set_aside_by(k)

        @functools.cache
        def would_apply(k: ClauseKey) -> bool:  # ignoring time and exceptions, for reporting
            return bool(holding[k]) and refinement_met(k, would_apply) and exception_scope_met(k, would_apply)

        def refinement_met(k: ClauseKey, pred) -> bool:
            refined = self.refined[k]
            return not refined or any(pred(r) and outcomes.requires_license(effect(r)) for r in refined)

        def exception_scope_met(k: ClauseKey, pred) -> bool:
            excepted = self.excepted[k]
            return not excepted or any(pred(t) for t in excepted)

        def set_aside_by(k: ClauseKey) -> tuple[ClauseKey, ...]:
            return tuple(e for e in self.exceptions_to[k] if applies(e))

        reasons, duties, suspended, not_in_force, overridden = [], [], [], [], []
        for k in self.order:
            if applies(k):
                if effect(k):
                    reasons.append(self._reason(k, effect(k)))
                duties += self._duties(k, holding[k], day, ev)
            elif eligible(k) and set_aside_by(k):
                overridden.append(Overridden(k, set_aside_by(k)))
            elif would_apply(k) and not status[k].in_force:
                st = status[k]
                if st.state == validity.SUSPENDED:
                    suspended.append(Suspended(k, st.window.by, st.window.start, st.window.end))
                else:
                    not_in_force.append(NotInForce(k, st.state, st.start, st.end))
        reasons.sort(key=lambda r: outcomes.rank(r.effect))
        warnings = tuple(warnings) + self._calendar_warnings(duties)
        return Decision(
            case_id, day, outcomes.most_restrictive(r.effect for r in reasons), tuple(reasons),
            tuple(duties), tuple(suspended), tuple(not_in_force), tuple(overridden),
            tuple(self._screen(ev.ctx.case, day)), tuple(classified), (), warnings)

    def _reason(self, key: ClauseKey, effect: str) -> Reason:
        clause = self.program.clauses[key]
        texts = {t.lang: t.text for t in clause.texts}
        quote = texts.get("en") or texts.get("zh")
        citation = f"{key.policy} {key.clause}" + (f" ({clause.source})" if clause.source else "")
        source = f"{citation}: “{quote}”" if quote else citation
        return Reason(key, effect, source, clause.title, texts)

    def _duties(self, key: ClauseKey, rules: list[ast.Rule], day: datetime.date, ev: Evaluator) -> list[Duty]:
        duties = []
        for rule in rules:
            for ob in rule.obligations:
                due = None
                if ob.due_days is not None:
                    count = calendar.working_days_after if ob.working_days else calendar.calendar_days_after
                    due = count(day, ob.due_days)
                detail = ev.eval(ob.detail) if ob.detail is not None else None
                duties.append(Duty(ob.kind, key, due, None if detail is MISSING or detail is None else str(detail)))
        return duties

    def _calendar_warnings(self, duties: list[Duty]) -> tuple[Diagnostic, ...]:
        years = sorted({d.due.year for d in duties if d.due and not calendar.has_data(d.due.year)})
        return tuple(warning("W401", path="obligations", year=y) for y in years)

    def _screen(self, case: RecordValue, day: datetime.date):
        found = []
        for role in SCREENED_PARTIES:
            party = case.get(role)
            if party is not MISSING and party.get("name") is not MISSING:
                found += self.screening.near_matches(role, party.get("name"), day)
        return found

    # -------------------------------------------------------------- many cases

    def decide_all(self, raws: list[RawCase], default_date: datetime.date | None = None) -> list[Decision]:
        return [self.decide(raw, default_date) for raw in raws]


def _date_of(raw: RawCase) -> datetime.date | None:
    """The case's own date, when it can be read, for echoing in an error decision."""
    try:
        return datetime.date.fromisoformat(raw.data["date"])
    except (TypeError, KeyError, ValueError):
        return None
