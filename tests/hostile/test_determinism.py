"""Issue 11, point 7: every command but `analyze` (issue 13's) prints the same bytes whatever
`PYTHONHASHSEED`, and whether the library came from the cache or was checked afresh: five seeds,
the first run filling the cache the others read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
SEEDS = ("0", "1", "2", "3", "4")


def commands(tmp: Path) -> dict[str, list[str]]:
    return {
        "check, json, with errors": ["check", "--format", "json", str(ROOT / "tests/cli/syntax_error.ecp"),
                                     str(ROOT / "tests/cli/misspelt_attribute.ecp")],
        "eval, json": ["eval", "--format", "json", str(ROOT / "examples/cases.json")],
        "eval, text": ["eval", str(ROOT / "examples/cases.json"), str(ROOT / "tests/cli/mixed_cases.json")],
        "timeline, json": ["timeline", "--date", "2026-01-01", "--format", "json"],
        "test, JUnit": ["test", str(ROOT / "tests/corpus/contract_v2.yaml"), "--junit", str(tmp / "junit.xml")],
        "fmt, diff": ["fmt", "--diff", str(ROOT / "tests/fixtures/constructs.ecp")],
        "compile, one clause": ["compile", "--show", "MOFCOM-2025-61 IV"],
    }


@pytest.mark.slow
def test_every_command_prints_the_same_bytes_under_five_hash_seeds(tmp_path):
    cache = tmp_path / "cache"
    seen: dict[str, set[bytes]] = {}
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed, "POLICYLANG_CACHE_DIR": str(cache)}
        for name, args in commands(tmp_path).items():
            done = subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, env=env,
                                  timeout=300)
            junit = (tmp_path / "junit.xml").read_bytes() if name == "test, JUnit" else b""
            seen.setdefault(name, set()).add(done.stdout + b"\0" + done.stderr + b"\0" + junit)
    assert {name: len(outputs) for name, outputs in seen.items()} == {name: 1 for name in seen}


def test_junit_xml_has_the_seconds_only_when_asked(tmp_path):
    from policylang.testing.suite import Report, junit_xml
    from policylang.testing.suite import collect, run_all

    tests, libraries = collect([ROOT / "tests/corpus/contract_v2.yaml"])
    report = run_all(tests[:3], libraries)
    assert "time=" not in junit_xml(report)
    assert junit_xml(report, times=True).count("time=") == 4 and isinstance(report, Report)
