"""Invariants: `invariant` blocks proven by the solver, or refuted with a counterexample case.

Takes: an `Analysis` that has run (its window groups and their encodings).
Returns: one `invariant` finding per `invariant` block: `proven` (no case within the bounds, on
any date, meets the assumptions and breaks a claim) or `refuted` (with a counterexample case, its
decision, and the claim it breaks).
Guarantees: claims read the decision of contract §4:
- `outcome [under REF] at most X` / `at least X` / `is X`: the most restrictive effect of the
  applying clauses (those REF names, an announcement or a clause and those under it), compared
  on the outcome ladder (`not_controlled` when none applies);
- `[not] applies REF`: some clause REF names applies.
A counterexample is re-decided by the interpreter and kept only if the interpreter also breaks
the claim; otherwise the invariant is reported `unknown`, with the reason.

>>> from policylang.analysis.command import run_analysis
>>> import pathlib, tempfile
>>> f = pathlib.Path(tempfile.mkdtemp()) / "inv.ecp"
>>> _ = f.write_text("announcement P-2025-1 { issued 2025-01-01 clause 1 { when destination == US require license } } "
...                  'invariant "US needs a licence" { assume destination == US and date >= 2025-01-01 '
...                  "  expect outcome at least license_required } "
...                  'invariant "nothing is prohibited" { expect outcome at most case_by_case } '
...                  'invariant "Japan needs a licence" { assume destination == JP expect applies P-2025-1 clause 1 }')
>>> [(x.name, x.status) for x in run_analysis([f])[0] if x.kind == "invariant"]
[('US needs a licence', 'proven'), ('nothing is prohibited', 'proven'), ('Japan needs a licence', 'refuted')]
"""

from __future__ import annotations

from typing import Any

import z3

from policylang import ast
from policylang.analysis.findings import Finding
from policylang.analysis.findings import merge_windows as _merge
from policylang.analysis.witness import applied, realise
from policylang.check.invariants import invariants_and_tests
from policylang.program import ClauseKey
from policylang.semantics import outcomes

NOT_CONTROLLED = outcomes.rank("not_controlled")


def check_invariants(analysis) -> list[Finding]:
    """Every invariant; when the search is narrowed to some clauses, those whose claims name one."""
    out = []
    for item, _ in invariants_and_tests(analysis.program):
        if isinstance(item, ast.Invariant) and (analysis.focus is None or set(_mentioned(analysis, item)) & analysis.focus):
            out.append(_check(analysis, item))
    return out


def _mentioned(analysis, inv: ast.Invariant) -> tuple:
    return tuple(sorted({k for c in inv.claims if c.scope is not None for k in _scope(analysis, c.scope)},
                        key=lambda k: (k.policy, k.clause)))


def _scope(analysis, ref: ast.Ref | None) -> list[ClauseKey]:
    if ref is None:
        return list(analysis.lib.order)
    return analysis.program.clauses_for(ref, ref.announcement)


def _claim_formula(enc, A: dict, claim: ast.Claim, keys: list[ClauseKey]) -> Any:
    if claim.kind == "applies":
        found = z3.Or([A[k] for k in keys]) if keys else z3.BoolVal(False)
        return z3.Not(found) if claim.negated else found
    rank = z3.IntVal(NOT_CONTROLLED)
    for k in keys:
        if enc.lib.effects[k]:
            rank = z3.If(z3.And(A[k], enc.effect[k] < rank), enc.effect[k], rank)
    bound = outcomes.rank(claim.outcome)
    return {"at_most": rank >= bound, "at_least": rank <= bound, "exactly": rank == bound}[claim.bound]


def claim_holds(decision, claim: ast.Claim, keys: list[ClauseKey]) -> bool:
    """The claim, read on an interpreter's decision."""
    if claim.kind == "applies":
        found = bool(applied(decision) & set(keys))
        return not found if claim.negated else found
    effects = [r.effect for r in decision.reasons if r.key in keys]
    rank = outcomes.rank(outcomes.most_restrictive(effects))
    bound = outcomes.rank(claim.outcome)
    return {"at_most": rank >= bound, "at_least": rank <= bound, "exactly": rank == bound}[claim.bound]


def describe(claim: ast.Claim) -> str:
    if claim.kind == "applies":
        ref = claim.scope
        where = f"{ref.announcement}" + (f" clause {ref.clause}" if ref.clause else "")
        return f"{'not ' if claim.negated else ''}applies {where}"
    under = ""
    if claim.scope is not None:
        under = f" under {claim.scope.announcement}" + (f" clause {claim.scope.clause}" if claim.scope.clause else "")
    return f"outcome{under} {claim.bound.replace('_', ' ')} {claim.outcome}"


def _check(analysis, inv: ast.Invariant) -> Finding:
    enc = analysis.enc
    assumptions = [enc.enc.truth(a) for a in inv.assumptions]
    A = enc.applies()
    mentioned = _mentioned(analysis, inv)
    for claim in inv.claims:
        keys = _scope(analysis, claim.scope)
        broken = z3.And(*assumptions, z3.Not(_claim_formula(enc, A, claim, keys)))
        for g in analysis.groups:
            session = analysis.session(g)
            model = session.find(broken, reuse=False)
            if model is None:
                continue
            model = session.simplest(broken) or model
            witness = realise(analysis.program, analysis.lib.domains, model, enc.case, f"counterexample: {inv.name}")
            decision = analysis.recheck.decide(witness)
            windows = _merge(analysis.ranges[g])
            if decision.outcome != "error" and not claim_holds(decision, claim, keys):
                message = (f"refuted: `{describe(claim)}` does not hold for this case, which meets the "
                           f"assumptions; it is decided {decision.outcome}")
                return Finding("invariant", mentioned, windows, witness, decision.to_json(), message,
                               "refuted", inv.name, inv.span)
            reason = (f"the interpreter decides the counterexample {decision.outcome}, for which "
                      f"`{describe(claim)}` holds" if decision.outcome != "error" else
                      "the interpreter cannot decide the counterexample: " +
                      "; ".join(f"{e.code} {e.message}" for e in decision.errors))
            return Finding("invariant", mentioned, windows, witness, decision.to_json(),
                           f"unknown: the solver found a counterexample to `{describe(claim)}` that the "
                           f"interpreter does not confirm", "unknown", inv.name, inv.span, reason=reason)
    windows = _merge([r for g in analysis.groups for r in analysis.ranges[g]])
    claims = "; ".join(f"`{describe(c)}`" for c in inv.claims)
    bound = analysis.bounds.list_length
    return Finding("invariant", mentioned, windows, None, None,
                   f"proven: {claims} holds for every case that meets the assumptions, on every date "
                   f"(lists of up to {bound} elements)", "proven", inv.name, inv.span)
