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
import itertools
import re
import time
from typing import Any

import z3

from policylang import ast
from policylang.analysis.decide import DATE, LICENSE, DecisionEncoding, Library, Window
from policylang.analysis.symbolic import day
from policylang.analysis.findings import Finding
from policylang.analysis.symbolic import Bounds
from policylang.analysis.witness import Rechecker, applied, realise
from policylang.program import ClauseKey, Program
from policylang.semantics import outcomes, validity

PERMISSIVE = (outcomes.rank("report_only"), outcomes.rank("excluded"))


class Group:
    """One window group: its encoding, its solver, and the models found so far."""

    def __init__(self, lib: Library, enc: DecisionEncoding, windows: list[Window], timeout_ms: int, stats):
        self.windows = windows
        self.facts = windows[0].facts
        self.ranges = tuple((w.start, w.end) for w in windows)
        self.enc = enc
        self.solver = z3.Solver()
        self.solver.set(timeout=timeout_ms)
        self.solver.add(enc.base + lib.fact_constraints(windows))
        self.synced = len(enc.builder.constraints)
        self.models: list[z3.ModelRef] = []
        self.found: set[tuple] = set()
        self.flags: list | None = None
        self.quiet: dict | None = None
        self.stats = stats

    def sync(self) -> None:
        """Add the domains of fields first read after this group was made (by an invariant)."""
        fresh = self.enc.builder.constraints[self.synced:]
        if fresh:
            self.solver.add(fresh)
            self.synced += len(fresh)

    def simplest(self, formula: Any) -> z3.ModelRef | None:
        """A model of `formula` that meets as many of the builder's preferences as it can find
        cheaply: lists empty, optional fields left out, common countries (a witness a person can
        read). Preferences in an unsatisfiable core are dropped, and the rest tried again."""
        self.sync()
        if self.flags is None:
            prefs = self.enc.builder.preferences
            self.flags = [z3.Bool(f"prefer#{n}") for n in range(len(prefs))]
            self.solver.add([z3.Implies(f, p) for f, p in zip(self.flags, prefs)])
        self.solver.push()
        self.solver.add(formula)
        wanted, model = list(self.flags), None
        for _ in range(25):
            self.stats["queries"] += 1
            result = self.solver.check(*wanted)
            if result == z3.sat:
                model = self.solver.model()
                break
            core = {c.get_id() for c in self.solver.unsat_core()} if result == z3.unsat else set()
            if not core:
                wanted = []
                continue
            wanted = [f for f in wanted if f.get_id() not in core]
        self.solver.pop()
        return model

    def alone(self, k: ClauseKey) -> z3.ModelRef | None:
        """A model where `k` applies and as few other clauses as the solver cheaply finds."""
        A = self.enc.applies()
        if self.quiet is None:
            self.quiet = {j: z3.Bool(f"quiet#{j}") for j in A}
            self.solver.add([z3.Implies(f, z3.Not(A[j])) for j, f in self.quiet.items()])
        wanted = [f for j, f in self.quiet.items() if j != k]
        self.solver.push()
        self.solver.add(A[k])
        model = None
        for _ in range(8):
            self.stats["queries"] += 1
            result = self.solver.check(*wanted)
            if result == z3.sat:
                model = self.solver.model()
                break
            core = {c.get_id() for c in self.solver.unsat_core()} if result == z3.unsat else set()
            wanted = [f for f in wanted if f.get_id() not in core] if core else []
        self.solver.pop()
        return model

    def find(self, formula: Any, reuse: bool = True) -> z3.ModelRef | None:
        """A model of the base constraints and `formula`, reusing an earlier model when one fits."""
        if reuse:
            for m in self.models[-12:]:
                if z3.is_true(m.eval(formula, model_completion=True)):
                    return m
        self.sync()
        self.stats["queries"] += 1
        self.solver.push()
        self.solver.add(formula)
        result = self.solver.check()
        model = self.solver.model() if result == z3.sat else None
        self.solver.pop()
        if result == z3.unknown:
            self.stats["unknown"] += 1
        if model is not None:
            self.models.append(model)
        return model


class Analysis:
    """One run of `policylang analyze` over a program."""

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
        days themselves when its condition reads the date. Equal facts, equal answers."""
        cone, uses = self.cones[k]
        facts = group.facts
        return (tuple(c in facts.in_force for c in cone),
                tuple(sorted(facts.active_announcements)) if "listed" in uses else (),
                tuple(c in facts.in_force for c, _ in self.lib.interpreter.controls) if "controlled" in uses else (),
                group.ranges if "date" in uses else ())

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


def natural(k: ClauseKey) -> tuple:
    """A clause's place in reading order: `FIXTURE-2025-9` before `FIXTURE-2025-10`."""
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"(\d+)", f"{k.policy} {k.clause}"))


def _pair(i: ClauseKey, j: ClauseKey) -> tuple:
    return (i, j) if natural(i) <= natural(j) else (j, i)


def _merge(ranges: list) -> tuple:
    """Sorted, adjacent windows joined."""
    out: list[list] = []
    for a, b in sorted(set(ranges)):
        if out and a <= out[-1][1] + datetime.timedelta(days=1):
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)
