"""Cases where a given clause applies, found as `policylang analyze` finds its witnesses.

Takes: a checked `Program` and a clause (`ClauseKey`, or its name `"MOFCOM-2025-61 I(1)"`).
Returns: `Reach(program).witnesses(key)`, cases (JSON-ready dicts) on which the interpreter lets
the clause apply (its decision cites the clause in a reason or a duty), one for each of a few
spells of time in which the clause can apply, each shrunk to what it needs (`shrink.py`).
Guarantees: the solver is asked the analysis's own question (round one of `search.py`: can the
clause apply in this window group?) and each model is turned into a case by `witness.realise`;
every witness is decided again by the interpreter before it is returned. A clause that cannot
apply raises `NeverApplies` with the reason: it has no rule (it suspends, repeals, controls or
classifies), or the analysis proves that no valid case meets it while it is in force (the
`vacuous` finding's sentence), or the interpreter confirms none of the solver's cases.

>>> from policylang.library import load_shipped
>>> program, _ = load_shipped()
>>> [w] = Reach(program).witnesses("MOFCOM-2025-61 V", limit=1)
>>> w["end_use"]
[{'use': 'disaster_relief'}]
"""

from __future__ import annotations

import functools

from policylang.analysis.search import Analysis
from policylang.analysis.shrink import shrink
from policylang.analysis.witness import FastDecider, applied, realise
from policylang.program import ClauseKey, Program


class NeverApplies(ValueError):
    """The clause applies to no case: the message says why."""


def clause_key(program: Program, name: str | ClauseKey) -> ClauseKey:
    """The clause a name such as `MOFCOM-2025-61 I(1)` (or `… clause I(1)`) stands for."""
    if isinstance(name, ClauseKey):
        key = name
    else:
        policy, _, clause = str(name).strip().partition(" ")
        key = ClauseKey(policy, clause.strip().removeprefix("clause").strip())
    if key not in program.clauses:
        same = sorted(k.clause for k in program.clauses if k.policy == key.policy)
        hint = (f": its clauses are {', '.join(same)}" if same else
                ": write the announcement's identifier and the clause number, `MOFCOM-2025-61 I(1)`")
        raise NeverApplies(f"no clause `{name}` in the library{hint}")
    return key


class Reach:
    """The analysis of one program, run once, asked for witnesses clause by clause."""

    def __init__(self, program: Program):
        self.program = program

    @functools.cached_property
    def analysis(self) -> Analysis:
        """Round one of the search (which clauses can apply in which window groups), and the
        vacuous clauses with the sentence `policylang analyze` gives for each."""
        analysis = Analysis(self.program, kinds=frozenset({"vacuous"}))
        findings, _ = analysis.run()
        self.vacuous = {f.clauses[0]: f.message for f in findings if f.kind == "vacuous"}
        return analysis

    def witnesses(self, name: str | ClauseKey, limit: int = 4) -> list[dict]:
        """Up to `limit` cases where the clause applies, from window groups spread over its life."""
        key = clause_key(self.program, name)
        clause = self.program.clauses[key]
        if not clause.rules:
            raise NeverApplies(f"{key} has no `when` rule: it suspends, repeals, controls or classifies, "
                               "and so never applies to a case itself")
        analysis = self.analysis
        groups = analysis.can.get(key, [])
        if not groups:
            raise NeverApplies(self.vacuous.get(key) or f"{key} can never apply")
        step = max(1, len(groups) // limit)
        fast, recheck = analysis.core.fast, analysis.core.recheck     # the search's own deciders
        applies = analysis.enc.applies()[key]
        found, doubts = [], []
        for g in groups[::step][:limit]:
            case = self._witness(g, key, applies, fast)
            decision = recheck.decide(case)
            if decision.outcome != "error" and key in applied(decision):
                found.append(case)
            else:
                doubts.append(f"{case.get('date')}: {decision.outcome}")
        if not found:
            raise NeverApplies(f"the analysis finds cases where {key} applies, but the interpreter "
                               f"confirms none of its witnesses ({'; '.join(doubts)})")
        return found

    def _witness(self, g: int, key: ClauseKey, applies, fast: FastDecider) -> dict:
        analysis = self.analysis
        session = analysis.session(g)
        model = session.simplest(applies) or session.find(applies)
        case = realise(self.program, analysis.lib.domains, model, analysis.enc.case, f"reach-{key}")

        def holds(c: dict) -> bool:
            d = fast.decide(c)
            return d.outcome != "error" and key in applied(d)
        return shrink(case, holds, session.witness_day().isoformat()) if holds(case) else case


__all__ = ["Reach", "NeverApplies", "clause_key"]
