"""The plan of a search: which question is asked in which window group, decided before any is.

Takes: a `Library`, its window groups, the assumption (or None), and what the search is narrowed
to (kinds of finding, clauses).
Returns: `Plan`, which knows for each clause
- `reach`: the actions and control-code signatures for which one of its rules can hold (the
  compiled engine's guards, `compile/guards.py`), narrowed by the clauses it refines or is an
  exception to, which must apply (or be eligible) with it; two clauses whose reaches do not
  meet can never apply to one case, and the solver is never asked about them;
- `signature(k, g)`: the facts of group `g` that can change whether `k` applies: the statuses of
  the clauses it depends on (those it refines, its exceptions, the clauses those are exceptions
  to, and so on), the entity lists in force when a condition of them reads `listed`, the control
  clauses when one reads `controlled`, the days when one reads `date`; the facts that the base
  constraints read (classifications, `invalid` rules, defaults, the assumption) count for every
  clause;
- `meet(i, j)`: whether two clauses can apply to one case, as far as their reaches tell.
Guarantees: two groups with equal signatures for a question give it the same answer, so it need
be asked in only one of them (the search asks it in the first); the plan is a function of the
program and the options alone, so the same questions are asked in the same sessions whatever
the number of worker processes.
"""

from __future__ import annotations

from typing import Any

from policylang import ast
from policylang.analysis.symbolic import _walk
from policylang.compile.guards import Guards
from policylang.program import ClauseKey, Program


class Plan:
    """The static facts of one search: reaches, dependency cones, signatures."""

    def __init__(self, lib, groups: list, assume: ast.Expr | None):
        self.lib, self.groups = lib, groups
        program, interp = lib.program, lib.interpreter
        self.program = program
        self.related = _related(lib)
        self.cones = {k: _cone(interp, k) for k in lib.order}
        base = [rule.condition for rule, _ in program.invalid_rules]
        base += [c.condition for _, c in interp.classifiers]
        base += [f.default for r in program.records.values() for f in r.fields if f.default is not None]
        if assume is not None:
            base.append(assume)
        self.base_reads = frozenset().union(*(reads(program, e) for e in base)) if base else frozenset()
        self.reads = {k: self.base_reads.union(*(reads(program, r.condition)
                                                 for c in self.cones[k] for r in lib.rules[c]))
                      for k in lib.order}
        self._reach = Reach(program, lib)
        self.reach = self._reach.of
        self._signatures: dict[tuple, tuple] = {}
        # the announcements whose being in force changes who is listed: those that list an entry
        self.sources = sorted({e.source for e in interp.screening.entries if e.source})

    def signature(self, k: ClauseKey, g: int) -> tuple:
        """What decides, in group `g`, whether clause `k` can apply (see the module's docstring)."""
        key = (k, g)
        if key not in self._signatures:
            facts, uses = self.groups[g][0].facts, self.reads[k]
            controls = self.lib.interpreter.controls
            self._signatures[key] = (
                tuple(c in facts.in_force for c in self.cones[k]),
                tuple(a in facts.active_announcements for a in self.sources) if "listed" in uses else (),
                tuple(c in facts.in_force for c, _ in controls) if "controlled" in uses else (),
                tuple((w.start, w.end) for w in self.groups[g]) if "date" in uses else ())
        return self._signatures[key]

    def meet(self, i: ClauseKey, j: ClauseKey) -> bool:
        """Whether clauses `i` and `j` can apply to one case, as far as their guards tell."""
        (ai, si), (aj, sj) = self.reach(i), self.reach(j)
        return not ai.isdisjoint(aj) and not si.isdisjoint(sj)

    def meet_own(self, k: ClauseKey, j: ClauseKey) -> bool:
        """Whether `j` can apply to a case for which a rule of `k` holds, as far as guards tell."""
        (ak, sk), (aj, sj) = self._reach.own(k), self.reach(j)
        return not ak.isdisjoint(aj) and not sk.isdisjoint(sj)


class Reach:
    """For each clause, the actions and code signatures for which it can apply."""

    def __init__(self, program: Program, lib):
        self.guards = guards = Guards(program)
        self.lib = lib
        actions = list(guards.actions) if guards.enabled else []
        signatures = sorted({guards.signature(c) for c in lib.domains.codes} | {guards.signature(None)})
        self.all = (frozenset(actions), frozenset(range(len(signatures))))
        self._own: dict[ClauseKey, tuple] = {}
        self._reach: dict[ClauseKey, tuple] = {}
        if not guards.enabled:
            return
        by_action = {a: guards.evaluator(a, None) for a in actions}
        by_code = [guards.evaluator(None, s) for s in signatures]
        for k in lib.order:
            conditions = [r.condition for r in lib.rules[k]]
            self._own[k] = (
                frozenset(a for a, ev in by_action.items() if any(guards.holding(c, ev) for c in conditions)),
                frozenset(n for n, ev in enumerate(by_code) if any(guards.holding(c, ev) for c in conditions)))

    def own(self, k: ClauseKey) -> tuple[frozenset, frozenset]:
        """The actions and signatures for which one of the clause's own rules can hold."""
        return self._own[k] if self.guards.enabled else self.all

    def of(self, k: ClauseKey) -> tuple[frozenset, frozenset]:
        if not self.guards.enabled:
            return self.all
        if k not in self._reach:
            interp = self.lib.interpreter
            actions, codes = self._own[k]
            self._reach[k] = (actions, codes)      # refinements and exceptions form no cycle
            for needed in (interp.refined[k], interp.excepted[k]):
                if needed:
                    reached = [self.of(n) for n in needed]
                    actions &= frozenset().union(*(a for a, _ in reached))
                    codes &= frozenset().union(*(c for _, c in reached))
            self._reach[k] = (actions, codes)
        return self._reach[k]


def _related(lib) -> frozenset:
    """Pairs declared an exception to or refinement of one another, directly or through others."""
    interp = lib.interpreter
    edges = {k: set(interp.refined[k]) | set(interp.excepted[k]) for k in lib.order}
    closure = set()
    for k in lib.order:
        stack, seen = list(edges[k]), set()
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack += edges[n]
        closure |= {(k, n) for n in seen} | {(n, k) for n in seen}
    return frozenset(closure)


def _cone(interp, k: ClauseKey) -> tuple:
    """The clauses whose status can change whether `k` applies: those it refines, its
    exceptions and the clauses they are exceptions to, and theirs in turn, in reading order."""
    seen, stack = set(), [k]
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack += interp.refined[n] + interp.exceptions_to[n] + interp.excepted[n]
    position = interp.law.position
    return tuple(sorted(seen, key=position.__getitem__))


def reads(program: Program, expr: Any, seen: set | None = None) -> frozenset[str]:
    """Which time-bound facts an expression reads (`date`, `listed`, `controlled`), through the
    definitions it uses."""
    seen = set() if seen is None else seen
    out: set[str] = set()
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
            out |= reads(program, program.definitions[name][0].body, seen)
    return frozenset(out)


__all__ = ["Plan", "Reach", "reads"]
