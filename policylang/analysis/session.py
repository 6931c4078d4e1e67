"""A session: one window group's questions, asked in a z3 context of their own.

Takes: the `Library`, the `DecisionEncoding` (built once, in the main z3 context) and windows
with equal facts.
Returns: `Session`, whose `find` answers "is there a valid case in these days for which …?" with
a model or None, `simplest` the same with a witness a person can read, and `alone` a case where
one clause applies with as few others as it cheaply finds; `SessionModel`, a model that reads
terms of the main context (for `witness.realise`).
Guarantees: every query is asked under the group's facts and the encoding's base constraints
(valid cases, no evaluation error, the assumption), in a fresh `z3.Context` into which the terms
it needs are translated. The answers and models of a session are therefore a function of what
it is asked and in which order, never of what other sessions (in this process or another) or
the main context did before: z3 picks its models by the order in which terms were made, and a
fresh context makes that order the session's own. Solver limits are z3 resource units
(`rlimit`), not seconds, so a limit reached is reached on every machine and every run.

>>> from policylang.library import load_shipped
>>> from policylang.analysis.decide import Library, DecisionEncoding
>>> program, _ = load_shipped()
>>> lib = Library(program); enc = DecisionEncoding(lib)
>>> windows = lib.groups(lib.windows())[-1]
>>> session = Session(lib, enc, windows, {"queries": 0, "unknown": 0})
>>> session.find(enc.applies()[ClauseKey("MOFCOM-2025-61", "V")]) is not None
True
"""

from __future__ import annotations

from typing import Any

import z3

from policylang.analysis.decide import DATE, DecisionEncoding, Library, Window
from policylang.analysis.findings import FIRST_DAY
from policylang.analysis.symbolic import day
from policylang.program import ClauseKey

# Some 600 times what the hardest query of the shipped library needs (about 340,000 units): a
# query that reaches it is reported `unknown` (`stats.unknown`), the same one on every machine.
RLIMIT = 200_000_000


class Translator:
    """Terms of the main context, translated into one other context, each once.

    The main term is kept with its translation, so that its id (the key) is never reused."""

    def __init__(self, ctx: z3.Context):
        self.ctx = ctx
        self.done: dict[int, tuple[Any, Any]] = {}

    def __call__(self, term: Any) -> Any:
        if term.ctx is self.ctx:
            return term
        found = self.done.get(term.get_id())
        if found is None:
            found = self.done[term.get_id()] = (term, term.translate(self.ctx))
        return found[1]

    def many(self, terms: list) -> list:
        """Several terms in one translation, sharing what they share."""
        fresh = [t for t in terms if t.get_id() not in self.done]
        if fresh:
            vector = z3.AstVector()
            for t in fresh:
                vector.push(t)
            moved = vector.translate(self.ctx)
            for i, t in enumerate(fresh):
                self.done[t.get_id()] = (t, moved[i])
        return [self(t) for t in terms]


class SessionModel:
    """A model of a session, read with terms of the main context."""

    def __init__(self, model: z3.ModelRef, translate: Translator):
        self.model, self.translate = model, translate

    def eval(self, term: Any, model_completion: bool = False) -> Any:
        return self.model.eval(self.translate(term), model_completion=model_completion)


