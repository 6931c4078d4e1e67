"""Why not: for each clause relevant to a case that did not apply, the first thing that failed.

Takes: the `Law` of a library, a case as classified (a `RecordValue`), its date, what combining
found (`Combined`) and the classification.
Returns: `WhyNot`s (`decision.py`), in order: the classifications of the item's category that
did not classify it, then the relevant clauses in the library's order, each with the first
condition that failed, in words, with the case's value, the law's bound and the case's field.
Guarantees: one explainer for every engine: it re-evaluates conditions with the reference
evaluator (`expressions.Evaluator`), after an engine has decided, so explanations cannot differ
between engines and cost nothing unless asked for (`eval --explain`).

*Relevant* is what the compiled engine's guards compute (`compile/guards.py`): a rule is
relevant when it can hold for some case with this case's action and the signature of its control
code (the same action and item family); a clause is relevant when one of its rules is, and, when
it refines clauses or is an exception to clauses, one of those is relevant too (else it cannot
apply either). A classification is relevant when the item gives its category and no code. The clauses that applied
are not explained: their reasons say why they did.

What "the first that failed" means, for a relevant clause that did not apply, in this order:
1. the clause is not in force on the date: it says so, with its window (`not yet in force: in
   force from 2025-11-08`; `suspended by MOFCOM-2025-70 1 from 2025-11-07 through 2026-11-10`);
2. an exception set it aside: it names the exception;
3. no relevant rule's condition held: for each such rule, the first failed condition, in words
   (`why.py` says what "first" means for `and`, `or`, `not`, `any`, `all` and definitions):
   `average particle size 15 um is not <= 8 um`;
4. its condition held, but a clause it refines required no licence, or a clause it is an
   exception to would not apply: it names them.
`value` is the case's side as policylang shows values (`15 um`), `bound` the law's side as the
policy writes it (`8 um`), `path` the case's field (`item.parameters.average_particle_size`);
each is null where a failure has none (an `or`, a window has no path but `date`).

>>> import datetime
>>> from policylang.library import load_shipped
>>> from policylang.engines import engine
>>> from policylang.eval.cases import RawCase
>>> program, _ = load_shipped()
>>> saw = {"date": "2026-12-01", "destination": "US", "item": {"category": "synthetic_diamond_wire_saw",
...        "parameters": {"wire_diameter": "40 um", "average_particle_size": "15 um", "breaking_tension": "10 N"}}}
>>> print(engine(program, explain=True).decide(RawCase(saw, "-")).explanation[0])
MOFCOM-2025-55 III (2C902.c): average particle size 15 um is not <= 8 um
"""

from __future__ import annotations

import datetime
from typing import Any

from policylang import ast
from policylang.compile.guards import Guards
from policylang.eval.decision import WhyNot
from policylang.eval.expressions import Context, EvaluationError, Evaluator
from policylang.eval.values import MISSING, RecordValue
from policylang.eval.why import ConditionWords
from policylang.program import ClauseKey
from policylang.semantics import validity


