"""One group of date windows under search: the shared encoding, a solver fixed to the group's
facts, and the models found so far.

Takes: the `Library`, the `DecisionEncoding` and windows with equal facts.
Returns: `Group`, whose `find` answers "is there a valid case in these days for which …?" with a
model or None, `simplest` the same with a witness a person can read, and `alone` a case where one
clause applies with as few others as it cheaply finds.
Guarantees: every query is asked under the group's facts and the encoding's base constraints
(valid cases, no evaluation error, the assumption); fields first read after the group was made
(by an invariant) have their domains added before the next query.
"""

from __future__ import annotations

from typing import Any

import z3

from policylang.analysis.decide import DecisionEncoding, Library, Window
from policylang.program import ClauseKey


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
        model = self._model_dropping(list(self.flags), tries=25)
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
        model = self._model_dropping(wanted, tries=8)
        self.solver.pop()
        return model

    def _model_dropping(self, wanted: list, tries: int) -> z3.ModelRef | None:
        """A model under the `wanted` assumptions, dropping those of an unsatisfiable core and
        trying again (all of them when the solver gives no core), at most `tries` times."""
        for _ in range(tries):
            self.stats["queries"] += 1
            result = self.solver.check(*wanted)
            if result == z3.sat:
                return self.solver.model()
            core = {c.get_id() for c in self.solver.unsat_core()} if result == z3.unsat else set()
            wanted = [f for f in wanted if f.get_id() not in core] if core else []
        return None

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
