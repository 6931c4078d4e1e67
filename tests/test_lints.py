"""The lints (`policylang/check/lint.py`): silent on the shipped library, and a gate with
`--deny-warnings`. Where each fires is `tests/check/lints/lints.ecp` (run by test_check_files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from policylang.library import load_shipped

FIXTURE = Path(__file__).parent / "check" / "lints" / "lints.ecp"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True, timeout=120)


def test_the_shipped_library_has_no_lint() -> None:
    program, diags = load_shipped()
    assert program is not None
    assert [f"{d.code} {d.span.path}:{d.span.line} {d.message}" for d in diags if d.code.startswith("W1")] == []


def test_deny_warnings_fails_the_check_and_the_library_passes_it() -> None:
    plain = run("check", str(FIXTURE))
    assert plain.returncode == 0 and "W101" in plain.stderr
    denied = run("check", "--deny-warnings", str(FIXTURE))
    assert denied.returncode == 2 and "--deny-warnings" in denied.stderr
    assert run("check", "--deny-warnings").returncode == 0
