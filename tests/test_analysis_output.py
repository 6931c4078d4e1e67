"""What `policylang analyze` prints: the same bytes under any hash seed and number of workers,
never the search's own horizon, every finding the interpreter does not confirm with the reason,
and a search narrowed by `--kind` and `--clause` that finds what the full search finds there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policylang.analysis import verdicts
from policylang.analysis.command import run_analysis
from policylang.analysis.findings import FIRST_DAY, LAST_DAY
from policylang.analysis.report import to_json, to_sarif, to_text

FIXTURES = sorted((Path(__file__).parent / "analysis" / "fixtures").glob("*.ecp"))
HORIZON = (FIRST_DAY.isoformat(), LAST_DAY.isoformat())
SEEDS = ("0", "1", "2", "77", "4242")


def _analyze(paths, *args: str, seed: str = "0") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": seed, "POLICYLANG_CACHE_DIR": "off"}
    return subprocess.run([sys.executable, "-m", "policylang", "analyze", *map(str, paths), *args],
                          capture_output=True, text=True, env=env)


@pytest.mark.parametrize("fixture", FIXTURES[:4], ids=lambda p: p.stem)
def test_json_is_the_same_bytes_under_five_hash_seeds_and_any_number_of_workers(fixture: Path) -> None:
    runs = [_analyze([fixture], "--format", "json", "--jobs", "1" if n % 2 else "2", seed=seed)
            for n, seed in enumerate(SEEDS)]
    assert {r.returncode for r in runs} <= {0, 1}, runs[0].stderr
    assert len({r.stdout for r in runs}) == 1
    assert '"seconds"' not in runs[0].stdout     # no wall-clock figure unless asked


@pytest.mark.slow
def test_the_shipped_library_is_the_same_bytes_under_five_hash_seeds() -> None:
    runs = [_analyze([], "--format", "json", "--jobs", "2" if n % 2 else "1", seed=seed)
            for n, seed in enumerate(SEEDS)]
    assert len({r.stdout for r in runs}) == 1, [r.stderr for r in runs]
    assert not any(day in runs[0].stdout for day in HORIZON)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_output_contains_the_search_horizon(fmt: str) -> None:
    done = _analyze(FIXTURES, "--format", fmt)
    assert done.returncode == 1 and done.stdout
    assert not any(day in done.stdout for day in HORIZON)
    if fmt == "text":
        assert "onwards" in done.stdout


def test_a_finding_the_interpreter_does_not_confirm_is_reported_with_the_reason(monkeypatch) -> None:
    """Were the encoding and the interpreter to disagree, the finding is kept, marked and
    explained in every format (here the interpreter's verdict is replaced to disagree)."""
    monkeypatch.setattr(verdicts, "_disagreement", lambda *args: "the interpreter sees no such thing")
    fixture = next(p for p in FIXTURES if p.name == "conflict.ecp")
    findings, stats = run_analysis([fixture])
    assert [(f.kind, f.status) for f in findings] == [("conflict", "unconfirmed"), ("shadowed", "unconfirmed")]
    assert stats["unconfirmed"] == 2
    assert all(f.fails == (f.kind == "conflict") for f in findings)
    text = to_text(findings, stats)
    assert text.count("not confirmed: the interpreter sees no such thing") == 2
    assert "conflict [unconfirmed]" in text and "2 unconfirmed" in text.splitlines()[-1]
    doc = json.loads(to_json(findings, stats))
    assert [(f["status"], f["reason"]) for f in doc["findings"]] == [("unconfirmed", "the interpreter sees no such thing")] * 2
    results = json.loads(to_sarif(findings, stats, {}))["runs"][0]["results"]
    assert all("not confirmed" in r["message"]["text"] and r["properties"]["status"] == "unconfirmed" for r in results)


def test_narrowing_searches_less_and_finds_the_same(tmp_path) -> None:
    library = [p for p in FIXTURES if p.name in ("conflict.ecp", "overlap.ecp", "shadowed.ecp")]
    full, full_stats = run_analysis(library)
    keys = lambda fs: {(f.kind, tuple(map(str, f.clauses))) for f in fs}  # noqa: E731
    conflicts, stats = run_analysis(library, kinds=("conflict",))
    assert keys(conflicts) == {k for k in keys(full) if k[0] == "conflict"} and conflicts
    assert stats["queries"] < full_stats["queries"]
    from policylang.program import ClauseKey
    focus = ClauseKey("FIXTURE-2025-3", "2")
    about, stats = run_analysis(library, focus=(focus,))
    assert keys(about) == {k for k in keys(full) if str(focus) in k[1]} and about
    assert stats["queries"] < full_stats["queries"]


def test_clause_names_a_clause_or_an_announcement() -> None:
    library = [p for p in FIXTURES if p.name in ("conflict.ecp", "overlap.ecp")]
    done = _analyze(library, "--clause", "FIXTURE-2025-3 2", "--format", "json")
    kinds = {(f["kind"], tuple(c["clause"] for c in f["clauses"])) for f in json.loads(done.stdout)["findings"]}
    assert kinds and all(any(c == "2" for c in clauses) for _, clauses in kinds)
    unknown = _analyze(library, "--clause", "FIXTURE-2025-3 9")
    assert unknown.returncode == 2 and "no clause `FIXTURE-2025-3 9`" in unknown.stderr