class Session:
    """One window group: its own context and solver, and the models found so far."""

    def __init__(self, lib: Library, enc: DecisionEncoding, windows: list[Window], stats: dict,
                 rlimit: int = RLIMIT):
        self.lib, self.enc, self.windows, self.stats = lib, enc, windows, stats
        self.facts = windows[0].facts
        self.ranges = tuple((w.start, w.end) for w in windows)
        self.ctx = z3.Context()
        self.tr = Translator(self.ctx)
        self.solver = z3.Solver(ctx=self.ctx)
        self.solver.set("rlimit", rlimit)
        self.solver.add(self.tr.many(enc.base + lib.fact_constraints(windows)))
        self.synced = len(enc.builder.constraints)
        self.models: list[SessionModel] = []
        self.flags: list | None = None
        self.dropped: dict[Any, set] = {}     # clause -> preferences that conflict with it alone
        self.indicators: dict[tuple, tuple[Any, Any]] = {}
        self.quiet: dict | None = None

    def sync(self) -> None:
        """Add the domains of fields first read after this session was made (by an invariant)."""
        fresh = self.enc.builder.constraints[self.synced:]
        if fresh:
            self.solver.add(self.tr.many(fresh))
            self.synced += len(fresh)

    def _check(self, *assumptions) -> Any:
        """`solver.check(*assumptions)`, without z3's Python-side cast of each assumption (they
        are boolean literals of this session already): with a hundred preferences assumed, the
        casts cost more than the check."""
        self.stats["queries"] += 1
        vector = (z3.Ast * len(assumptions))(*[a.as_ast() for a in assumptions])
        result = z3.CheckSatResult(z3.Z3_solver_check_assumptions(self.ctx.ref(), self.solver.solver,
                                                                  len(assumptions), vector))
        if result == z3.unknown:
            self.stats["unknown"] += 1
        return result

    def indicator(self, term: Any) -> Any:
        """A boolean of this session that implies `term` (of the main context, or a formula of
        this session's own): assuming it asks for `term` without adding `term` again, so the
        solver keeps what it learned about it from one query to the next."""
        key = (term.ctx is self.ctx, term.get_id())      # ids are per context
        found = self.indicators.get(key)
        if found is None:
            b = z3.Bool(f"ask#{len(self.indicators)}", self.ctx)
            self.solver.add(z3.Implies(b, self.tr(term)))
            found = self.indicators[key] = (term, b)
        return found[1]

    def find(self, formula: Any, reuse: bool = True) -> SessionModel | None:
        """A model of the base constraints and `formula`, reusing an earlier model when one fits."""
        if reuse:
            for m in self.models[-12:]:
                if z3.is_true(m.eval(formula, model_completion=True)):
                    return m
        self.sync()
        result = self._check(self.indicator(formula))
        model = SessionModel(self.solver.model(), self.tr) if result == z3.sat else None
        if model is not None:
            self.models.append(model)
        return model

    def check_model(self, *assumptions) -> SessionModel | None:
        """A model under these assumptions (literals of this session), or None."""
        self.sync()
        return SessionModel(self.solver.model(), self.tr) if self._check(*assumptions) == z3.sat else None

    def simplest(self, formula: Any, parts: tuple = ()) -> SessionModel | None:
        """A model of `formula` that meets as many of the builder's preferences as it can find
        cheaply: the group's first day, lists empty, optional fields left out, common countries
        (a witness a person can read). Preferences in an unsatisfiable core are dropped, and the
        rest tried again. With `parts`, ((clause, formula), …) whose conjunction is `formula`,
        preferences found to conflict with one clause's part alone are not tried again for later
        witnesses about that clause in this session: a clause that needs an end user needs one
        in every witness."""
        self.sync()
        if self.flags is None:
            prefs = [DATE == day(self.witness_day()), *self.enc.builder.preferences]
            self.flags = [z3.Bool(f"prefer#{n}", self.ctx) for n in range(len(prefs))]
            self.solver.add([z3.Implies(f, p) for f, p in zip(self.flags, self.tr.many(prefs))])
        parts = parts or ((None, formula),)
        given = [(k, self.indicator(term)) for k, term in parts]
        known = set().union(*(self.dropped.get(k, ()) for k, _ in parts if k is not None))
        wanted = [f for f in self.flags if f.get_id() not in known]
        model, drops = self._model_dropping(wanted, tries=25, given=tuple(b for _, b in given))
        for drop in drops:
            owners = {k for k, b in given if b.get_id() in drop}
            if len(owners) == 1 and None not in owners:
                self.dropped.setdefault(owners.pop(), set()).update(drop)
        return model

    def witness_day(self):
        """The day a witness is best dated: the group's first day, unless that is the first day
        the search considers (nothing before it is known), then its last."""
        first = self.windows[0]
        return first.start if first.start > FIRST_DAY else first.end

    def alone(self, k: ClauseKey) -> SessionModel | None:
        """A model where `k` applies and as few other clauses as the solver cheaply finds."""
        A = self.enc.applies()
        if self.quiet is None:
            self.quiet = {j: z3.Bool(f"quiet#{j}", self.ctx) for j in A}
            self.solver.add([z3.Implies(f, z3.Not(self.tr(A[j]))) for j, f in self.quiet.items()])
        wanted = [f for j, f in self.quiet.items() if j != k]
        model, _ = self._model_dropping(wanted, tries=8, given=(self.indicator(A[k]),))
        return model

    def _model_dropping(self, wanted: list, tries: int, given: tuple = ()) -> tuple[SessionModel | None, list]:
        """A model under the `given` assumptions and as many `wanted` ones as it keeps: the
        wanted members of an unsatisfiable core are dropped and the rest tried again (all of
        them when the solver gives no core), at most `tries` times; and the sets of ids
        dropped, each with the ids of the givens in its core."""
        drops: list[set] = []
        givens = {g.get_id() for g in given}
        for _ in range(tries):
            result = self._check(*given, *wanted)
            if result == z3.sat:
                return SessionModel(self.solver.model(), self.tr), drops
            if not wanted:
                break
            core = {c.get_id() for c in self.solver.unsat_core()} if result == z3.unsat else set()
            if core and core <= givens:
                break                              # the formula itself cannot hold
            drop = (core - givens) or {f.get_id() for f in wanted}
            drops.append(drop | (core & givens))
            wanted = [f for f in wanted if f.get_id() not in drop]
        return None, drops


__all__ = ["Session", "SessionModel", "Translator", "RLIMIT"]
