"""Accepted findings: an `accept` statement marks a finding as intended, with its reason; the run
no longer fails on it; SARIF suppresses it in source; an accept that matches nothing is stale.

The library is a planted fixture (`tests/analysis/fixtures/conflict.ecp`: one conflict, one
shadowed clause) with accept statements written beside it in a file of the test's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylang.cli import cli

FIXTURES = Path(__file__).parent / "analysis" / "fixtures"
CONFLICT = FIXTURES / "conflict.ecp"
REASON = "decorative pieces stay under the licence of FIXTURE-2025-1, as the authority intends"


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(tmp_path / "cache"))


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["analyze", *args])
    return result.exit_code, result.output


def _accepts(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accepts.ecp"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_accepted_conflict_does_not_fail_the_run(tmp_path: Path) -> None:
    accepts = _accepts(tmp_path, f'accept conflict FIXTURE-2025-2 clause 1 with FIXTURE-2025-1 clause 1 because "{REASON}"\n')
    code, before = _run(str(CONFLICT), "--format", "json")
    assert code == 1 and all(f["accepted"] is None for f in json.loads(before)["findings"])
    code, out = _run(str(CONFLICT), str(accepts), "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    conflict = next(f for f in doc["findings"] if f["kind"] == "conflict")
    assert conflict["accepted"]["reason"] == REASON
    assert conflict["accepted"]["at"].endswith("accepts.ecp:1:1")
    shadowed = next(f for f in doc["findings"] if f["kind"] == "shadowed")
    assert shadowed["accepted"] is None and doc["warnings"] == []
    code, text = _run(str(CONFLICT), str(accepts))
    assert code == 0 and "conflict [accepted]: FIXTURE-2025-1 1, FIXTURE-2025-2 1" in text
    assert f"accepted ({accepts}:1:1): {REASON}" in text
    assert "1 conflict (1 accepted)" in text.splitlines()[-1]


def test_sarif_suppresses_accepted_findings_and_fingerprints_every_result(tmp_path: Path) -> None:
    accepts = _accepts(tmp_path, f'accept conflict FIXTURE-2025-1 clause 1 with FIXTURE-2025-2 because "{REASON}"\n')
    code, out = _run(str(CONFLICT), str(accepts), "--format", "sarif")
    assert code == 0, out
    results = json.loads(out)["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    suppression = by_rule["conflict"]["suppressions"][0]
    assert suppression["kind"] == "inSource" and suppression["justification"] == REASON
    assert suppression["location"]["physicalLocation"]["artifactLocation"]["uri"].endswith("accepts.ecp")
    assert "suppressions" not in by_rule["shadowed"]
    prints = [r["partialFingerprints"]["policylangFinding/v1"] for r in results]
    assert len(set(prints)) == len(results) == 2
    # a fingerprint does not depend on the witness or on where the clauses stand in their files
    _, again = _run(str(CONFLICT), "--format", "sarif", "--no-cache")
    assert [r["partialFingerprints"] for r in json.loads(again)["runs"][0]["results"]] == \
        [r["partialFingerprints"] for r in results]


def test_an_accept_that_matches_no_finding_is_stale(tmp_path: Path) -> None:
    accepts = _accepts(tmp_path, 'accept overlap FIXTURE-2025-1 clause 1 with FIXTURE-2025-2 clause 1 because "no such overlap"\n'
                                 'accept shadowed FIXTURE-2025-2 clause 1 because "kept for its text"\n')
    code, out = _run(str(CONFLICT), str(accepts), "--format", "json")
    assert code == 1      # the conflict is not accepted
    doc = json.loads(out)
    assert [(w["code"], w["line"]) for w in doc["warnings"]] == [("W301", 1)]
    assert "matches no finding" in doc["warnings"][0]["message"]
    assert next(f for f in doc["findings"] if f["kind"] == "shadowed")["accepted"]["reason"] == "kept for its text"
    code, sarif = _run(str(CONFLICT), str(accepts), "--format", "sarif")
    stale = [r for r in json.loads(sarif)["runs"][0]["results"] if r["ruleId"] == "stale-accept"]
    assert len(stale) == 1 and stale[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    _, text = _run(str(CONFLICT), str(accepts))
    assert "warning[W301]" in text


def test_a_narrowed_run_judges_only_the_accepts_it_searched(tmp_path: Path) -> None:
    accepts = _accepts(tmp_path, 'accept overlap FIXTURE-2025-1 clause 1 with FIXTURE-2025-2 clause 1 because "not looked at"\n')
    code, out = _run(str(CONFLICT), str(accepts), "--kind", "shadowed", "--format", "json")
    assert code == 0 and json.loads(out)["warnings"] == []


def test_an_accept_names_clauses_that_exist(tmp_path: Path) -> None:
    accepts = _accepts(tmp_path, 'accept conflict FIXTURE-2025-1 clause 7 with FIXTURE-2025-2 clause 1 because "x"\n')
    code, out = _run(str(CONFLICT), str(accepts))
    assert code == 2 and "error[E104]" in out


@pytest.mark.slow
def test_the_shipped_library_has_no_open_conflict() -> None:
    """The shipped library accepts its intended interactions, and leaves none open: analyze
    exits 0. (The last open one, the Note to 2C902.b against the Control List measures of
    MOFCOM-2026-U0622, was closed by listing U0622 1 among the Note's exceptions: a jewellery
    diamond is no dual-use item, and the listing's measures reach dual-use items only.)"""
    code, out = _run("--format", "json")
    doc = json.loads(out)
    open_conflicts = [[c["policy"] + " " + c["clause"] for c in f["clauses"]]
                      for f in doc["findings"] if f["kind"] == "conflict" and f["accepted"] is None]
    assert open_conflicts == []
    assert code == 0 and doc["warnings"] == []
    accepted = {f["kind"] for f in doc["findings"] if f["accepted"]}
    assert accepted == {"conflict", "overlap", "silenced", "shadowed"}
