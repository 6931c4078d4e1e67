"""The large fuzz run of issue 11, on demand: hostile cases, mutated policy files, LSP framing.

    python fuzz/run.py                                   # 10,000 cases and 10,000 policy files
    python fuzz/run.py --cases 2000 --policies 500 --jobs 2 --seed 7
    python fuzz/run.py --show-policy 1234                # the input that index stands for

Takes: budgets, a seed, a number of worker processes.
Returns: prints the figures (and writes them as JSON with `--out`): inputs, internal errors
(an exception, E499 or E000, output that cannot be written), inputs over 2 s, decisions lost or
out of order or disagreeing between the engines, diagnostics without a place; the slowest input;
and up to five examples of each failure, by index. Exit 1 when any figure but the inputs and the
slowest time is not zero.
Guarantees: input `i` is made from `random.Random(f"{seed}-{kind}-{i}")` alone, so any index
reproduces; each input runs in a worker process that is killed after `--kill-after` seconds (a
hang is counted, never waited for); cases go through the streaming reader and both engines as
`policylang eval` runs them, policy files through reading, parsing, checking, formatting and
(when the library checks) both engines on a few cases. The generators and harnesses are
`policylang.testing.hostile` and `mutants`; CI runs the same ones with a small budget (`tests/fuzz/`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from policylang.testing import hostile, mutants

BATCH = 50          # JSON lines in one case input (a stream of them, as a `.jsonl` file is)
_STATE: dict = {}


def _start(kind: str) -> None:
    os.environ.setdefault("POLICYLANG_CACHE_DIR", "off")
    if kind == "cases":
        from policylang.engines import engine as make_engine
        from policylang.eval import runner
        from policylang.library import load, policies_dir
        from policylang.testing import mix

        program, _ = load([policies_dir()])
        job = runner.EvalJob((str(policies_dir()),), True, "compiled", 90.0, None, "jsonl")
        _STATE["deciders"] = {k: runner.Decider(job, make_engine(program, k)) for k in ("compiled", "interpreter")}
        _STATE["bases"] = list(mix.realistic_cases(500, seed=11))
        _STATE["paths"] = hostile.schema_paths(program)
    else:
        _STATE["others"] = mutants.parsed_library()
        _STATE["sources"] = mutants.shipped_sources()
        _STATE["words"] = mutants.grammar_words()
        mutants.run_policy(*_policy_input(0, 0), _STATE["others"], hostile.Tally())   # warm up imports


def _case_lines(seed: int, index: int) -> list[bytes]:
    rng = random.Random(f"{seed}-cases-{index}")
    return [hostile.hostile_line(rng, rng.choice(_STATE["bases"]), _STATE["paths"], f"fuzz-{i}")
            for i in range(BATCH)]


def _policy_input(seed: int, index: int) -> tuple[str, bytes]:
    rng = random.Random(f"{seed}-policies-{index}")
    name, text = rng.choice(_STATE["sources"])
    return name, mutants.mutate_policy(rng, text, _STATE["words"])


def _run(task: tuple[str, int, int]) -> hostile.Tally:
    kind, seed, index = task
    tally = hostile.Tally()
    if kind == "cases":
        hostile.run_lines(_case_lines(seed, index), _STATE["deciders"], tally)
    else:
        name, data = _policy_input(seed, index)
        mutants.run_policy(name, data, _STATE["others"], tally)
    # examples travel back small, by index: the index reproduces the input
    tally.examples = {k: [(index, repr(e)[:300]) for e in found] for k, found in tally.examples.items()}
    return tally


def run(kind: str, count: int, seed: int, jobs: int, kill_after: float) -> hostile.Tally:
    """`count` inputs of one kind, in worker processes, each killed after `kill_after` seconds."""
    total = hostile.Tally()
    context = multiprocessing.get_context("fork")
    pending = list(range(count))
    started = time.perf_counter()
    while pending:
        with context.Pool(jobs, initializer=_start, initargs=(kind,)) as pool:
            window: list = []
            while pending or window:
                while pending and len(window) < 2 * jobs:
                    index = pending.pop(0)
                    window.append((index, pool.apply_async(_run, ((kind, seed, index),))))
                index, result = window.pop(0)
                try:
                    total.merge(result.get(timeout=kill_after))
                except multiprocessing.TimeoutError:
                    total.inputs += BATCH if kind == "cases" else 1
                    total.keep("slow", (index, f"killed after {kill_after} s"))
                    pending = [i for i, _ in window] + pending     # the pool is replaced, these run again
                    break
                done = count - len(pending) - len(window)
                if done % max(1, count // 20) == 0:
                    print(f"  {kind}: {done}/{count} inputs, {time.perf_counter() - started:.0f} s", file=sys.stderr)
            pool.terminate()
    return total


def framing(scale: int) -> dict:
    """The language server's framing fuzz (`tests/lsp/test_framing.py`) at `scale` times its budget."""
    root = Path(__file__).resolve().parent.parent
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           str(root / "tests" / "lsp" / "test_framing.py")],
                          env={**os.environ, "POLICYLANG_FUZZ_SCALE": str(scale)}, capture_output=True, text=True)
    return {"scale": scale, "examples": 1100 * scale, "passed": done.returncode == 0,
            "summary": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:],
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="hostile JSON lines (default 10,000)")
    parser.add_argument("--policies", type=int, default=10_000, help="mutated policy files (default 10,000)")
    parser.add_argument("--framing-scale", type=int, default=10, help="times the LSP framing budget (0: skip)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)))
    parser.add_argument("--kill-after", type=float, default=60.0, help="seconds before an input counts as hung")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument("--show-policy", type=int, metavar="INDEX", help="print the policy file of that index")
    parser.add_argument("--show-cases", type=int, metavar="INDEX", help="print the JSON lines of that index")
    args = parser.parse_args()
    if args.show_policy is not None or args.show_cases is not None:
        _start("policies" if args.show_policy is not None else "cases")
        data = (_policy_input(args.seed, args.show_policy)[1] if args.show_policy is not None
                else b"\n".join(_case_lines(args.seed, args.show_cases)) + b"\n")
        sys.stdout.buffer.write(data)
        return
    figures: dict = {"seed": args.seed}
    started = time.perf_counter()
    if args.cases:
        cases = run("cases", -(-args.cases // BATCH), args.seed, args.jobs, args.kill_after)
        figures["cases"] = {**cases.figures(), "examples": cases.examples}
    if args.policies:
        policies = run("policies", args.policies, args.seed, args.jobs, args.kill_after)
        figures["policies"] = {**policies.figures(), "examples": policies.examples}
    if args.framing_scale:
        figures["lsp_framing"] = framing(args.framing_scale)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    bad = any(figures[k][f] for k in ("cases", "policies") if k in figures
              for f in ("internal_errors", f"over_{hostile.HANG_SECONDS:g}_s", "lost_or_misordered", "without_place"))
    sys.exit(1 if bad or not figures.get("lsp_framing", {"passed": True})["passed"] else 0)


if __name__ == "__main__":
    main()
