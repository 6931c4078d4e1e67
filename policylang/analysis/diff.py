"""A semantic diff of the law: what changes between two dates of a library, or two libraries.

Takes: a checked `Program` and two dates (`diff_dates`), or two checked programs of one schema
(`diff_versions`), and search bounds.
Returns: a `Diff`: the clauses whose status changes (dates) or whose text changes (versions);
for each clause that can decide a case differently, a witness case that is decided differently,
with both decisions; the clauses that change but decide no case differently (a proof, within
the bounds).
Guarantees: the candidates are the clauses whose facts or text differ between the two sides
(`Plan.signature`, clause and definition equality); for each, the solver is asked for a case on
which that clause applies on one side only and the outcome differs (`compare.py`). Every witness
is shrunk to what it needs (`shrink.py`) and decided by the reference interpreter on both sides
(as of each date with `eval/asof.py`, or by each library): a difference the interpreter does not
show is reported `unconfirmed`, with the reason, never dropped.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

import attrs
import z3

from policylang.analysis.compare import Probe, Side
from policylang.analysis.decide import DATE, DecisionEncoding, Library, Window
from policylang.analysis.findings import FIRST_DAY, LAST_DAY, merge_windows, natural
from policylang.analysis.plan import Plan
from policylang.analysis.shrink import shrink
from policylang.analysis.symbolic import Bounds, Domains, day
from policylang.eval.cases import RawCase
from policylang.eval.decision import Decision
from policylang.program import ClauseKey, Program


@attrs.frozen
class Change:
    """A clause whose status (dates) or text (versions) differs between the two sides."""
    key: ClauseKey
    before: str
    after: str


@attrs.frozen
class Difference:
    """A case decided differently: the clause it was searched for, the case, both decisions."""
    key: ClauseKey
    witness: dict
    before: dict
    after: dict
    windows: tuple = ()
    reason: str | None = None          # why the interpreter does not show the difference

    @property
    def status(self) -> str:
        return "unconfirmed" if self.reason else "confirmed"


@attrs.frozen
class Diff:
    before: str                        # the first date, or the old library's name
    after: str
    changes: tuple[Change, ...]
    differences: tuple[Difference, ...]
    same: tuple[ClauseKey, ...]        # changed, yet no case is decided differently
    queries: int = 0


# ------------------------------------------------------------------ two dates


def diff_dates(program: Program, first: datetime.date, second: datetime.date, bounds: Bounds = Bounds()) -> Diff:
    """What changes between two dates of one library.

    >>> from policylang.library import load_shipped
    >>> d = diff_dates(load_shipped()[0], datetime.date(2026, 11, 27), datetime.date(2026, 11, 28))
    >>> sorted({str(c.key) for c in d.changes})
    ['MOFCOM-2024-46 2', 'MOFCOM-2024-46 2(a)', 'MOFCOM-2024-46 2(b)']
    >>> [(str(x.key), x.before["outcome"], x.after["outcome"]) for x in d.differences]
    [('MOFCOM-2024-46 2(a)', 'license_required', 'denied_in_principle')]
    """
    from policylang.timeline import clause_rows, same_status
    before = {r.key: r for r in clause_rows(program, first)}
    after = {r.key: r for r in clause_rows(program, second)}
    changes = tuple(Change(k, before[k].describe(), after[k].describe()) for k in before
                    if not same_status(before[k].status, after[k].status))
    lib = Library(program, bounds)
    enc = DecisionEncoding(lib)
    sides = [Side(lib, enc, lib.facts_on(d), d) for d in (first, second)]
    windows = [[Window(d, d, lib.facts_on(d), {})] for d in (first, second)]
    plan = Plan(lib, windows, None)
    candidates = [k for k in lib.order if lib.effects[k] and plan.signature(k, 0) != plan.signature(k, 1)]
    interpreter = lib.interpreter

    def decide(case: dict) -> tuple[Decision, Decision]:
        raw = RawCase(case, "witness")
        return interpreter.decide(raw, as_of=first), interpreter.decide(raw, as_of=second)
    fast = _engine(program)

    def fast_decide(case: dict) -> tuple[Decision, Decision]:
        raw = RawCase(case, "witness")
        return fast.decide(raw, as_of=first), fast.decide(raw, as_of=second)
    probe = Probe(sides, [DATE == day(first)])      # the witness is dated the first day
    differences, same = [], []
    for k in candidates:
        found = _difference(probe, sides, k, f"diff {k} {first} {second}", first.isoformat(),
                            fast_decide, decide)
        (differences.append(found) if found else same.append(k))
    return Diff(first.isoformat(), second.isoformat(), changes, tuple(differences),
                tuple(k for k in same if any(c.key == k for c in changes)), probe.queries)


# ------------------------------------------------------------------ two libraries


class SchemaMismatch(ValueError):
    """The two libraries do not share one schema, so one case cannot be read by both."""


def diff_versions(old: Program, new: Program, bounds: Bounds = Bounds(), names: tuple[str, str] = ("old", "new")) -> Diff:
    """The cases two libraries decide differently, for each clause whose text differs."""
    for name in set(old.enums) & set(new.enums):
        if [m.name for m in old.enums[name].members] != [m.name for m in new.enums[name].members]:
            raise SchemaMismatch(f"the two libraries declare `enum {name}` differently")
    domains = Domains(old, (new,))
    libs = [Library(p, bounds, domains) for p in (old, new)]
    encs = [DecisionEncoding(lib) for lib in libs]
    changed = _changed_clauses(old, new)
    changes = tuple(Change(k, _describe(old, k), _describe(new, k)) for k in changed)
    days = sorted({FIRST_DAY, LAST_DAY + datetime.timedelta(days=1)} | libs[0].change_days() | libs[1].change_days())
    days = [d for d in days if FIRST_DAY <= d <= LAST_DAY + datetime.timedelta(days=1)]
    groups: dict[tuple, list[tuple[datetime.date, datetime.date]]] = {}
    for start, nxt in zip(days, days[1:]):
        facts = (libs[0].facts_on(start), libs[1].facts_on(start))
        groups.setdefault(facts, []).append((start, nxt - datetime.timedelta(days=1)))
    engines = [_engine(p) for p in (old, new)]
    interpreters = [lib.interpreter for lib in libs]

    def decide_with(deciders) -> Callable[[dict], tuple[Decision, Decision]]:
        return lambda case: tuple(d.decide(RawCase(case, "witness")) for d in deciders)
    found: dict[ClauseKey, Difference] = {}
    found_in: dict[ClauseKey, list] = {}
    queries = 0
    for (facts_old, facts_new), ranges in groups.items():
        sides = [Side(libs[0], encs[0], facts_old), Side(libs[1], encs[1], facts_new)]
        inside = z3.Or([z3.And(DATE >= day(a), DATE <= day(b)) for a, b in ranges])
        probe = Probe(sides, [inside])
        first_day = ranges[0][0] if ranges[0][0] > FIRST_DAY else ranges[0][1]
        for k in changed:
            if k in found:
                if probe.find(_differs(sides, k)) is not None:
                    found_in[k] += ranges
                continue
            result = _difference(probe, sides, k, f"diff {k}", first_day.isoformat(),
                                 decide_with(engines), decide_with(interpreters))
            if result is not None:
                found[k], found_in[k] = result, list(ranges)
        queries += probe.queries
    differences = tuple(attrs.evolve(found[k], windows=merge_windows(found_in[k])) for k in changed if k in found)
    same = tuple(k for k in changed if k not in found)
    return Diff(names[0], names[1], changes, differences, same, queries)


def _changed_clauses(old: Program, new: Program) -> list[ClauseKey]:
    """Clauses added, removed, or whose text differs, or which use a definition whose text
    differs, in reading order."""
    defs = {n for n in set(old.definitions) | set(new.definitions)
            if (old.definitions.get(n) or (None,))[0] != (new.definitions.get(n) or (None,))[0]}
    keys = sorted(set(old.clauses) | set(new.clauses), key=natural)

    def uses_changed(p: Program, k: ClauseKey) -> bool:
        clause = p.clauses.get(k)
        return clause is not None and any(_uses(p, r.condition, defs) for r in clause.rules)
    return [k for k in keys if old.clauses.get(k) != new.clauses.get(k)
            or uses_changed(old, k) or uses_changed(new, k)]


def _uses(program: Program, expr: Any, names: set, seen: set | None = None) -> bool:
    from policylang import ast
    from policylang.analysis.symbolic import _walk
    seen = set() if seen is None else seen
    for node in _walk(expr):
        name = node.name if isinstance(node, ast.Name) else node.func if isinstance(node, ast.Call) else None
        if name in names:
            return True
        if name in program.definitions and name not in seen:
            seen.add(name)
            if _uses(program, program.definitions[name][0].body, names, seen):
                return True
    return False


def _describe(program: Program, k: ClauseKey) -> str:
    """A clause's rules on one line each, as the formatter writes them (`absent` for none)."""
    from policylang.fmt.doc import render
    from policylang.fmt.printer import Printer
    clause = program.clauses.get(k)
    if clause is None:
        return "absent"
    printer = Printer()
    rules = [" ".join(render(printer.visit_Rule(r, 0), 10 ** 6, 0).split()) for r in clause.rules]
    return " | ".join(rules) or "no rule"


