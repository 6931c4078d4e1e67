"""The search: every conflict, overlap, silenced clause, shadowed, redundant and vacuous clause.

Takes: a checked `Program`, search `Bounds`, an optional assumption (a condition on the case, such
as `date >= 2025-01-01`), the first and last day to consider, and optionally what to look for
(`kinds`) and about which clauses (`focus`); the number of worker processes.
Returns: `Analysis(...).run()`, the findings (see `findings.py`) and stats.
Guarantees: the search is complete within the bounds: time is cut into windows on which every
clause's status is constant (`Life.changes()`), windows with the same statuses are searched
together as a group, and in each the solver is asked, for every pair of clauses that are not
declared an exception to or refinement of one another and whose guards can meet, whether both
can apply; for every clause, whether it can apply and whether it can change the outcome. A "no"
from the solver is a proof (for cases within the bounds). Each "yes" comes with a model, which is
turned into a witness case and re-run through the interpreter; a finding the interpreter does not
confirm is reported as `unconfirmed`, with the reason, and counted in `stats.unconfirmed`.
The search runs in two rounds of tasks (`tasks.py`): which clauses can apply in each group, then
the pairs, exceptions and outcome changes; a question is asked once for all groups in which the
facts it depends on are the same (`plan.py`). Narrowing by `kinds` or `focus` narrows the
questions asked, not only what is printed. Gaps between the entries of an item family are in
`gaps.py`; the findings are assembled in `verdicts.py`.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from policylang import ast
from policylang.analysis.decide import DecisionEncoding, Library
from policylang.analysis.findings import KINDS, Finding
from policylang.analysis.parallel import run_all
from policylang.analysis.plan import Plan
from policylang.analysis.session import Session
from policylang.analysis.symbolic import Bounds
from policylang.analysis.tasks import Core, Task
from policylang.analysis.verdicts import Verdicts
from policylang.analysis.witness import Rechecker
from policylang.eval.cases import RawCase
from policylang.program import ClauseKey, Program
from policylang.semantics import outcomes
from policylang.semantics.outcomes import PERMISSIVE_EFFECTS

CHUNK = 120           # pair questions in one task at most (a clause's questions are never split)
LICENSE = outcomes.rank("license_required")


class Analysis(Verdicts):
    """One run of `policylang analyze` over a program."""

    def __init__(self, program: Program, bounds: Bounds = Bounds(), assume: ast.Expr | None = None,
                 first: datetime.date | None = None, last: datetime.date | None = None,
                 kinds: frozenset | None = None, focus: frozenset | None = None, jobs: int = 1):
        self.program, self.bounds, self.assume = program, bounds, assume
        self.kinds = frozenset(kinds) if kinds else frozenset(KINDS)
        self.focus = frozenset(focus) if focus else None
        self.jobs = jobs
        self.lib = Library(program, bounds)
        self.recheck = Rechecker(program)
        kw = {k: v for k, v in (("first", first), ("last", last)) if v}
        self.all_windows = self.lib.windows(**kw)
        self.enc = DecisionEncoding(self.lib, assume)
        self.all_groups = self.lib.groups(self.all_windows)
        self.plan = Plan(self.lib, self.all_groups, assume)
        self.core = Core(program, self.lib, self.enc, self.plan, self.all_groups)
        self.stats: dict[str, Any] = {"windows": len(self.all_windows), "groups": 0, "queries": 0,
                                      "unknown": 0, "unconfirmed": 0, "opaque_clauses": [],
                                      "list_length": bounds.list_length, "record_depth": bounds.depth,
                                      "clauses": len(self.lib.order)}
        self._sessions: dict[int, Session] = {}

    # -------------------------------------------------------------- what is searched

    def searched(self, kind: str, keys: tuple) -> bool:
        """Whether findings of this kind about these clauses were searched for in this run."""
        return kind in self.kinds and (self.focus is None or any(k in self.focus for k in keys))

    def searches_invariants(self) -> bool:
        return "invariant" in self.kinds

    def _wants(self, *kinds: str) -> bool:
        return any(k in self.kinds for k in kinds)

    def _in_focus(self, *keys: ClauseKey) -> bool:
        return self.focus is None or any(k in self.focus for k in keys)

    # -------------------------------------------------------------- the run

    def run(self) -> tuple[list[Finding], dict]:
        self.stats["opaque_clauses"] = sorted({str(k) for k in self.enc.opaque})
        self._round_one()
        self._round_two()
        findings: list[Finding] = []
        redundant = self._redundant() if self._wants("redundant", "overlap", "shadowed") else []
        same = {f.clauses for f in redundant}       # a redundant pair is not also reported as an overlap
        findings += [f for f in self._pair_findings() if not (f.kind == "overlap" and f.clauses in same)]
        findings += [f for f in redundant if self.searched("redundant", f.clauses)]
        if self._wants("shadowed"):
            findings += self._shadowed()
        if self._wants("vacuous"):
            findings += self._vacuous()
        if self._wants("gap"):
            from policylang.analysis.gaps import find_gaps
            findings += [f for f in find_gaps(self) if self._in_focus(*f.clauses)]
        self.stats["groups"] = len(self.groups)
        self.stats["unconfirmed"] = sum(f.status == "unconfirmed" for f in findings)
        self.stats["by_kind"] = {k: n for k in KINDS if (n := sum(f.kind == k for f in findings))}
        return sorted(findings, key=Finding.sort_key), self.stats

    def _run(self, tasks: list[Task]) -> list:
        results = run_all(self.core, tasks, self.jobs)
        for r in results:
            self.stats["queries"] += r.queries
            self.stats["unknown"] += r.unknown
        self.stats["tasks"] = self.stats.get("tasks", 0) + len(tasks)
        return results

    def _round_one(self) -> None:
        """Which groups the assumption allows (and their days), which clauses can apply in each."""
        lib, plan = self.lib, self.plan
        wanted = [k for k in lib.order if lib.rules[k] and self._relevant(k)]
        tasks, owner = [], {}
        for g, windows in enumerate(self.all_groups):
            facts = windows[0].facts
            mine = []
            for k in wanted:
                if k in facts.in_force:
                    sig = (k, plan.signature(k, g))
                    owner[(k, g)] = owner.get(sig, g)
                    owner.setdefault(sig, g)
                    if owner[(k, g)] == g:
                        mine.append(k)
            tasks.append(Task(g, apply=tuple(mine), feasibility=True))
        results = self._run(tasks)
        self.feasible = [g for g, r in enumerate(results) if r.feasible]
        self.ranges = {g: tuple(r.ranges) for g, r in enumerate(results) if r.feasible}
        self.can: dict[ClauseKey, list[int]] = {}
        for g in self.feasible:
            for k in wanted:
                if (k, g) in owner and results[owner[(k, g)]].applies.get(k):
                    self.can.setdefault(k, []).append(g)

    def _relevant(self, k: ClauseKey) -> bool:
        """Whether round one must ask about `k`: always, unless the search is narrowed to clauses
        that `k` cannot meet."""
        return self.focus is None or k in self.focus or any(self.plan.meet(k, f) for f in self.focus)

    def _round_two(self) -> None:
        """The pairs, the exceptions that silence, the outcome changes. A question is settled for
        every group in which the facts it depends on are the same by asking it in the first of
        them, its owner (`_ask`). The first owner of each question is asked first; for the
        others, a witness met earlier is first decided as of their days (`_transfer`), and only
        what that does not settle is asked after. Whether leaving a clause out changes an outcome
        is asked only when no witness shows it (`_changes_shown`)."""
        lib = self.lib
        self.asked: dict[tuple, dict[int, int]] = {}      # question -> group -> owner group
        self._owners: dict[tuple, int] = {}               # question and signatures -> owner group
        first_can = {k: gs[0] for k, gs in self.can.items()}
        questions: dict[int, tuple[list, list, list]] = {}
        for g in self.feasible:
            able = [k for k in lib.order if g in self.can.get(k, ())]
            pairs = self._pair_questions(g, able)
            silenced = self._silenced_questions(g, able) if self._wants("silenced") else []
            changes = [k for k in able if self._wants("shadowed") and self._in_focus(k) and lib.effects[k]
                       and not lib.obligations[k] and first_can[k] == g]
            questions[g] = (pairs, silenced, changes)
        owners = {q: sorted(set(by.values())) for q, by in self.asked.items()}
        first = {g: ([(kind, i, tuple(j for j in js if owners[(kind, i, j)][0] == g)) for kind, i, js in pairs],
                     [q for q in silenced if owners[("silenced", *q)][0] == g], [])
                 for g, (pairs, silenced, _) in questions.items()}
        self.answers: dict[tuple, dict[int, bool]] = {}
        self.witness_of: dict[tuple, tuple] = {}
        self.changes_outcome: set[ClauseKey] = set()
        self.unchanged_in: dict[ClauseKey, int] = {}
        self._merge(self._run(self._tasks(first, frozenset())))
        later: dict[int, tuple[list, list, list]] = {g: ([], [], []) for g in self.feasible}
        unsettled = self._changes_shown()
        for g, (_, _, changes) in questions.items():
            later[g][2].extend(k for k in changes if k not in unsettled)
        for q, groups in owners.items():
            for g in groups[1:]:
                if q[0] == "silenced":
                    later[g][1].append(q[1:])
                elif not self._transfer(q, g):
                    later[g][0].append((q[0], q[1], (q[2],)))
        known = frozenset(q for q, by in self.answers.items() if any(by.values()))
        self._merge(self._run(self._tasks(later, known)))
        self.met: dict[tuple, list[int]] = {}
        for q, by_group in self.asked.items():
            groups = [g for g, owner in sorted(by_group.items()) if self.answers.get(q, {}).get(owner)]
            if groups:
                self.met[q] = groups

    def _changes_shown(self) -> set[ClauseKey]:
        """The clauses that a witness already shows to change an outcome, and so need no question:
        in its decision the clause applies with an effect stricter than every other clause that
        applies, and it is no exception (leaving it out can then only make the outcome milder)."""
        shown = set()
        for _, (_, decision, reason) in self.witness_of.values():
            if reason is not None:
                continue
            ranks = [(outcomes.rank(r["effect"]), ClauseKey(r["policy"], r["clause"])) for r in decision["reasons"]]
            for rank, k in ranks:
                if not self.lib.interpreter.excepted[k] and all(other > rank for other, j in ranks if j != k):
                    shown.add(k)
        self.changes_outcome |= shown
        return shown

    def _tasks(self, questions: dict[int, tuple[list, list, list]], known: frozenset) -> list[Task]:
        """The questions of each group in tasks of at most `CHUNK` pair questions."""
        tasks = []
        for g, (pairs, silenced, changes) in sorted(questions.items()):
            chunk: list = []
            for kind, i, js in pairs:
                if not js:
                    continue
                if chunk and sum(len(x) for _, _, x in chunk) + len(js) > CHUNK:
                    tasks.append(Task(g, pairs=tuple(chunk), known=known))
                    chunk = []
                chunk.append((kind, i, js))
            if chunk:
                tasks.append(Task(g, pairs=tuple(chunk), known=known))
            if silenced or changes:
                tasks.append(Task(g, silenced=tuple(silenced), changes=tuple(changes), known=known))
        return tasks

    def _merge(self, results: list) -> None:
        for r in results:
            for q, yes in r.met.items():
                self.answers.setdefault(q, {})[r.group] = yes
            for q, found in r.witnesses.items():
                if q not in self.witness_of or r.group < self.witness_of[q][0]:
                    self.witness_of[q] = (r.group, found)
            for k, yes in r.changes.items():
                if yes:
                    self.changes_outcome.add(k)
                else:
                    self.unchanged_in[k] = r.group

    def _transfer(self, q: tuple, g: int) -> bool:
        """Whether the witness of pair question `q`, decided as of the first day of group `g`,
        shows the pair there too (then `g`'s answer is yes, and no solver is asked)."""
        if q not in self.witness_of or self.assume is not None:
            return False
        (_, (witness, _, reason)) = self.witness_of[q]
        if reason is not None:
            return False
        kind, i, j = q
        moved = {**witness, "date": self.ranges[g][0][0].isoformat()}
        decision = self.engine.decide(RawCase(moved, "transfer"))
        shown = {r.key for r in decision.reasons}
        if kind == "co":
            shown |= {o.key for o in decision.obligations}
        if decision.outcome != "error" and i in shown and j in shown:
            self.answers.setdefault(q, {})[g] = True
            return True
        return False

    @functools.cached_property
    def engine(self):
        """The compiled engine, which agrees with the interpreter on every case, to move witnesses."""
        from policylang.engines import engine
        return engine(self.program, "compiled")

    def _ask(self, question: tuple, g: int, keys: tuple) -> bool:
        """Record that `question` is asked for group `g`, and in which group it is settled (the
        first with the same signatures of `keys`); always true, to filter with."""
        sig = (question, tuple(self.plan.signature(k, g) for k in keys))
        self.asked.setdefault(question, {})[g] = self._owners.setdefault(sig, g)
        return True

    def _pair_questions(self, g: int, able: list[ClauseKey]) -> list[tuple]:
        lib, plan = self.lib, self.plan
        position = {k: n for n, k in enumerate(lib.order)}
        effectful = [k for k in able if lib.effects[k]]
        restrictive = [k for k in effectful if any(outcomes.rank(e) <= LICENSE for e in lib.effects[k])]
        permissive = [k for k in effectful if any(e in PERMISSIVE_EFFECTS for e in lib.effects[k])]
        single = [k for k in effectful if len(lib.effects[k]) == 1]
        sides = []
        if self._wants("overlap"):
            sides.append(("overlap", restrictive, restrictive, True))
        if self._wants("conflict"):
            sides.append(("conflict", permissive, restrictive, False))
        if self._wants("redundant", "overlap", "shadowed"):
            sides.append(("co", single, single, True))
        out = []
        for kind, lefts, rights, symmetric in sides:
            for i in lefts:
                js = tuple(j for j in rights
                           if j != i and (i, j) not in plan.related and (not symmetric or position[j] > position[i])
                           and (kind != "co" or lib.effects[i] == lib.effects[j])
                           and self._in_focus(i, j) and plan.meet(i, j)
                           and self._ask((kind, i, j), g, (i, j)))
                if js:
                    out.append((kind, i, js))
        return out

    def _silenced_questions(self, g: int, able: list[ClauseKey]) -> list[tuple]:
        lib, interp = self.lib, self.lib.interpreter
        out = []
        for e in able:
            targets = set(interp.excepted[e])
            if not targets:
                continue
            for c in lib.order:
                if c in targets or c == e or not (lib.effects[c] or lib.obligations[c]) or g not in self.can.get(c, ()):
                    continue
                if self._refines_any(c, targets) and self._in_focus(e, c) and self._ask(("silenced", e, c), g, (e, c)):
                    out.append((e, c))
        return out

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

    # -------------------------------------------------------------- sessions in this process

    @property
    def groups(self) -> list[int]:
        """The window groups the assumption allows, as indexes into `all_groups`."""
        return self.feasible

    def session(self, g: int) -> Session:
        """A session of this process for group `g` (for what follows the two rounds), made on
        first use."""
        if g not in self._sessions:
            s = Session(self.lib, self.enc, self.all_groups[g], self.stats)
            s.ranges = self.ranges[g]
            self._sessions[g] = s
        return self._sessions[g]

    def in_force(self, k: ClauseKey, g: int) -> bool:
        return k in self.all_groups[g][0].facts.in_force


__all__ = ["Analysis"]
