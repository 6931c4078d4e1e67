"""Benchmark: how long a cold `policylang eval` of one case takes with the shipped library.

Run: `python benchmarks/coldstart.py [--runs 10]`. Decides one case in a new process each run,
after one run that fills the library cache and Python's bytecode cache (as any first use on a
machine does), and prints the median, minimum and maximum wall time; then the same with the
library cache turned off (`POLICYLANG_CACHE_DIR=off`), which parses and checks every file.
Python's own bytecode cache is used as on any user's machine (`PYTHONDONTWRITEBYTECODE` is
unset for the runs). Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = {"id": "cold", "date": "2026-11-30", "action": "export", "destination": "US",
        "importer": {"name": "Acme Semiconductor Inc.", "country": "US"},
        "item": {"control_code": "3C001.a", "origin": "CN"}}


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    subprocess.run(command, env=env, capture_output=True, check=True)          # the warm-up
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case.json"
        case.write_text(json.dumps(CASE))
        command = [str(Path(sys.executable).with_name("policylang")), "eval", "--format", "json", str(case)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["POLICYLANG_CACHE_DIR"] = str(Path(tmp) / "cache")
        for label, changes in (("library cache on", {}), ("library cache off", {"POLICYLANG_CACHE_DIR": "off"})):
            walls = timed(command, {**env, **changes}, args.runs)
            print(f"cold `policylang eval` of one case, {label}: median {statistics.median(walls) * 1000:.0f} ms "
                  f"(min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f}, {args.runs} runs)")


if __name__ == "__main__":
    main()
