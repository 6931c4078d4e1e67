"""Verdicts: the answers of the search turned into findings, each re-decided by the interpreter.

Takes: the state of an `Analysis` after its two rounds (the pair questions met, with their
groups and witnesses; which clauses can apply where and which change an outcome).
Returns: the `conflict`, `overlap`, `silenced`, `redundant`, `shadowed` and `vacuous` findings;
`confirm(recheck, kind, keys, witness)`, the interpreter's decision on a witness and, when it
does not show what the finding claims, the reason.
Guarantees: each witness is decided by the reference interpreter (and, where the claim is about
what a clause or an exception changes, by the interpreter on the program without it). A finding
the interpreter confirms has status `confirmed`; one it does not is reported all the same, with
status `unconfirmed` and the reason (the interpreter is the specification: the witness, not the
finding, is then in doubt, and a person should look). Redundant and vacuous verdicts are proofs:
the solver found no case, in any window, against them.
"""

from __future__ import annotations

import z3

from policylang.analysis.decide import DATE
from policylang.analysis.findings import Finding, merge_windows, natural
from policylang.analysis.shrink import shrink
from policylang.analysis.symbolic import day
from policylang.analysis.witness import Rechecker, applied, meets, realise
from policylang.eval.decision import Decision
from policylang.program import ClauseKey
from policylang.semantics import outcomes, validity


def witness_id(kind: str, keys: tuple) -> str:
    """The `id` of a witness case: what it witnesses, so that its decision says it too.

    >>> witness_id("conflict", (ClauseKey("A-2025-1", "1"), ClauseKey("B-2025-2", "II")))
    'conflict A-2025-1 1 with B-2025-2 II'
    """
    return f"{kind} " + " with ".join(str(k) for k in keys)


def holds_claim(decider, kind: str, keys: tuple):
    """`holds(case)`: whether a case shows what a finding of `kind` about `keys` claims, decided
    by `decider` (anything with `decide(case, variant=None)`, such as `Rechecker`)."""
    def holds(case: dict) -> bool:
        d = decider.decide(case)
        return d.outcome != "error" and _disagreement(decider, kind, keys, case, d) is None
    return holds


def confirm(recheck: Rechecker, kind: str, keys: tuple, witness: dict, check=None) -> tuple[dict, str | None]:
    """The interpreter's decision on a witness (as JSON), and None when it shows what a finding of
    `kind` about `keys` claims, else the reason it does not. `check(decision)` replaces the
    claim of the kind (it returns the reason or None)."""
    d = recheck.decide(witness)
    if d.outcome == "error":
        errors = "; ".join(f"{e.code} {e.message}" + (f" (at `{e.path}`)" if e.path else "") for e in d.errors)
        return d.to_json(), f"the interpreter cannot decide the witness: {errors}"
    if check is not None:
        return d.to_json(), check(d)
    return d.to_json(), _disagreement(recheck, kind, keys, witness, d)


def _disagreement(recheck: Rechecker, kind: str, keys: tuple, witness: dict, d: Decision) -> str | None:
    reasons, applying = {r.key for r in d.reasons}, applied(d)
    decided = f"the interpreter decides the witness {d.outcome}"
    if kind in ("conflict", "overlap", "redundant"):
        missing = [str(k) for k in keys if k not in (applying if kind == "redundant" else reasons)]
        return f"{decided}, and {' and '.join(missing)} does not apply" if missing else None
    if kind == "silenced":
        e, c = keys
        if e not in applying:
            return f"{decided}, and the exception {e} does not apply"
        if c in applying:
            return f"{decided}, and {c} applies: the exception does not set it aside"
        if c not in applied(recheck.decide(witness, ("ignore", e))):
            return f"{decided}, and {c} would not apply without the exception either"
        return None
    if kind == "shadowed":
        (k,) = keys
        if k not in reasons:
            return f"{decided}, and {k} does not apply"
        without = recheck.decide(witness, ("without", k))
        if without.outcome != d.outcome:
            return f"{decided}, and {without.outcome} without {k}: the clause changes this outcome"
        return None
    if kind == "vacuous":
        (k,) = keys
        if k not in {s.key for s in d.suspended} | {n.key for n in d.not_in_force}:
            return f"{decided}, and does not report {k} as suspended or not in force"
        return None
    raise ValueError(f"no claim for findings of kind {kind}")  # pragma: no cover


def _status(reason: str | None) -> str:
    return "unconfirmed" if reason else "confirmed"


