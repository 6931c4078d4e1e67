"""`policylang diff`: what changes between two dates of the shipped library, and between two versions
of a library, each case decided differently shown with a witness that `policylang eval` decides
as the diff says."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from policylang.cli import cli

HERE = Path(__file__).parent / "analysis" / "diff"
OLD, NEW = HERE / "purity_old.ecp", HERE / "purity_new.ecp"


def _diff(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["diff", *args, "--format", "json"])
    return result.exit_code, (json.loads(result.output) if result.exit_code in (0, 1) else result.output)


def _eval(witness: dict, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["eval", "-", "--format", "json", *args], input=json.dumps(witness))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_revival_of_no_46_clause_2_on_2026_11_28() -> None:
    code, doc = _diff("--dates", "2026-11-27", "2026-11-28")
    assert code == 1
    changed = {(c["policy"], c["clause"]) for c in doc["changes"]}
    assert ("MOFCOM-2024-46", "2") in changed and ("MOFCOM-2024-46", "2(a)") in changed
    (case,) = [d for d in doc["differences"] if d["policy"] == "MOFCOM-2024-46"]
    assert case["status"] == "confirmed"
    assert (case["before"]["outcome"], case["after"]["outcome"]) == ("license_required", "denied_in_principle")
    assert _eval(case["witness"], "--as-of", "2026-11-27")["outcome"] == "license_required"
    assert _eval(case["witness"], "--as-of", "2026-11-28")["outcome"] == "denied_in_principle"
    # 2(b) revives too, but decides no case differently: No. 39 already requires the licence
    assert {"policy": "MOFCOM-2024-46", "clause": "2(b)"} in doc["same"]


def test_the_text_names_the_clause_and_the_two_outcomes() -> None:
    result = CliRunner().invoke(cli, ["diff", "--dates", "2026-11-27", "2026-11-28"])
    assert result.exit_code == 1
    assert "MOFCOM-2024-46 2(a): license_required on 2026-11-27, denied_in_principle on 2026-11-28" in result.output
    assert result.output.index("MOFCOM-2024-46 2 ") < result.output.index("Cases decided differently")


def test_a_lowered_threshold_shows_a_witness_in_the_band() -> None:
    code, doc = _diff("--old", str(OLD), "--new", str(NEW))
    assert code == 1
    (case,) = doc["differences"]
    purity = case["witness"]["item"]["parameters"]["purity"]
    assert purity.endswith(" %") and Decimal("99.5") < Decimal(purity[:-2]) <= Decimal("99.9")
    assert _eval(case["witness"], "--policies", str(OLD))["outcome"] == case["before"]["outcome"] == "not_controlled"
    assert _eval(case["witness"], "--policies", str(NEW))["outcome"] == case["after"]["outcome"] == "license_required"
    assert case["windows"] == [["2025-01-01", None]]


def test_the_same_library_makes_no_difference() -> None:
    code, doc = _diff("--old", str(OLD), "--new", str(OLD))
    assert code == 0 and doc["changes"] == [] and doc["differences"] == []
    code, doc = _diff("--dates", "2026-12-01", "2026-12-02")
    assert code == 0 and doc["changes"] == [] and doc["differences"] == []


def test_git_revisions_name_versions_of_the_library() -> None:
    code, doc = _diff("--old", "HEAD", "--new", "HEAD")
    assert code == 0 and doc["changes"] == []
    code, out = _diff("--old", "no-such-revision-anywhere", "--new", "HEAD")
    assert code == 2 and "neither a folder or file of policies nor a git revision" in out


def test_usage() -> None:
    for args in (["--dates", "2026-11-27", "2026-11-28", "--old", str(OLD)], ["--old", str(OLD)],
                 ["--dates", "2026-11-28", "2026-11-27"]):
        assert CliRunner().invoke(cli, ["diff", *args]).exit_code == 2
