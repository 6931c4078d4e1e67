"""Benchmark: `policylang analyze` on the shipped library (the issue's bar: under 60 seconds).

Run: `python benchmarks/analyze_library.py [--runs N]`. Prints the wall time of each run of the
whole command (loading, search, invariants, rendering), the stats of the last run, and the
findings by kind. Not a test: timing depends on the machine; this is where it is measured.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    times, doc = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "policylang", "analyze", *args.paths, "--format", "json"],
                             capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if run.returncode == 2:
            sys.exit(run.stderr)
        doc = json.loads(run.stdout)
    kinds = collections.Counter(f["kind"] for f in doc["findings"])
    print(f"cpus: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}")
    print("wall seconds per run: " + ", ".join(f"{t:.1f}" for t in times) + f"  (best {min(times):.1f})")
    print("stats: " + json.dumps(doc["stats"]))
    print("findings: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    sys.exit(0 if min(times) < 60 else 1)


if __name__ == "__main__":
    main()
