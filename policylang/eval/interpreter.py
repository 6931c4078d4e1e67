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
Combining (2-4) is `combine.py` and the decision's assembly `assemble.py`, shared with every
faster engine; the facts of the library that no case changes are `law.py`. This module only
evaluates the conditions, the classifications and the obligation details of one case.
A case that cannot be read, or that an `invalid` rule rejects, gets an `error` decision; no case
stops another.
"""

from __future__ import annotations

import datetime

from policylang import ast
from policylang.diagnostics import Diagnostic, error
from policylang.eval.asof import AsOfDecider
from policylang.eval.assemble import DEFAULT_REVIEW_THRESHOLD, assemble, screen_parties
from policylang.eval.cases import CaseReader, RawCase, read_date
from policylang.eval.combine import combine
from policylang.eval.decision import Classified, Decision
from policylang.eval.expressions import Context, EvaluationError, Evaluator
from policylang.eval.law import Law
from policylang.eval.values import MISSING, RecordValue
from policylang.program import ClauseKey, Program


class Interpreter(AsOfDecider):
    """Decides cases against one program. Build once, decide many."""

    def __init__(self, program: Program, review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
                 law: Law | None = None, explain: bool = False):
        self.program = program
        self.law = law or Law(program)
        self.review_threshold = review_threshold
        self.explain = explain          # every decision says why relevant clauses did not apply
        # The facts of the library, by the names the analysis reads them.
        self.lives, self.screening = self.law.lives, self.law.screening
        self.controls, self.classifiers = self.law.controls, self.law.classifiers
        self.exceptions_to, self.refined, self.excepted = self.law.exceptions_to, self.law.refined, self.law.excepted
        self.statuses_on = self.law.statuses_on
        self.reader = CaseReader(program)

    def _context(self, day: datetime.date, case: RecordValue | None) -> Context:
        return Context(self.program, day, case, self.screening, lambda code: self.law.is_controlled(code, day))

    # -------------------------------------------------------------- one case

    def _decide(self, raw: RawCase, default_date: datetime.date | None) -> Decision:
        read = self.reader.read(raw, default_date)
        if read.value is None:
            return self.error(read.id, _date_of(raw) or default_date, read.errors, read.warnings)
        case = read.value
        day = case.get("date")
        try:
            case, classified = self._classify(case, day)
            evaluator = Evaluator(self._context(day, case))
            invalid = self._invalid(evaluator)
            if invalid:
                return self.error(read.id, day, tuple(invalid), read.warnings)
            holding = {k: [r for r in self.program.clauses[k].rules if evaluator.truth(r.condition)]
                       for k in self.law.order}
            holding = {k: rules for k, rules in holding.items() if rules}
            combined = combine(self.law, day, {k: [r.effect for r in rules] for k, rules in holding.items()})

            def duties_of(key: ClauseKey):
                return [(ob, _detail(evaluator, ob)) for rule in holding[key] for ob in rule.obligations]

            code = case.get("item").get("control_code") if case.get("item") is not MISSING else MISSING
            return assemble(self.law, read.id, day, combined, duties_of, classified,
                            screen_parties(self.screening, case, day), read.warnings,
                            None if code is MISSING else code, self.review_threshold, case, self.explain)
        except EvaluationError as exc:
            return self.error(read.id, day, (error(exc.code, path=exc.path, **exc.values),), read.warnings)

    def error(self, case_id, day, errors, warnings) -> Decision:
        """The decision for a case that cannot be decided: its errors, and the library's identity."""
        return Decision(case_id, day, "error", errors=tuple(errors), warnings=tuple(warnings),
                        library=self.law.identity, explanation=() if self.explain else None)

    def _classify(self, case: RecordValue, day: datetime.date) -> tuple[RecordValue, tuple[Classified, ...]]:
        item = case.get("item")
        if item is MISSING or item.get("category") is MISSING or item.get("control_code") is not MISSING:
            return case, ()
        evaluator = Evaluator(self._context(day, case))
        category = item.get("category").name
        for key, c in self.classifiers:
            if c.category == category and evaluator.truth(c.condition):
                item = RecordValue(item.type, {**item.values, "control_code": c.code})
                return RecordValue(case.type, {**case.values, "item": item}), (Classified(c.code, key),)
        return case, ()

    def _invalid(self, evaluator: Evaluator) -> list[Diagnostic]:
        return [error("E510", path=".".join(rule.path), message=rule.message)
                for rule, _ in self.program.invalid_rules if evaluator.truth(rule.condition)]

    # -------------------------------------------------------------- many cases

    def decide_all(self, raws: list[RawCase], default_date: datetime.date | None = None,
                   as_of: datetime.date | None = None) -> list[Decision]:
        return [self.decide(raw, default_date, as_of) for raw in raws]


def _detail(evaluator: Evaluator, ob: ast.Obligation):
    if ob.detail is None:
        return None
    value = evaluator.eval(ob.detail)
    return None if value is MISSING else value


def _date_of(raw: RawCase) -> datetime.date | None:
    """The case's own date, when it can be read, for echoing in an error decision."""
    return read_date(raw.data.get("date")) if isinstance(raw.data, dict) else None
