"""The units of work of a search, each answered in a session of its own.

Takes: a `Core` (the program, its `Library`, its `DecisionEncoding` and `Plan`, built once per
process, or inherited by a forked worker) and a `Task`: one window group and the questions to ask
in it.
Returns: `run_task(core, task)`, a `TaskResult` of plain data (clause keys, booleans, witness
cases and their decisions as JSON), which the search merges in task order.
Guarantees: a task's answer depends on the task alone: it opens a fresh `Session` and asks its
questions in the order the task lists them. Questions:
- `apply`: can the clause apply in the group (and, with `feasibility`, is the group possible at
  all under the assumption; its days cut to those the assumption allows);
- a pair (kind, i, j): can `i` (the left side of `kind`) and `j` (the right side) apply to one
  case. All pairs of a task are asked at once: each model settles every pair it satisfies, and
  "unsat" settles all that remain;
- silenced (e, c): does exception `e` set aside `c`, which it does not name;
- `changes` k: is there a case whose outcome changes when `k` is left out;
and for each pair or exception met here that has no witness yet (not in `known`), a witness case,
re-decided by the interpreter in the task (`verdicts.confirm`).
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs
import z3

from policylang.analysis.decide import DATE, LICENSE, NOT_CONTROLLED, DecisionEncoding, Library
from policylang.analysis.plan import Plan
from policylang.analysis.session import Session
from policylang.analysis.symbolic import day
from policylang.analysis.shrink import shrink
from policylang.analysis.verdicts import confirm, holds_claim, pair_of, witness_id
from policylang.analysis.witness import FastDecider, Rechecker, meets, realise
from policylang.program import ClauseKey, Program
from policylang.semantics import outcomes

PERMISSIVE = tuple(outcomes.rank(e) for e in outcomes.PERMISSIVE_EFFECTS)
SIDES = {"overlap": ("restrictive", "restrictive"), "conflict": ("permissive", "restrictive"),
         "co": ("applies", "applies")}


@attrs.frozen
class Task:
    """Questions for one window group, asked in this order."""
    group: int
    apply: tuple[ClauseKey, ...] = ()
    pairs: tuple[tuple[str, ClauseKey, tuple[ClauseKey, ...]], ...] = ()   # (kind, i, the j's)
    silenced: tuple[tuple[ClauseKey, ClauseKey], ...] = ()
    changes: tuple[ClauseKey, ...] = ()
    known: frozenset = frozenset()        # questions met in an earlier group: no witness wanted
    feasibility: bool = False

    @property
    def size(self) -> int:
        return (len(self.apply) + 8 * sum(len(js) for _, _, js in self.pairs) + 8 * len(self.silenced)
                + 20 * len(self.changes))


@attrs.frozen
class TaskResult:
    group: int
    feasible: bool | None = None
    ranges: tuple | None = None
    applies: dict = attrs.field(factory=dict)      # clause -> can apply
    met: dict = attrs.field(factory=dict)          # (kind, i, j) -> bool
    witnesses: dict = attrs.field(factory=dict)    # (kind, i, j) -> (witness, decision, reason or None)
    changes: dict = attrs.field(factory=dict)      # clause -> whether leaving it out can change an outcome
    queries: int = 0
    unknown: int = 0


class Core:
    """What every task of one search reads: built once, never changed by a task."""

    def __init__(self, program: Program, lib: Library, enc: DecisionEncoding, plan: Plan, groups: list):
        self.program, self.lib, self.enc, self.plan, self.groups = program, lib, enc, plan, groups
        self.recheck = Rechecker(program)
        self.fast = FastDecider(program, self.recheck)
        self._sides: dict[tuple[str, ClauseKey], Any] = {}

    def side(self, what: str, k: ClauseKey) -> Any:
        """The formula of one side of a pair question: `restrictive` (applies with an effect of
        `license_required` or stricter), `permissive` (applies exempting or excluding), `applies`."""
        key = (what, k)
        if key not in self._sides:
            A, effect = self.enc.applies()[k], self.enc.effect[k]
            self._sides[key] = {"restrictive": lambda: z3.And(A, effect <= LICENSE),
                                "permissive": lambda: z3.And(A, z3.Or([effect == r for r in PERMISSIVE])),
                                "applies": lambda: A}[what]()
        return self._sides[key]

    def parts(self, q: tuple) -> tuple:
        """The parts of a question, each with the clause it is about: a pair of `kind` applying
        together, or an exception `e` applying while `c`, which it does not name, would apply
        were `e` not heeded, and does not."""
        kind, i, j = q
        if kind == "silenced":
            heedless = self.enc.applies(ignore_exceptions=frozenset({i}))
            A = self.enc.applies()
            return ((i, A[i]), (j, heedless[j]), (j, z3.Not(A[j])))
        return ((i, self.side(SIDES[kind][0], i)), (j, self.side(SIDES[kind][1], j)))

    def question(self, q: tuple, part=lambda term: term) -> Any:
        """The formula of a question: the conjunction of its parts, each passed through `part`
        (a session's indicator)."""
        return z3.And([part(term) for _, term in self.parts(q)])

    def changes(self, k: ClauseKey) -> Any:
        """The formula "leaving `k` out changes the outcome". Only clauses that can meet `k`
        (their guards, `Plan.meet`) or that depend on it take part: where `k` holds no other
        clause can apply, and where it does not, leaving it out changes only those depending on it."""
        enc, plan = self.enc, self.plan
        plain, without = enc.applies(), enc.applies(removed=frozenset({k}))
        touched = enc.touched(frozenset({k}))
        part = [j for j in self.lib.order if self.lib.effects[j] and (j in touched or plan.meet_own(k, j))]
        return outcome(enc, plain, part) != outcome(enc, without, part)


def outcome(enc: DecisionEncoding, applies: dict, clauses: list) -> Any:
    """The rank of the outcome decided by these clauses alone."""
    rank = z3.IntVal(NOT_CONTROLLED)
    for k in clauses:
        e = enc.effect[k]
        rank = z3.If(z3.And(applies[k], e < rank), e, rank)
    return rank


def run_task(core: Core, task: Task) -> TaskResult:
    stats = {"queries": 0, "unknown": 0}
    session = Session(core.lib, core.enc, core.groups[task.group], stats)
    out: dict[str, Any] = {"group": task.group}
    if task.feasibility:
        out["feasible"] = session.find(z3.BoolVal(True), reuse=False) is not None
        out["ranges"] = _clip(core, session) if out["feasible"] and core.enc.assumed else session.ranges
        if not out["feasible"]:
            return TaskResult(**out, queries=stats["queries"], unknown=stats["unknown"])
    A = core.enc.applies()
    out["applies"] = {k: session.find(A[k]) is not None for k in task.apply}
    met: dict[tuple, bool] = {}
    models: dict[tuple, Any] = {}
    _pairs(core, session, task.pairs, met, models)
    for e, c in task.silenced:
        q = ("silenced", e, c)
        models[q] = session.find(core.question(q, session.indicator))
        met[q] = models[q] is not None
    out["met"] = met
    out["changes"] = {k: _changes(core, session, k) for k in task.changes}
    out["witnesses"] = {q: _witness(core, session, q, models[q]) for q, yes in met.items()
                        if yes and q[0] != "co" and q not in task.known}
    return TaskResult(**out, queries=stats["queries"], unknown=stats["unknown"])


def _pairs(core: Core, session: Session, questions: tuple, met: dict, models: dict) -> None:
    """Which pair questions hold. Each question gets a literal that implies its pair, and one
    literal implies that some question holds; each query assumes that literal and the negations
    of the questions settled so far, so nothing is built again between queries. Each model
    settles every pair it satisfies (and is kept in `models` for its witness), until the solver
    finds none, which settles the rest at once."""
    tr, ctx = session.tr, session.ctx
    sides = {(side, k): core.side(side, k) for kind, i, js in questions
             for side, k in [(SIDES[kind][0], i), *((SIDES[kind][1], j) for j in js)]}
    asks = {key: session.indicator(term) for key, term in sides.items()}
    remaining = [(kind, i, j) for kind, i, js in questions for j in js]
    if not remaining:
        return
    literal = {q: z3.Bool(f"pair#{n}", ctx) for n, q in enumerate(remaining)}
    some = z3.Bool(f"some-pair#{len(session.indicators)}", ctx)
    session.solver.add([z3.Implies(literal[q], z3.And(asks[(SIDES[q[0]][0], q[1])], asks[(SIDES[q[0]][1], q[2])]))
                        for q in remaining])
    session.solver.add(z3.Implies(some, z3.Or(list(literal.values()))))
    settled: list = []
    while remaining:
        m = session.check_model(some, *settled)
        if m is None:
            break
        truth: dict[tuple, bool] = {}

        def holds(side: str, k: ClauseKey) -> bool:
            if (side, k) not in truth:
                truth[(side, k)] = z3.is_true(m.model.eval(tr(sides[(side, k)]), model_completion=True))
            return truth[(side, k)]
        found = [q for q in remaining if holds(SIDES[q[0]][0], q[1]) and holds(SIDES[q[0]][1], q[2])]
        if not found:
            raise RuntimeError("a model of the pair questions satisfies none of them")
        met.update((q, True) for q in found)
        models.update((q, m) for q in found)
        settled += [z3.Not(literal[q]) for q in found]
        remaining = [q for q in remaining if q not in met]
    for q in remaining:
        met[q] = False


def _changes(core: Core, session: Session, k: ClauseKey) -> bool:
    """Whether leaving `k` out changes the outcome of some case of the group: first on a case
    where `k` applies with as few others as cheaply found, then by asking."""
    changes = core.changes(k)
    m = session.alone(k)
    if m is not None and z3.is_true(m.eval(changes, model_completion=True)):
        return True
    return session.find(changes) is not None


def _witness(core: Core, session: Session, q: tuple, model) -> tuple:
    """The witness of a finding: the model that met its question, as a case, shrunk to what it
    needs (`shrink.py`); its decision and, when the interpreter does not confirm what the
    finding claims, the reason."""
    kind, i, j = q
    keys = (i, j) if kind == "silenced" else pair_of(i, j)
    model = session.simplest(None, core.parts(q)) or model
    witness = realise(core.program, core.lib.domains, model, core.enc.case, witness_id(kind, keys))
    claim = holds_claim(core.fast if kind != "silenced" else core.recheck, kind, keys)
    assumed = meets(core.lib.interpreter, core.enc.assumption)

    def holds(case: dict) -> bool:
        return claim(case) and assumed(case)
    if holds(witness):
        witness = shrink(witness, holds, session.witness_day().isoformat())
    decision, reason = confirm(core.recheck, kind, keys, witness)
    return witness, decision, reason


def _clip(core: Core, session: Session) -> tuple:
    """The group's days that the assumption allows: each window cut to its first and last such day."""
    out = []
    for start, end in session.ranges:
        inside = z3.And(DATE >= day(start), DATE <= day(end))
        ends = []
        for goal in ("minimize", "maximize"):
            opt = z3.Optimize(ctx=session.ctx)
            opt.add(session.tr.many(core.enc.base + core.lib.fact_constraints(session.windows) + [inside]))
            getattr(opt, goal)(session.tr(DATE))
            session.stats["queries"] += 1
            if opt.check() != z3.sat:
                break
            ends.append(datetime.date.fromordinal(opt.model().eval(session.tr(DATE)).as_long()))
        if len(ends) == 2:
            out.append((ends[0], ends[1]))
    return tuple(out)


__all__ = ["Task", "TaskResult", "Core", "run_task", "outcome", "SIDES"]