class Explainer:
    """Explains decisions of one library: build once (it holds the guards), explain many."""

    def __init__(self, law):
        self.law, self.program = law, law.program
        self.guards = Guards(law.program)
        self._relevant: dict[tuple, tuple[tuple[ClauseKey, tuple[ast.Rule, ...]], ...]] = {}
        self.classifiers: dict[str, list[tuple[ClauseKey, ast.Classification]]] = {}
        for key, c in law.classifiers:
            self.classifiers.setdefault(c.category, []).append((key, c))

    def explain(self, case: RecordValue | None, day: datetime.date, combined, classified) -> tuple[WhyNot, ...]:
        if case is None:
            return ()
        law = self.law
        evaluator = Evaluator(Context(self.program, day, case, law.screening, lambda code: law.is_controlled(code, day)))
        words = ConditionWords(evaluator)
        found: list[WhyNot] = []
        item = case.get("item")
        category = item.get("category") if item is not MISSING else MISSING
        if not classified and category is not MISSING:
            for key, c in self.classifiers.get(category.name, ()):
                why = words.failure(c.condition)
                found.append(WhyNot(key, why.failed, why.value, why.bound, why.path, c.code))
        applying = {k for k, _ in combined.applying}
        overridden = dict(combined.overridden)
        status = law.statuses_on(day)
        action = case.get("action")
        code = item.get("control_code") if item is not MISSING else MISSING
        for key, rules in self.relevant(getattr(action, "name", None), code):
            if key in applying:
                continue
            found += self._clause(key, rules, status[key], overridden.get(key), words, day)
        return tuple(found)

    def relevant(self, action: str | None, code: Any) -> tuple[tuple[ClauseKey, tuple[ast.Rule, ...]], ...]:
        """The clauses with rules that can hold for the action and the code's signature, each with
        those rules (once per action and signature)."""
        signature = self.guards.signature(code)
        found = self._relevant.get((action, signature))
        if found is None:
            abstract = self.guards.evaluator(action, signature)
            law = self.law
            rules_of = {}
            for key, clause in self.program.clauses.items():
                rules = tuple(r for r in clause.rules if self.guards.holding(r.condition, abstract))
                if rules:
                    rules_of[key] = rules
            # A clause that refines others, or is an exception to others, can apply only where
            # one of them can: drop it while none of them is relevant (until nothing changes).
            dropped = True
            while dropped:
                dropped = False
                for key in list(rules_of):
                    for targets in (law.refined[key], law.excepted[key]):
                        if targets and not any(t in rules_of for t in targets):
                            del rules_of[key]
                            dropped = True
                            break
            found = self._relevant[(action, signature)] = tuple(rules_of.items())
        return found

    def _clause(self, key: ClauseKey, rules, st: validity.Status, set_aside, words: ConditionWords,
                day: datetime.date) -> list[WhyNot]:
        if not st.in_force:
            failed, bound = _window(st)
            return [WhyNot(key, failed, day.isoformat(), bound, "date")]
        if set_aside:
            return [WhyNot(key, "set aside by the exception " + _clauses(set_aside))]
        try:
            held = [r for r in rules if words.ev.truth(r.condition)]
        except EvaluationError:        # pragma: no cover - the decision itself would have failed
            held = []
        if held:
            law = self.law
            if law.refined[key]:
                return [WhyNot(key, f"it refines {_clauses(law.refined[key])}, and none of them requires a "
                                    "licence for this case")]
            return [WhyNot(key, f"it is an exception to {_clauses(law.excepted[key])}, and none of them "
                                "would apply to this case")]
        found: list[WhyNot] = []
        for rule in rules:
            why = words.failure(rule.condition)
            entry = WhyNot(key, why.failed, why.value, why.bound, why.path)
            if entry not in found:
                found.append(entry)
        return found


def _window(st: validity.Status) -> tuple[str, str | None]:
    """A status not in force in words, and its bound (the date or window that decides it)."""
    if st.state == validity.SUSPENDED:
        w = st.window
        by = f" by {w.by}" if w.by else ""
        return f"suspended{by} from {w.start} through {w.end}", f"{w.start}..{w.end}"
    if st.state == validity.NOT_YET:
        start = st.start.isoformat() if st.start else None
        return (f"not yet in force: in force from {start}" if start else "not in force: it has no start date"), start
    if st.state == validity.REPEALED:
        return f"repealed: in force through {st.end}", st.end.isoformat()
    return f"no longer in force: in force through {st.end}", st.end.isoformat() if st.end else None


def _clauses(keys) -> str:
    """Clause keys, each announcement named once: `MOFCOM-2025-55 I, II, III`."""
    by_policy: dict[str, list[str]] = {}
    for k in keys:
        by_policy.setdefault(k.policy, []).append(k.clause)
    return "; ".join(f"{policy} {', '.join(clauses)}" for policy, clauses in by_policy.items())
