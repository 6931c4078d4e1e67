"""The search: every conflict, overlap, silenced clause, shadowed, redundant and vacuous clause.

Takes: a checked `Program`, search `Bounds`, an optional assumption (a condition on the case, such
as `date >= 2025-01-01`) and the first and last day to consider.
Returns: `Analysis(...).run()`, the findings (see `findings.py`) and stats.
Guarantees: the search is complete within the bounds: time is cut into windows on which every
clause's status is constant (`Life.changes()`), windows with the same statuses are searched
together, and in each the solver is asked, for every pair of clauses that are not declared an
exception to or refinement of one another, whether both can apply; for every clause, whether it
can apply and whether it can change the outcome. A "no" from the solver is a proof (for cases
within the bounds). Each "yes" comes with a model, which is turned into a witness case and re-run
through the interpreter; a finding the interpreter does not confirm is dropped and counted in
`stats.unconfirmed`, never reported. Gaps between the entries of an item family are in `gaps.py`.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import z3

from policylang import ast
from policylang.analysis.decide import DATE, LICENSE, DecisionEncoding, Library
from policylang.analysis.findings import Finding
from policylang.analysis.findings import merge_windows as _merge
from policylang.analysis.findings import natural
from policylang.analysis.group import Group
from policylang.analysis.symbolic import Bounds, day
from policylang.analysis.verdicts import Verdicts
from policylang.analysis.witness import Rechecker, realise
from policylang.program import ClauseKey, Program
from policylang.semantics import outcomes

PERMISSIVE = tuple(outcomes.rank(e) for e in outcomes.PERMISSIVE_EFFECTS)
__all__ = ["Analysis", "Group", "natural", "_merge"]


class Analysis(Verdicts):
    """One run of `policylang analyze` over a program (the findings are assembled in `Verdicts`)."""

    def __init__(self, program: Program, bounds: Bounds = Bounds(), assume: ast.Expr | None = None,
                 first: datetime.date | None = None, last: datetime.date | None = None, timeout_ms: int = 20000):
        self.program, self.bounds, self.assume = program, bounds, assume
        self.lib = Library(program, bounds)
        self.recheck = Rechecker(program)
        self.timeout_ms = timeout_ms
        kw = {k: v for k, v in (("first", first), ("last", last)) if v}
        self.all_windows = self.lib.windows(**kw)
        self.stats: dict[str, Any] = {"windows": len(self.all_windows), "groups": 0, "queries": 0,
                                      "unknown": 0, "unconfirmed": 0, "opaque_clauses": [],
                                      "list_length": bounds.list_length, "record_depth": bounds.depth,
                                      "clauses": len(self.lib.order)}
        self.related = self._related()
        self.cones = {k: self._cone(k) for k in self.lib.order}
        self.memo: dict[tuple, bool] = {}
        self.unconfirmed: list[tuple[str, tuple, dict]] = []

    # -------------------------------------------------------------- relations

    def _related(self) -> set[tuple[ClauseKey, ClauseKey]]:
        """Pairs declared an exception to or refinement of one another, directly or through others."""
        interp = self.lib.interpreter
        edges = {k: set(interp.refined[k]) for k in self.lib.order}
        for target, excs in interp.exceptions_to.items():
            for e in excs:
                edges[e].add(target)
        closure = set()
        for k in self.lib.order:
            stack, seen = list(edges[k]), set()
            while stack:
                n = stack.pop()
                if n not in seen:
                    seen.add(n)
                    stack += edges[n]
            closure |= {(k, n) for n in seen} | {(n, k) for n in seen}
        return closure

    def _cone(self, k: ClauseKey) -> tuple[tuple, frozenset]:
        """The clauses whose status can change whether `k` applies, and the time-bound facts its
        conditions read (`date`, the lists, the control clauses)."""
        interp, seen, stack, uses = self.lib.interpreter, set(), [k], set()
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack += interp.refined[n] + interp.exceptions_to[n]
            for rule in self.lib.rules[n]:
                uses |= _reads(self.program, rule.condition)
        return tuple(sorted(seen, key=lambda c: (c.policy, c.clause))), frozenset(uses)

    def _index(self, k: ClauseKey) -> int:
        return self.lib.order.index(k)

    # -------------------------------------------------------------- the run

    def run(self) -> tuple[list[Finding], dict]:
        started = time.perf_counter()
        self.hits: dict[tuple, dict] = {}        # (kind, keys) -> {"ranges": [...], "witness": ..., ...}
        self.can_apply: dict[ClauseKey, list] = {}
        self.changes_outcome: set[ClauseKey] = set()
        self.groups: list[Group] = []
        self.enc = DecisionEncoding(self.lib, self.assume)
        for windows in self.lib.groups(self.all_windows):
            group = Group(self.lib, self.enc, windows, self.timeout_ms, self.stats)
            if group.find(z3.BoolVal(True), reuse=False) is None:
                continue                              # the assumption rules these days out
            if self.assume is not None:
                group.ranges = self._clip(group)
            self.groups.append(group)
            self._search_group(group)
        self.stats["groups"] = len(self.groups)
        self.stats["opaque_clauses"] = sorted({str(k) for k in self.enc.opaque})
        pairs = self._pair_findings()
        redundant = self._redundant()
        same = {f.clauses for f in redundant}       # a redundant pair is not also reported as an overlap
        findings = [f for f in pairs if not (f.kind == "overlap" and f.clauses in same)]
        findings += redundant + self._shadowed() + self._vacuous()
        from policylang.analysis.gaps import find_gaps
        findings += find_gaps(self)
        self.stats["seconds"] = round(time.perf_counter() - started, 2)
        self.stats["by_kind"] = {k: n for k in ("conflict", "overlap", "silenced", "shadowed", "redundant",
                                                "vacuous", "gap") if (n := sum(f.kind == k for f in findings))}
        return sorted(findings, key=Finding.sort_key), self.stats

    def _clip(self, group: Group) -> tuple:
        """The group's days that the assumption allows: each window cut to its first and last such day."""
        out = []
        for start, end in group.ranges:
            inside = z3.And(DATE >= day(start), DATE <= day(end))
            ends = []
            for goal in ("minimize", "maximize"):
                opt = z3.Optimize()
                opt.add(group.enc.base + self.lib.fact_constraints(group.windows) + [inside])
                getattr(opt, goal)(DATE)
                self.stats["queries"] += 1
                if opt.check() != z3.sat:
                    break
                ends.append(datetime.date.fromordinal(opt.model().eval(DATE).as_long()))
            if len(ends) == 2:
                out.append((ends[0], ends[1]))
        return tuple(out)

    def _hit(self, kind: str, keys: tuple, group: Group, model: z3.ModelRef, formula: Any = None, **extra) -> None:
        entry = self.hits.get((kind, keys))
        if entry is None:
            if formula is not None:
                model = group.simplest(formula) or model
            witness = realise(self.program, self.lib.domains, model, group.enc.case, f"{kind}-{len(self.hits) + 1}")
            self.hits[(kind, keys)] = {"ranges": list(group.ranges), "witness": witness, **extra}
        else:
            entry["ranges"] += group.ranges

    def _search_group(self, group: Group) -> None:
        lib, enc = self.lib, group.enc
        facts = group.facts
        A = enc.applies()
        live = [k for k in lib.order if k in facts.in_force and lib.rules[k]]
        able = []
        for k in live:
            if group.find(A[k]) is not None:
                self.can_apply.setdefault(k, []).extend(group.ranges)
                able.append(k)
        effectful = [k for k in able if lib.effects[k]]
        restr = {k: z3.And(A[k], enc.effect[k] <= LICENSE) for k in effectful if self._may(k, "restrictive")}
        perm = {k: z3.And(A[k], z3.Or([enc.effect[k] == r for r in PERMISSIVE]))
                for k in effectful if self._may(k, "permissive")}
        self._co_search(group, "overlap", restr, restr, symmetric=True)
        self._co_search(group, "conflict", perm, restr, symmetric=False)
        single = {k: A[k] for k in effectful if len(lib.effects[k]) == 1}
        self._co_search(group, "co", single, single, symmetric=True,
                        same=lambda i, j: lib.effects[i] == lib.effects[j])
        self._silenced(group, A)
        for k in effectful:
            if k in self.changes_outcome or lib.obligations[k]:
                continue
            without = enc.applies(removed=frozenset({k}))
            changes = enc.outcome(A) != enc.outcome(without)
            m = group.alone(k)        # cheap first: a case where k applies and few others do
            if m is not None and z3.is_true(m.eval(changes, model_completion=True)):
                self.changes_outcome.add(k)
            elif group.find(changes) is not None:
                self.changes_outcome.add(k)

    def _co_search(self, group: Group, kind: str, left: dict, right: dict, symmetric: bool, same=None) -> None:
        """Every pair (i, j), not declared related, for which `left[i]` and `right[j]` can hold at once.

        One query per clause and per discovery: ask for `left[i]` and any `right[j]` not yet
        found; a model shows which; "unsat" settles every remaining pair of `i` at once."""
        order = {k: n for n, k in enumerate(self.lib.order)}
        for i in left:
            candidates = [j for j in right if j != i and (i, j) not in self.related
                          and (not symmetric or order[j] > order[i]) and (same is None or same(i, j))
                          and (kind, _pair(i, j)) not in group.found]
            unknown = []
            for j in candidates:
                known = self.memo.get((kind, i, j, self._facts(i, group), self._facts(j, group)))
                if known is None:
                    unknown.append(j)
                elif known:
                    group.found.add((kind, _pair(i, j)))
                    self.hits[(kind, _pair(i, j))]["ranges"] += group.ranges
            searched = list(unknown)
            while unknown:
                m = group.find(z3.And(left[i], z3.Or([right[j] for j in unknown])), reuse=False)
                if m is None:
                    break
                found = [j for j in unknown if z3.is_true(m.eval(right[j], model_completion=True))]
                for j in found:
                    group.found.add((kind, _pair(i, j)))
                    if kind == "co":
                        self.hits.setdefault(("co", _pair(i, j)), {"ranges": []})
                    else:
                        self._hit(kind, _pair(i, j), group, m, z3.And(left[i], right[j]))
                unknown = [j for j in unknown if j not in found]
            for j in searched:
                key = (kind, i, j, self._facts(i, group), self._facts(j, group))
                self.memo[key] = (kind, _pair(i, j)) in group.found

    def _facts(self, k: ClauseKey, group: Group) -> tuple:
        """What decides, in a group, whether clause `k` can apply: the statuses of the clauses it
        depends on (refined, exceptions, control clauses), the entity lists in force, and the
        days themselves when its condition (or the assumption) may read the date. Equal facts, equal
        answers."""
        cone, uses = self.cones[k]
        facts = group.facts
        return (tuple(c in facts.in_force for c in cone),
                tuple(sorted(facts.active_announcements)) if "listed" in uses else (),
                tuple(c in facts.in_force for c, _ in self.lib.interpreter.controls) if "controlled" in uses else (),
                group.ranges if "date" in uses or self.assume is not None else ())

    def _may(self, k: ClauseKey, what: str) -> bool:
        ranks = [outcomes.rank(e) for e in self.lib.effects[k]]
        if what == "restrictive":
            return any(r <= LICENSE for r in ranks)
        return any(r in PERMISSIVE for r in ranks)

    def _silenced(self, group: Group, A: dict) -> None:
        lib, enc, interp = self.lib, group.enc, self.lib.interpreter
        for e in lib.order:
            targets = set(k for k, excs in interp.exceptions_to.items() if e in excs)
            if not targets or e not in group.facts.in_force:
                continue
            heedless = enc.applies(ignore_exceptions=frozenset({e}))
            for c in lib.order:
                if c in targets or c == e or not (lib.effects[c] or lib.obligations[c]):
                    continue
                if not self._refines_any(c, targets):
                    continue
                f = z3.And(A[e], heedless[c], z3.Not(A[c]))
                m = group.find(f)
                if m is not None:
                    self._hit("silenced", (e, c), group, m, f)

    def _refines_any(self, c: ClauseKey, targets: set) -> bool:
        stack, seen = list(self.lib.interpreter.refined[c]), set()
        while stack:
            n = stack.pop()
            if n in targets:
                return True
            if n not in seen:
                seen.add(n)
                stack += self.lib.interpreter.refined[n]
        return False

def _reads(program: Program, expr: ast.Expr, seen: set | None = None) -> set[str]:
    """Which time-bound facts an expression reads, through the definitions it uses."""
    from policylang.analysis.symbolic import _walk
    seen = set() if seen is None else seen
    out = set()
    for node in _walk(expr):
        if isinstance(node, ast.Name) and node.name == "date":
            out.add("date")
        if isinstance(node, ast.Call) and node.func in ("listed", "controlled_by_listed"):
            out.add("listed")
        if isinstance(node, ast.Call) and node.func == "controlled":
            out.add("controlled")
        name = node.name if isinstance(node, ast.Name) else node.func if isinstance(node, ast.Call) else None
        if name in program.definitions and name not in seen:
            seen.add(name)
            out |= _reads(program, program.definitions[name][0].body, seen)
    return out


def _pair(i: ClauseKey, j: ClauseKey) -> tuple:
    return (i, j) if natural(i) <= natural(j) else (j, i)
