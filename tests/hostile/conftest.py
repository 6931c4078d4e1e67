"""Running policylang as a user does, measured: exit status, output, seconds, peak memory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import attrs
import pytest

# Runs the command line in a child process that reports its own peak memory when it exits: the
# high-water mark of its own memory (`VmHWM`), not `ru_maxrss`, which Linux carries over from
# the parent that started it (a large pytest process) through fork and exec.
_MEASURED = """
import atexit, resource, sys

def peak():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

atexit.register(lambda: sys.stderr.write("\\n@@maxrss %d\\n" % peak()))
sys.argv = ["policylang", *sys.argv[1:]]
from policylang.cli import main
main()
"""


@attrs.frozen
class Run:
    returncode: int
    stdout: bytes
    stderr: str
    seconds: float
    megabytes: float

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None, env: dict | None = None,
        timeout: float = 120) -> Run:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], input=stdin, capture_output=True,
                          cwd=cwd, env=env, timeout=timeout)
    seconds = time.perf_counter() - started
    err = done.stderr.decode("utf-8", "replace")
    head, _, peak = err.rpartition("@@maxrss ")
    return Run(done.returncode, done.stdout, head, seconds, int(peak.split()[0]) / 1024 if peak else 0.0)


@pytest.fixture(scope="session")
def cli():
    return run
