"""Benchmark: the peer workload decided by policylang, CEL in Rust and generated Python, in one run.

Run: `python benchmarks/peer.py [--n 100000] [--reps 5] [--peerbench DIR]`.

Takes: the peer workload (`../shared/peerbench` beside the project, or `--peerbench`): its seeded
requests (`common.gen_requests`), its hand-written reference (`common.decide_handwritten`,
`common.fired_handwritten`) and its engine adapters (`engines.CelRust`, `engines.PyGen`); and the
12 rules written in policylang, `benchmarks/peer/library/` (its own schema, without the stdlib).
Prints: the machine; load and compile times; for each engine the microseconds a decision (median
of the reps, with min and max), its wrong decisions and, for policylang, its wrong explanations
(the clauses cited against the rules the reference says hold); the ratios policylang / CEL and
policylang / generated Python, from this run alone.
Guarantees: every engine decides the same requests, in one process, interleaved: each rep runs
every step once, in an order rotated from rep to rep. Every decision of every rep is checked
against the reference. What each figure includes:
- policylang: `engine.decide(RawCase(case, origin))` for every case, which reads the case against
  the schema (decimals, dates, quantities, enumerations) and assembles the full `Decision`
  (reasons with their citations, warnings, library identity), as CEL's figure includes turning
  the request dict into CEL values. The conversion of the peer's request (floats, day numbers) to
  a case in the contract's format is timed on its own and is NOT in this figure; the sum is
  printed as well, as the peer counts every per-request conversion an engine needs;
- CEL in Rust and generated Python: the peer's own adapters (`loop`), unchanged.
The compiled engine (`compile_program` of `policylang.eval.compiler` or `policylang.compile`) is
timed when it can be imported; the interpreter always is.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.metadata
import os
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

import attrs

from policylang.eval.cases import RawCase
from policylang.eval.interpreter import Interpreter
from policylang.library import load

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / "peer" / "library"
PEERBENCH = HERE.parent.parent / "shared" / "peerbench"   # ../shared beside the project
CEL_INSTALL = "pip install common-expression-language==0.10.0"
EPOCH = datetime.date(1970, 1, 1)
WARM_UP = 1000
# Where the compiled engine's `compile_program(program)` may live, in the order tried.
COMPILED_MODULES = ("policylang.eval.compiler", "policylang.compile")

# policylang's outcome -> the peer's decision (peer-workload.md: deny > license > report > allow).
PEER_DECISION = {"prohibited": "deny", "license_required": "license_required",
                 "report_only": "report_only", "not_controlled": "allow"}


# ------------------------------------------------------------------ requests -> cases

def to_case(r: dict) -> dict:
    """A peer request as a policylang case (contract format): floats by their shortest repr, so
    0.001 stays exactly 0.001; the day number as an ISO date; the particle size with its unit.

    >>> to_case({"origin": "CN", "destination": "US", "control_code": "EAR99", "value_ratio": 0.001,
    ...          "end_use": ["civil"], "end_user_military": False, "end_user_listed": False,
    ...          "export_day": 20423, "item_kind": "powder", "particle_size_um": 50.0})["date"]
    '2025-12-01'
    """
    return {
        "date": (EPOCH + datetime.timedelta(days=r["export_day"])).isoformat(),
        "origin": r["origin"],
        "destination": r["destination"],
        "control_code": r["control_code"],
        "value_ratio": repr(r["value_ratio"]),
        "end_use": list(r["end_use"]),
        "end_user_military": r["end_user_military"],
        "end_user_listed": r["end_user_listed"],
        "item_kind": r["item_kind"],
        "particle_size": f"{r['particle_size_um']!r} um",
    }


def to_raw_cases(reqs: list[dict]) -> list[RawCase]:
    return [RawCase(to_case(r), f"peer[{i}]") for i, r in enumerate(reqs)]


# ------------------------------------------------------------------ the steps of a rep

@attrs.frozen
class Step:
    """One timed pass: `run(inputs)` over every request. `decisions` turns its outputs into the
    peer's decision names (None for a step that decides nothing); `explained` into the sets of
    rule ids cited (None for an engine that gives no reasons)."""
    name: str
    run: Callable[[list], list]
    inputs: list
    decisions: Callable[[list], list[str]] | None = None
    explained: Callable[[list], list[set[str]]] | None = None
    note: str = ""


def policylang_step(name: str, engine, raws: list[RawCase]) -> Step:
    decide = engine.decide

    def run(cases: list[RawCase]) -> list:
        return [decide(raw) for raw in cases]

    return Step(name, run, raws,
                lambda ds: [PEER_DECISION.get(d.outcome) or _failed(d) for d in ds],
                lambda ds: [{r.key.clause for r in d.reasons} for d in ds],
                "decide(RawCase): reading the case included")


def _failed(decision) -> str:
    """An outcome the peer has no name for: an `error` decision, with its first error."""
    first = decision.errors[0] if decision.errors else None
    return f"{decision.outcome}" + (f" ({first.code} {first.message})" if first else "")


def peer_step(name: str, adapter, state, reqs: list[dict], note: str) -> Step:
    return Step(name, lambda rs: adapter.loop(state, rs), reqs, list, None, note)


def timed_once(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


# ------------------------------------------------------------------ report helpers

def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{platform.platform()}; {model or platform.processor() or platform.machine()}; "
            f"{os.cpu_count()} cores ({usable} usable); Python {platform.python_version()}")


def dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def micro(seconds: float, n: int) -> float:
    return seconds / n * 1e6


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a / b < 10 else f"{a / b:.1f}x"


# ------------------------------------------------------------------ the run

def compiled_engine() -> tuple[Callable | None, str | None]:
    """`compile_program` of the compiled engine, from the first module of `COMPILED_MODULES`
    there is; (None, None) when there is none. An import error inside the engine is raised."""
    for name in COMPILED_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        return module.compile_program, name
    return None, None


def build_steps(program, engines, reqs: list[dict],
                failures: list[str]) -> tuple[list[Step], list[tuple[str, float]]]:
    """Every step of a rep, in order, and the time each engine took to build (once, apart); an
    engine that fails to build is named in `failures` and left out."""
    built: list[tuple[str, float]] = []
    steps = [Step("request -> case conversion", to_raw_cases, reqs,
                  note="to_case + RawCase: not in the policylang figures")]
    raws = to_raw_cases(reqs)
    compile_program, where = compiled_engine()
    if compile_program is None:
        print(f"policylang compiled: skipped (none of {', '.join(COMPILED_MODULES)} is importable yet)")
    else:
        try:
            secs, compiled = timed_once(lambda: compile_program(program))
        except Exception as exc:  # the engine's failure is a finding of the run, not the end of it
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"policylang compiled: FAILED on this library: {type(exc).__name__}: {exc} "
                  f"({frame.filename}:{frame.lineno})")
            failures.append(f"{where}.compile_program")
        else:
            built.append((f"policylang: {where}.compile_program(program)", secs))
            steps.append(policylang_step("policylang compiled", compiled, raws))
    secs, interpreter = timed_once(lambda: Interpreter(program))
    built.append(("policylang: Interpreter(program)", secs))
    steps.append(policylang_step("policylang interpreter", interpreter, raws))

    cel = engines.CelRust()
    try:
        cel.setup()
    except ImportError:
        print(f"CEL in Rust: skipped (the `cel` module is not installed: {CEL_INSTALL})")
    else:
        secs, prog = timed_once(cel.compile)
        built.append(("CEL: cel.compile(text)", secs))
        steps.append(peer_step("CEL in Rust", cel, prog, reqs, "peer adapter: execute(request dict)"))

    pygen = engines.PyGen()
    pygen.setup()
    secs, namespace = timed_once(pygen.compile)
    built.append(("generated Python: compile + exec", secs))
    steps.append(peer_step("generated Python", pygen, namespace, reqs, "peer adapter: emit.python_source()"))
    return steps, built


@attrs.define
class Tally:
    """What the reps found for one step: seconds a pass, wrong decisions and explanations (the
    most in any rep), and the first wrong decisions for the report."""
    times: list[float] = attrs.Factory(list)
    wrong: int = 0
    wrong_reasons: int = 0
    examples: list[str] = attrs.Factory(list)


def run_reps(steps: list[Step], reps: int, expected: list[str], expected_fired: list[set[str]]) -> dict[str, Tally]:
    """Warm every step up on a slice (untimed), then `reps` passes of every step, interleaved, the
    order rotated each rep; every output checked against the reference."""
    for step in steps:
        step.run(step.inputs[:WARM_UP])
    tally = {s.name: Tally() for s in steps}
    for rep in range(reps):
        k = rep % len(steps)
        for step in steps[k:] + steps[:k]:
            secs, out = timed_once(lambda: step.run(step.inputs))
            t = tally[step.name]
            t.times.append(secs)
            if step.decisions is not None:
                got = step.decisions(out)
                bad = [i for i, e in enumerate(expected) if i >= len(got) or got[i] != e]
                t.wrong = max(t.wrong, len(bad))
                t.examples = t.examples or [f"request {i}: {got[i] if i < len(got) else 'no decision'}"
                                            f" (expected {expected[i]})" for i in bad[:3]]
            if step.explained is not None:
                cited = step.explained(out)
                t.wrong_reasons = max(t.wrong_reasons, sum(c != f for c, f in zip(cited, expected_fired)))
            del out
        print(f"  rep {rep + 1}/{reps} done")
    return tally


def report(steps: list[Step], tally: dict[str, Tally], n: int) -> None:
    med = {name: micro(statistics.median(t.times), n) for name, t in tally.items()}
    print(f"\n{'engine':28} {'µs/decision':>12} {'min':>8} {'max':>8} {'wrong':>6} {'wrong reasons':>14}  what is timed")
    for step in steps:
        t = tally[step.name]
        wrong = t.wrong if step.decisions is not None else "-"
        wrong_reasons = t.wrong_reasons if step.explained is not None else "-"
        print(f"{step.name:28} {med[step.name]:12.2f} {micro(min(t.times), n):8.2f} {micro(max(t.times), n):8.2f} "
              f"{wrong!s:>6} {wrong_reasons!s:>14}  {step.note}")
        for line in t.examples:
            print(f"    {line}")
    conversion = med[steps[0].name]
    print("\nratios (medians of this run):")
    for pl in ("policylang compiled", "policylang interpreter"):
        if pl not in med:
            continue
        caveat = "  (its decisions are wrong: the ratio means nothing)" if tally[pl].wrong else ""
        for other in ("CEL in Rust", "generated Python"):
            if other in med:
                print(f"  {pl} / {other}: {ratio(med[pl], med[other])} "
                      f"(with the conversion, {med[pl] + conversion:.2f} µs: "
                      f"{ratio(med[pl] + conversion, med[other])}){caveat}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="requests (default 100000, the peer's)")
    parser.add_argument("--reps", type=int, default=5, help="timed passes per engine (default 5)")
    parser.add_argument("--seed", type=int, default=None, help="request seed (default the peer's, 20251201)")
    parser.add_argument("--peerbench", type=Path, default=PEERBENCH, help=f"the peer scripts (default {PEERBENCH})")
    args = parser.parse_args()
    sys.path.insert(0, str(args.peerbench))
    common = importlib.import_module("common")
    engines = importlib.import_module("engines")

    print(f"machine: {machine()}")
    print(f"policylang {dist_version('policylang')}, common-expression-language {dist_version('common-expression-language')}")
    seed = common.SEED if args.seed is None else args.seed
    reqs = common.gen_requests(args.n, seed)
    expected = [common.decide_handwritten(r) for r in reqs]
    expected_fired = [set(common.fired_handwritten(r)) for r in reqs]
    mix = ", ".join(f"{d} {expected.count(d)}" for d in common.DECISIONS)
    print(f"workload: {args.n} requests, seed {seed}, {args.reps} reps; reference decide_handwritten: {mix}")

    secs, (program, diags) = timed_once(lambda: load([LIBRARY], with_stdlib=False))
    if program is None or diags:
        for d in diags:
            print(f"  {d.code} {d.message}", file=sys.stderr)
        print(f"the peer library {LIBRARY} does not check cleanly", file=sys.stderr)
        return 2
    failures: list[str] = []
    steps, built = build_steps(program, engines, reqs, failures)
    for what, t in [("policylang: load and check the library", secs), *built]:
        print(f"  {what}: {t * 1000:.1f} ms")
    tally = run_reps(steps, args.reps, expected, expected_fired)
    report(steps, tally, args.n)
    failed = sum(tally[s.name].wrong + tally[s.name].wrong_reasons for s in steps)
    print(f"wrong decisions or reasons, all engines: {failed}")
    if failures:
        print(f"engines that failed to build: {', '.join(failures)}")
    return 1 if failed or failures else 0


if __name__ == "__main__":
    sys.exit(main())
