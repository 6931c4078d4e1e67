"""Benchmark: `policylang analyze` on the shipped library, cold and warm (issue 13's bar: at most
10 s wall cold, at most 1 s warm, on this 2-core machine).

Run: `python benchmarks/analyze_library.py [--runs N] [--jobs J] [PATHS…]`. Each round runs the
whole command (loading, search, invariants, rendering) as a process three times with a fresh,
empty cache folder: cold (nothing cached: neither the checked library, nor the compiled engine,
nor the analysis), warm (the library unchanged), and search (the analysis results removed, the
checked library still cached: the search alone). It prints, for each run, the wall time, the CPU time of the command and its
worker processes, the solver queries and tasks, whether the cache answered, the exit status and
the findings by kind; then the best and median of each, and the machine's load, which on a
shared machine makes wall times noisy (CPU time is the steadier figure). Not a test: timing
depends on the machine; this is where it is measured.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

COLD_BAR, WARM_BAR = 10.0, 1.0


def run(paths: list[str], jobs: int, cache: str) -> dict:
    env = {**os.environ, "POLICYLANG_CACHE_DIR": cache}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "policylang", "analyze", *paths, "--format", "json",
                           "--jobs", str(jobs), "--timings"], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode == 2:
        sys.exit(done.stderr)
    doc = json.loads(done.stdout)
    kinds = collections.Counter(f["kind"] for f in doc["findings"])
    accepted = collections.Counter(f["kind"] for f in doc["findings"] if f.get("accepted"))
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "exit": done.returncode, "stats": doc["stats"], "kinds": kinds, "accepted": accepted}


def line(label: str, r: dict) -> str:
    s = r["stats"]
    return (f"{label:6s} wall {r['wall']:6.2f} s  cpu {r['cpu']:6.2f} s  queries {s.get('queries', 0):5d}  "
            f"tasks {s.get('tasks', 0):3d}  cache {s.get('cache')}  exit {r['exit']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="rounds of a cold and a warm run")
    parser.add_argument("--jobs", type=int, default=0, help="--jobs of the command (0: one per core)")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    load = os.getloadavg()
    cold, warm, search = [], [], []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="policylang-bench-") as cache:
            cold.append(run(args.paths, args.jobs, cache))
            warm.append(run(args.paths, args.jobs, cache))
            shutil.rmtree(os.path.join(cache, "analysis"))
            search.append(run(args.paths, args.jobs, cache))
        print(line("cold", cold[-1]))
        print(line("warm", warm[-1]))
        print(line("search", search[-1]))
    print(f"cpus {os.cpu_count()}  load (1, 5, 15 min) before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"after {os.getloadavg()[0]:.2f}  jobs {args.jobs or os.cpu_count()}")
    for label, runs, bar in (("cold", cold, COLD_BAR), ("warm", warm, WARM_BAR), ("search", search, COLD_BAR)):
        walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
        print(f"{label}: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s; cpu best "
              f"{min(cpus):.2f} s, median {statistics.median(cpus):.2f} s (bar {bar:.0f} s wall: "
              f"{'met' if min(walls) <= bar else 'missed'})")
    last = cold[-1]
    print("findings: " + ", ".join(f"{n} {k}" + (f" ({last['accepted'][k]} accepted)" if last["accepted"][k] else "")
                                   for k, n in sorted(last["kinds"].items())))
    print("stats: " + json.dumps({k: v for k, v in last["stats"].items() if k not in ("seconds", "cpu_seconds")}))


if __name__ == "__main__":
    main()
