"""Benchmark: how fast policylang decides a realistic order book, in process and end to end.

Run: `python benchmarks/eval_throughput.py [--n 100000] [--interpreter-n 5000] [--million]`.

In one run, on the realistic mix of `policylang.testing.mix` (codes inside and outside the
library, categories with parameters around thresholds in mixed units, dates across every status
change, every action, listed and near-miss parties, component lists):
1. in process: the reference interpreter and the compiled engine deciding the same cases (each
   decision turned into its JSON object), µs per case, cases per second, and their ratio; the
   two are checked to agree on every case timed by both;
2. end to end: `policylang eval --format jsonl` on a JSON-lines file of the mix, `--jobs 1` and
   `--jobs 2`, cases per second and peak memory (the largest process); the two outputs must be
   identical;
3. with `--million`: the same command on 1,000,000 cases, for the memory bound.
Not a test: timings depend on the machine, so only ratios measured in one run compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policylang.engines import engine
from policylang.library import load_shipped
from policylang.testing.mix import raw_case, realistic_cases


def machine() -> str:
    return f"{platform.platform()}; {platform.processor() or platform.machine()}; {os.cpu_count()} cores; Python {platform.python_version()}"


def in_process(program, n: int, interpreter_n: int) -> None:
    """Each engine built fresh and warmed on cases of another seed, then timed on the same cases:
    first-seen codes, names and dates cost each engine what they cost in a real run. The inputs
    are frozen out of the cyclic collector (the CLI keeps no cases alive) and no decision is
    kept, so the collector does not grow with the run."""
    raws = [raw_case(c) for c in realistic_cases(n)]
    warm = [raw_case(c) for c in realistic_cases(500, seed=99)]
    gc.collect()
    gc.freeze()
    sample = raws[:interpreter_n]

    def timed(kind: str, cases: list, expected: list[str] | None = None) -> tuple[float, list[str], int]:
        decider = engine(program, kind)
        for raw in warm:
            decider.decide(raw)
        found, disagree = [], 0
        started = time.perf_counter()
        for i, raw in enumerate(cases):
            text = json.dumps(decider.decide(raw).to_json(), ensure_ascii=False, default=str)
            if expected is None:
                found.append(text)
            elif i < len(expected) and text != expected[i]:
                disagree += 1
        return (time.perf_counter() - started) / len(cases), found, disagree

    slow, expected, _ = timed("interpreter", sample)
    fast_sample, _, disagree = timed("compiled", sample, expected)
    fast, _, disagree_all = timed("compiled", raws, expected)
    print(f"in process, realistic mix (decision and its JSON object; {len(sample):,} cases by both engines):")
    print(f"  interpreter  {slow * 1e6:8.1f} µs/case  {1 / slow:10,.0f} cases/s")
    print(f"  compiled     {fast_sample * 1e6:8.1f} µs/case  {1 / fast_sample:10,.0f} cases/s")
    print(f"  ratio        {slow / fast_sample:8.1f} x     disagreements {disagree + disagree_all}")
    print(f"  compiled on all {len(raws):,} cases: {fast * 1e6:.1f} µs/case, {1 / fast:,.0f} cases/s")


# Runs a command and prints the CPU seconds and the peak memory (KiB) of its largest process.
_MEASURED = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
             "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(r.ru_utime + r.ru_stime, r.ru_maxrss)")


def end_to_end(n: int, jobs: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "book.jsonl"
        with cases.open("w", encoding="utf-8") as out:
            for case in realistic_cases(n):
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
        outputs, walls = {}, {}
        print(f"end to end, `policylang eval --format jsonl`, {n:,} cases (JSON lines in and out):")
        for j in jobs:
            target = Path(tmp) / f"out{j}.jsonl"
            started = time.perf_counter()
            measured = subprocess.run([sys.executable, "-c", _MEASURED, sys.executable, "-m", "policylang", "eval",
                                       "--format", "jsonl", "--jobs", str(j), "-o", str(target), str(cases)],
                                      capture_output=True, text=True, check=False)
            walls[j] = time.perf_counter() - started
            cpu, peak = measured.stdout.split()
            outputs[j] = target.read_bytes()
            print(f"  --jobs {j}: {walls[j]:6.2f} s wall, {float(cpu):6.2f} s CPU, {n / walls[j]:9,.0f} cases/s, "
                  f"{n / float(cpu):9,.0f} cases/s per core, peak memory {int(peak) / 1024:,.0f} MB")
        if len(outputs) > 1:
            print(f"  outputs identical across --jobs: {len(set(outputs.values())) == 1}")
            print(f"  --jobs {jobs[-1]} / --jobs {jobs[0]}: {walls[jobs[0]] / walls[jobs[-1]]:.2f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="cases of the realistic mix")
    parser.add_argument("--interpreter-n", type=int, default=5_000, help="of which the interpreter decides")
    parser.add_argument("--million", action="store_true", help="also run the CLI on 1,000,000 cases")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    started = time.perf_counter()
    program, _ = load_shipped()
    print(f"library loaded in {time.perf_counter() - started:.2f} s ({len(program.clauses)} clauses)")
    in_process(program, args.n, args.interpreter_n)
    end_to_end(args.n, (1, 2))
    if args.million:
        end_to_end(1_000_000, (1,))


if __name__ == "__main__":
    main()
