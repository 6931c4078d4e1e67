"""The review desk on the command line: `eval --explain`, `eval --dispositions`, `policylang screen`.

Each test runs `python -m policylang` in a subprocess, as a user would; the files are in
`tests/review/cli/`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "review" / "cli"
CASES = HERE / "cases.json"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def decisions(result: subprocess.CompletedProcess) -> dict:
    return {d["id"]: d for d in json.loads(result.stdout)}


def test_a_95_point_near_match_needs_review_and_fail_on_review_exits_3() -> None:
    result = run("eval", "--format", "json", "--fail-on-review", str(CASES))
    assert result.returncode == 3, result.stderr
    epirus = decisions(result)["epirus"]
    assert (epirus["needs_review"], epirus["screening"][0]["score"]) == (True, 95.7)


def test_a_no_match_disposition_clears_it_and_shows_who_cleared_it() -> None:
    result = run("eval", "--format", "json", "--fail-on-review", "--dispositions", str(HERE / "cleared.yaml"),
                 str(CASES))
    assert result.returncode == 0, result.stderr
    epirus = decisions(result)["epirus"]
    assert (epirus["outcome"], epirus["needs_review"]) == ("license_required", False)
    assert epirus["screening"][0]["disposition"] == {"verdict": "no_match", "reviewer": "J. Doe",
                                                     "date": "2026-01-05", "note": "a shipping holding in Delaware"}
    text = run("eval", "--dispositions", str(HERE / "cleared.yaml"), str(CASES)).stdout
    assert "cleared by J. Doe on 2026-01-05: a shipping holding in Delaware" in text


def test_a_match_disposition_makes_the_outcome_prohibited_and_reports_a_stale_one() -> None:
    result = run("eval", "--format", "json", "--dispositions", str(HERE / "matched.json"), str(CASES))
    assert result.returncode == 0, result.stderr
    epirus = decisions(result)["epirus"]
    assert epirus["outcome"] == "prohibited"
    uel = epirus["reasons"][0]
    assert (uel["policy"], uel["clause"], uel["listed_by"][0]["entry"]) == ("UEL-2025-10", "I", "Epirus, Inc.")
    assert "warning[W601]: disposition 2 is stale: `Acme Motors Inc.` and `Exelis Inc.` are no near match" in result.stderr


def test_the_engines_give_the_same_bytes_with_dispositions_and_explanations() -> None:
    args = ("eval", "--format", "json", "--explain", "--dispositions", str(HERE / "matched.json"), str(CASES))
    compiled, interpreted = run(*args), run(*args, "--engine", "interpreter")
    assert compiled.stdout == interpreted.stdout and compiled.stdout


def test_a_dispositions_file_with_mistakes_stops_the_run_naming_each() -> None:
    result = run("eval", "--dispositions", str(HERE / "broken.yaml"), str(CASES))
    assert result.returncode == 2
    err = result.stderr
    for expected in ("error[E604]: disposition 1: `Epirus Incorporated Worldwide` is no entry of the library's lists",
                     "help: did you mean `Epirus, Inc.`?",
                     "error[E602]: disposition 2 has no `reviewer`",
                     "error[E603]: disposition 2: `verdict` is `maybe`, not `match` or `no_match`",
                     "error[E603]: disposition 2: `date` is not a date written YYYY-MM-DD"):
        assert expected in err, err
    assert "Traceback" not in err


def test_yaml_without_pyyaml_is_a_clear_error(monkeypatch, tmp_path) -> None:
    from policylang.library import load_shipped
    from policylang.semantics import dispositions

    monkeypatch.setitem(sys.modules, "yaml", None)
    program, _ = load_shipped()
    found, problems = dispositions.load(HERE / "cleared.yaml", program.entity_lists)
    assert found is None and problems[0].code == "E601"
    assert "PyYAML" in problems[0].message and ".json" in problems[0].help
    (tmp_path / "cleared.json").write_text(json.dumps([{"party": "Epirus Holdings", "entry": "Epirus, Inc.",
                                                         "verdict": "no_match", "reviewer": "J. Doe",
                                                         "date": "2026-01-05"}]))
    found, problems = dispositions.load(tmp_path / "cleared.json", program.entity_lists)
    assert found is not None and not problems


def test_opposite_verdicts_on_one_day_are_an_error_and_the_latest_verdict_counts() -> None:
    from policylang.library import load_shipped
    from policylang.semantics.dispositions import from_records
    from policylang.semantics.screening import normalise

    program, _ = load_shipped()
    base = {"party": "Epirus Holdings", "entry": "Epirus, Inc.", "reviewer": "J. Doe"}
    found, problems = from_records([{**base, "verdict": "match", "date": "2026-01-05"},
                                    {**base, "verdict": "no_match", "date": "2026-01-05"}], program.entity_lists)
    assert found is None and [p.code for p in problems] == ["E606"]
    found, problems = from_records([{**base, "verdict": "no_match", "date": "2026-03-01"},
                                    {**base, "verdict": "match", "date": "2026-01-05"}], program.entity_lists)
    verdict = found.verdict_on(normalise("Epirus Holdings"), "unreliable_entity_list", "Epirus, Inc.")
    assert (problems, verdict.verdict) == ([], "no_match")


def test_explain_says_which_bound_failed_with_the_value() -> None:
    result = run("eval", "--explain", str(CASES))
    assert result.returncode == 0, result.stderr
    assert "why not MOFCOM-2025-55 III (2C902.c): average particle size 15 um is not <= 8 um" in result.stdout
    plain = run("eval", "--format", "json", str(CASES))
    assert "explanation" not in plain.stdout


def test_screen_names_alone_with_scores() -> None:
    result = run("screen", "--date", "2026-02-01", "--format", "json", "--file", str(HERE / "names.txt"))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [s["name"] for s in found] == ["Epirus Holdings", "RECORDED FUTURE LLC", "Acme Motors Inc."]
    epirus, recorded, acme = found
    assert (epirus["needs_review"], epirus["near_matches"][0]["entry"], epirus["near_matches"][0]["score"]) == \
        (True, "Epirus, Inc.", 95.7)
    assert recorded["listed"] == [{"list": "unreliable_entity_list", "entry": "Recorded Future, Inc."}]
    assert (acme["listed"], acme["near_matches"], acme["needs_review"]) == ([], [], False)


@pytest.mark.parametrize("extra,code", [((), 3), (("--dispositions", str(HERE / "cleared.yaml")), 0)])
def test_screen_fails_on_review_until_the_near_match_is_cleared(extra, code) -> None:
    result = run("screen", "Epirus Holdings", "--date", "2026-02-01", "--fail-on-review", *extra)
    assert result.returncode == code, result.stderr
    assert ("NEEDS REVIEW" in result.stdout) == (code == 3)


def test_screen_against_the_lists_in_force_on_the_date() -> None:
    before, after = (run("screen", "MP Materials Corp.", "--date", day, "--format", "json") for day in
                     ("2026-06-21", "2026-06-22"))
    assert json.loads(before.stdout)[0]["listed"] == []
    assert json.loads(after.stdout)[0]["listed"] == [{"list": "control_list", "entry": "MP Materials"}]


def test_screen_needs_names() -> None:
    result = run("screen")
    assert result.returncode == 2 and "give names to screen" in result.stderr


def test_worker_processes_give_the_same_explanations_and_verdicts() -> None:
    args = ("eval", "--format", "json", "--explain", "--dispositions", str(HERE / "matched.json"), str(CASES),
            str(CASES))
    one, two = run(*args), run(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert one.stdout == two.stdout and '"listed_by"' in one.stdout and '"explanation"' in one.stdout