class Verdicts:
    """The second half of `Analysis`: from answers to findings."""

    # -------------------------------------------------------------- pairs

    def _pair_findings(self) -> list[Finding]:
        out = []
        for (kind, i, j), groups in self.met.items():
            if kind == "co" or not self.searched(kind, (i, j)):
                continue
            keys = (i, j) if kind == "silenced" else pair_of(i, j)
            _, (witness, decision, reason) = self.witness_of[(kind, i, j)]
            ranges = [r for g in groups for r in self.ranges[g]]
            message = (self._silenced_message(i, j, decision, witness) if kind == "silenced"
                       else self._pair_message(kind, keys[0], keys[1], decision))
            out.append(Finding(kind, keys, merge_windows(ranges), witness, decision, message,
                               _status(reason), reason=reason))
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

    def _silenced_message(self, e: ClauseKey, c: ClauseKey, d: dict, witness: dict) -> str:
        other = self.recheck.decide(witness, ("ignore", e)).to_json()
        return (f"{self._title(e)} is an exception that sets aside {self._title(c)}, which it does not name "
                f"but which refines a clause it names: without the exception {c.clause} would apply and the case "
                f"would be {other['outcome']}; with it, the case is {d['outcome']}")

    def _witness(self, g: int, formula, kind: str, keys: tuple) -> tuple:
        """A witness of `formula` in group `g`, shrunk (`shrink.py`), its decision, and the reason
        the interpreter does not confirm the finding (or None)."""
        session = self.session(g)
        model = session.simplest(formula) or session.find(formula)
        witness = realise(self.program, self.lib.domains, model, self.enc.case, witness_id(kind, keys))
        claim, assumed = holds_claim(self.recheck, kind, keys), meets(self.lib.interpreter, self.assume)

        def holds(case: dict) -> bool:
            return claim(case) and assumed(case)
        if holds(witness):   # a vacuous clause's witness keeps its day: one it is suspended on
            witness = shrink(witness, holds, None if kind == "vacuous" else session.witness_day().isoformat())
        return (witness, *confirm(self.recheck, kind, keys, witness))

    # -------------------------------------------------------------- proofs over every group

    def _redundant(self) -> list[Finding]:
        out = []
        self.redundant_keys: set[ClauseKey] = set()
        A = self.enc.applies()
        for (kind, i, j), groups in sorted(self.met.items(), key=lambda q: (natural(q[0][1]), natural(q[0][2]))):
            if kind != "co":
                continue
            if any(self.session(g).find(z3.Xor(A[i], A[j])) is not None
                   for g in self.groups if self.in_force(i, g) or self.in_force(j, g)):
                continue
            keys = pair_of(i, j)
            witness, decision, reason = self._witness(groups[0], z3.And(A[i], A[j]), "redundant", keys)
            ranges = [r for g in self.groups if self.in_force(i, g) for r in self.ranges[g]]
            message = (f"{self._title(keys[0])} and {self._title(keys[1])} apply to exactly the same cases "
                       f"with the same effect ({self.lib.effects[i][0]}): one of them is redundant")
            out.append(Finding("redundant", keys, merge_windows(ranges), witness, decision, message,
                               _status(reason), reason=reason))
            self.redundant_keys |= {i, j}
        return out

    def _changes_anywhere(self, k: ClauseKey) -> bool:
        """Whether leaving `k` out changes an outcome in some group (after the first, asked in
        round two)."""
        if k in self.changes_outcome:
            return True
        changes = self.core.changes(k)
        return any(self.session(g).find(changes) is not None
                   for g in self.can[k] if g != self.unchanged_in.get(k))

    def _shadowed(self) -> list[Finding]:
        out = []
        lib = self.lib
        for k in lib.order:
            if (k not in self.can or not lib.effects[k] or lib.obligations[k] or not self._in_focus(k)
                    or k in getattr(self, "redundant_keys", ()) or self._changes_anywhere(k)):
                continue
            witness, decision, reason = self._witness(self.can[k][0], self.enc.applies()[k], "shadowed", (k,))
            ranges = [r for g in self.can[k] for r in self.ranges[g]]
            out.append(Finding("shadowed", (k,), merge_windows(ranges), witness, decision,
                               self._shadowed_message(k, decision), _status(reason), reason=reason))
        return out

    def _shadowed_message(self, k: ClauseKey, d: dict) -> str:
        if outcomes.rank(self.lib.effects[k][0]) >= outcomes.rank("report_only"):
            return (f"{self._title(k)} never changes an outcome: its effect "
                    f"({self.lib.effects[k][0]}) is permissive and it is no exception to any "
                    f"clause, so it sets nothing aside (here: {d['outcome']})")
        others = [f"{r['policy']} {r['clause']}" for r in d["reasons"]
                  if (r["policy"], r["clause"]) != (k.policy, k.clause)]
        by = ", ".join(others) if others else "other clauses"
        return (f"{self._title(k)} never changes an outcome: wherever it applies, {by} "
                f"decide at least as strictly (here: {d['outcome']})")

    def _vacuous(self) -> list[Finding]:
        out = []
        for k in self.lib.order:
            if not self.lib.rules[k] or k in self.can or not self._in_focus(k):
                continue
            out.append(self._vacuous_finding(k))
        return out

    def _vacuous_finding(self, k: ClauseKey) -> Finding:
        life = self.lib.lives[k]
        all_windows = self.all_windows
        states = {w.statuses[k].state for w in all_windows}
        windows = ([(w.start, w.end) for w in all_windows if w.statuses[k].state == validity.SUSPENDED]
                   or [(w.start, w.end) for w in all_windows if w.statuses[k].in_force]
                   or [(w.start, w.end) for w in all_windows])
        witness, decision, reason = None, None, None
        suspended_first = sorted(self.groups, key=lambda g: not any(
            w.statuses[k].state == validity.SUSPENDED for w in self.all_groups[g]))
        timeless = self.enc.applies(timeless=True)[k]
        for g in suspended_first:
            if self.in_force(k, g):
                continue
            days = [w for w in self.all_groups[g] if w.statuses[k].state == validity.SUSPENDED] or self.all_groups[g]
            wanted = z3.And(timeless, z3.Or([z3.And(DATE >= day(w.start), DATE <= day(w.end)) for w in days]))
            if self.session(g).find(wanted) is None:
                continue
            witness, decision, reason = self._witness(g, wanted, "vacuous", (k,))
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
        return Finding("vacuous", (k,), merge_windows(windows), witness, decision, message,
                       _status(reason), reason=reason)


def pair_of(i: ClauseKey, j: ClauseKey) -> tuple:
    """Two clauses in reading order."""
    return (i, j) if natural(i) <= natural(j) else (j, i)


__all__ = ["Verdicts", "confirm", "holds_claim", "witness_id", "pair_of"]