# ------------------------------------------------------------------ one difference


def _differs(sides: list[Side], k: ClauseKey) -> Any:
    """`k` applies on one side only, and the outcomes differ."""
    a, b = (s.applies.get(k, z3.BoolVal(False)) for s in sides)
    return z3.And(z3.Xor(a, b), sides[0].outcome() != sides[1].outcome())


def _difference(probe: Probe, sides: list[Side], k: ClauseKey, case_id: str, date: str,
                fast: Callable, decide: Callable) -> Difference | None:
    model = probe.find(_differs(sides, k))
    if model is None:
        return None
    witness = {**probe.witness(model, case_id), "date": date}
    witness = {"id": witness.pop("id"), "date": date, **{f: v for f, v in witness.items() if f != "date"}}

    def holds(case: dict) -> bool:
        one, two = fast(case)
        return "error" not in (one.outcome, two.outcome) and one.outcome != two.outcome \
            and k in {r.key for r in one.reasons} ^ {r.key for r in two.reasons}
    if holds(witness):
        witness = shrink(witness, holds)
    one, two = decide(witness)
    reason = None
    if "error" in (one.outcome, two.outcome):
        reason = "the interpreter cannot decide the witness: " + "; ".join(
            f"{e.code} {e.message}" for d in (one, two) for e in d.errors)
    elif one.outcome == two.outcome:
        reason = f"the interpreter decides the witness {one.outcome} on both sides"
    return Difference(k, witness, one.to_json(), two.to_json(), reason=reason)


def _engine(program: Program):
    from policylang.engines import engine
    return engine(program, "compiled")


__all__ = ["Diff", "Change", "Difference", "diff_dates", "diff_versions", "SchemaMismatch"]
