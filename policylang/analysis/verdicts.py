"""Verdicts: the hits of the search turned into findings, each confirmed by the interpreter.

Takes: the state of an `Analysis` after its search (hits with their witnesses and windows,
which clauses can apply and which change an outcome).
Returns: the `conflict`, `overlap`, `silenced`, `redundant`, `shadowed` and `vacuous` findings.
Guarantees: each witness is decided by the reference interpreter (and, where the claim is about
what a clause or an exception changes, by the interpreter on the program without it); a finding
the interpreter does not confirm is dropped and counted in `stats.unconfirmed`, never reported.
Redundant and vacuous verdicts are proofs: the solver found no case, in any window, against them.
"""

from __future__ import annotations

import z3

from policylang.analysis.decide import DATE
from policylang.analysis.findings import Finding
from policylang.analysis.findings import merge_windows as _merge
from policylang.analysis.symbolic import day
from policylang.analysis.witness import applied, realise
from policylang.program import ClauseKey
from policylang.semantics import outcomes, validity


class Verdicts:
    """The second half of `Analysis`: from hits to confirmed findings."""

    # -------------------------------------------------------------- findings, confirmed

    def _confirm(self, witness: dict, check, variant=None) -> dict | None:
        decision = self.recheck.decide(witness)
        other = self.recheck.decide(witness, variant) if variant else None
        if decision.outcome != "error" and check(decision, other):
            return decision.to_json()
        self.stats["unconfirmed"] += 1
        self.unconfirmed.append((witness, decision.to_json()))
        return None

    def _finding(self, kind, keys, entry, check, message, variant=None) -> Finding | None:
        decision = self._confirm(entry["witness"], check, variant)
        if decision is None:
            return None
        return Finding(kind, keys, _merge(entry["ranges"]), entry["witness"], decision, message(decision))

    def _pair_findings(self) -> list[Finding]:
        out = []
        for (kind, keys), entry in self.hits.items():
            if kind == "co":
                continue
            a, b = keys
            if kind in ("conflict", "overlap"):
                f = self._finding(kind, keys, entry, lambda d, _: {a, b} <= {r.key for r in d.reasons},
                                  lambda d: self._pair_message(kind, a, b, d))
            else:  # silenced
                f = self._finding(kind, keys, entry,
                                  lambda d, o: a in applied(d) and b not in applied(d) and b in applied(o),
                                  lambda d: self._silenced_message(a, b, d), ("ignore", a))
            if f:
                out.append(f)
        return out

    def _title(self, k: ClauseKey) -> str:
        t = self.program.clauses[k].title
        return f"{k}" + (f" ({t})" if t else "")

    def _effect_in(self, d: dict, k: ClauseKey) -> str:
        return next((r["effect"] for r in d["reasons"] if (r["policy"], r["clause"]) == (k.policy, k.clause)), "?")

    def _pair_message(self, kind: str, a: ClauseKey, b: ClauseKey, d: dict) -> str:
        ea, eb = self._effect_in(d, a), self._effect_in(d, b)
        if kind == "conflict":
            return (f"{self._title(a)} ({ea}) and {self._title(b)} ({eb}) apply to the same case and neither is "
                    f"declared an exception to or refinement of the other; the most restrictive decides: {d['outcome']}")
        if ea == eb:
            return (f"{self._title(a)} and {self._title(b)} both apply with the same effect ({ea}); "
                    f"either alone decides {d['outcome']}")
        return (f"{self._title(a)} ({ea}) and {self._title(b)} ({eb}) apply together; "
                f"the most restrictive decides: {d['outcome']}")

    def _silenced_message(self, e: ClauseKey, c: ClauseKey, d: dict) -> str:
        other = self.recheck.decide(self.hits[("silenced", (e, c))]["witness"], ("ignore", e)).to_json()
        return (f"{self._title(e)} is an exception that sets aside {self._title(c)}, which it does not name "
                f"but which refines a clause it names: without the exception {c.clause} would apply and the case "
                f"would be {other['outcome']}; with it, the case is {d['outcome']}")

    def _redundant(self) -> list[Finding]:
        out = []
        self.redundant_keys: set[ClauseKey] = set()
        for (kind, (i, j)), entry in list(self.hits.items()):
            if kind != "co":
                continue
            same = True
            witness_group = None
            for g in self.groups:
                A = g.enc.applies()
                if i not in g.facts.in_force and j not in g.facts.in_force:
                    continue
                if g.find(z3.Xor(A[i], A[j])) is not None:
                    same = False
                    break
                if witness_group is None and g.find(z3.And(A[i], A[j])) is not None:
                    witness_group = g
            if not same or witness_group is None:
                continue
            ranges = [r for g in self.groups if i in g.facts.in_force for r in g.ranges]
            model = witness_group.simplest(z3.And(witness_group.enc.applies()[i], witness_group.enc.applies()[j]))
            witness = realise(self.program, self.lib.domains, model, witness_group.enc.case, f"redundant-{i.clause}-{j.clause}")
            entry = {"ranges": ranges, "witness": witness}
            f = self._finding("redundant", (i, j), entry, lambda d, _: {i, j} <= applied(d),
                              lambda d: f"{self._title(i)} and {self._title(j)} apply to exactly the same cases "
                                        f"with the same effect ({self.lib.effects[i][0]}): one of them is redundant")
            if f:
                out.append(f)
                self.redundant_keys |= {i, j}
        return out

    def _shadowed(self) -> list[Finding]:
        out = []
        for k, ranges in self.can_apply.items():
            if (not self.lib.effects[k] or self.lib.obligations[k] or k in self.changes_outcome
                    or k in self.redundant_keys):
                continue
            group = next(g for g in self.groups if k in g.facts.in_force and g.find(g.enc.applies()[k]) is not None)
            model = group.simplest(group.enc.applies()[k])
            witness = realise(self.program, self.lib.domains, model, group.enc.case, f"shadowed-{k.clause}")
            entry = {"ranges": ranges, "witness": witness}

            def check(d, without, k=k):
                return k in {r.key for r in d.reasons} and without.outcome == d.outcome

            def message(d, k=k):
                if outcomes.rank(self.lib.effects[k][0]) >= outcomes.rank("report_only"):
                    return (f"{self._title(k)} never changes an outcome: its effect "
                            f"({self.lib.effects[k][0]}) is permissive and it is no exception to any "
                            f"clause, so it sets nothing aside (here: {d['outcome']})")
                others = [f"{r['policy']} {r['clause']}" for r in d["reasons"]
                          if (r["policy"], r["clause"]) != (k.policy, k.clause)]
                by = ", ".join(others) if others else "other clauses"
                return (f"{self._title(k)} never changes an outcome: wherever it applies, {by} "
                        f"decide at least as strictly (here: {d['outcome']})")
            f = self._finding("shadowed", (k,), entry, check, message, ("without", k))
            if f:
                out.append(f)
        return out

    def _vacuous(self) -> list[Finding]:
        out = []
        for k in self.lib.order:
            if not self.lib.rules[k] or k in self.can_apply:
                continue
            life = self.lib.lives[k]
            states = {w.statuses[k].state for w in self.all_windows}
            windows = ([(w.start, w.end) for w in self.all_windows if w.statuses[k].state == validity.SUSPENDED]
                       or [(w.start, w.end) for w in self.all_windows if w.statuses[k].in_force]
                       or [(w.start, w.end) for w in self.all_windows])
            witness, decision = None, None
            suspended_first = sorted(self.groups, key=lambda g: not any(
                w.statuses[k].state == validity.SUSPENDED for w in g.windows))
            for g in suspended_first:
                if k in g.facts.in_force:
                    continue
                days = [w for w in g.windows if w.statuses[k].state == validity.SUSPENDED] or g.windows
                wanted = z3.And(g.enc.applies(timeless=True)[k],
                                z3.Or([z3.And(DATE >= day(w.start), DATE <= day(w.end)) for w in days]))
                model = g.find(wanted)
                if model is not None:
                    model = g.simplest(wanted) or model
                    witness = realise(self.program, self.lib.domains, model, g.enc.case, f"vacuous-{k.clause}")
                    decision = self._confirm(witness, lambda d, _: k in {s.key for s in d.suspended} |
                                             {n.key for n in d.not_in_force})
                    if decision is None:
                        witness = None
                    else:
                        break
            if validity.IN_FORCE not in states and validity.SUSPENDED in states:
                by = sorted({str(w.by) for w in life.windows})
                message = (f"{self._title(k)} can never apply: it is suspended (by {', '.join(by)}) "
                           f"for its whole life from {life.start}")
            elif validity.IN_FORCE not in states:
                message = f"{self._title(k)} can never apply: it is never in force"
            else:
                message = f"{self._title(k)} can never apply: no valid case meets its condition while it is in force"
                if self.assume is not None:
                    message += " (under the assumption)"
            out.append(Finding("vacuous", (k,), _merge(windows), witness, decision, message))
        return out
