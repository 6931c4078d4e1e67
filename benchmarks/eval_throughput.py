"""Benchmark: how fast the reference interpreter decides cases against the shipped library.

Run: `python benchmarks/eval_throughput.py [--repeat N]`. Loads the shipped library once (timed
apart), then decides every case of the corpus (`tests/corpus/*.yaml`) N times and prints cases
per second and the peak memory of the process. Not a test: timing depends on the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import yaml

from policylang.eval.cases import split_cases
from policylang.eval.interpreter import Interpreter
from policylang.library import load_shipped

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"


def corpus_cases() -> list:
    raws = []
    for path in sorted(CORPUS.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if doc.get("policies"):
            continue
        for entry in doc["cases"]:
            if "case" in entry:
                raws += split_cases(json.dumps(entry["case"], default=str), path.name)
    return raws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    program, diags = load_shipped()
    assert program is not None, [d.message for d in diags]
    interpreter = Interpreter(program)
    loaded = time.perf_counter() - started
    raws = corpus_cases()
    started = time.perf_counter()
    for _ in range(args.repeat):
        interpreter.decide_all(raws)
    elapsed = time.perf_counter() - started
    decided = len(raws) * args.repeat
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"library loaded and checked in {loaded:.2f} s ({len(program.clauses)} clauses)")
    print(f"{decided} decisions in {elapsed:.2f} s: {decided / elapsed:.0f} cases/s, "
          f"{1000 * elapsed / decided:.2f} ms per case; peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
