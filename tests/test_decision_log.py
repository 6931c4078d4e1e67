"""The decision log (`eval --log FILE`) and `policylang log verify`: the audit trail.

Each test runs `python -m policylang` in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from policylang.library import policies_dir

EXAMPLES = Path(__file__).parent.parent / "examples" / "cases.json"
FIELDS = ["decision_id", "evaluated_at", "engine", "command", "library", "options", "origin", "case", "decision"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_one_line_per_decision_with_what_an_auditor_asks(tmp_path) -> None:
    log = tmp_path / "decisions.jsonl"
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"id": "share", "date": "2026-12-01", "action": "reexport", "destination": "DE", '
                     '"item": {"control_code": "1C904.a.4", "origin": "JP", "part1_value_ratio": 0.00014}}\n'
                     'not json\n', encoding="utf-8")
    printed = run("eval", "--format", "jsonl", "--log", str(log), "--as-of", "2026-11-28", str(EXAMPLES), str(cases))
    assert printed.returncode == 1, printed.stderr      # the line that is not JSON is an invalid case
    logged = lines(log)
    decisions = [json.loads(line) for line in printed.stdout.splitlines()]
    assert len(logged) == len(decisions) == 12
    for entry, decision in zip(logged, decisions):
        expected = FIELDS if "case_error" not in entry else [*FIELDS[:-1], "case_error", "decision"]
        assert list(entry) == expected
        assert uuid.UUID(entry["decision_id"]).version == 4
        assert entry["evaluated_at"].endswith("Z") and entry["engine"] == "compiled"
        assert entry["command"][:2] == ["policylang", "eval"] and "--log" in entry["command"]
        assert entry["decision"] == decision
        assert entry["library"] == decision["library"]
        assert entry["options"]["as_of"] == "2026-11-28"
    assert len({e["decision_id"] for e in logged}) == 12
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    assert [e["case"] for e in logged[:10]] == examples              # the case as read
    assert '"part1_value_ratio": 0.00014' in log.read_text(encoding="utf-8").splitlines()[10]
    assert (logged[11]["case"], logged[11]["origin"]) == (None, f"{cases}:2") and logged[11]["case_error"]


def test_two_runs_appending_at_once_lose_no_line(tmp_path) -> None:
    log = tmp_path / "decisions.jsonl"
    one_case = json.loads(EXAMPLES.read_text(encoding="utf-8"))[0]
    inputs = []
    for run_name in ("a", "b"):
        path = tmp_path / f"{run_name}.jsonl"
        path.write_text("".join(json.dumps({**one_case, "id": f"{run_name}{n}"}) + "\n" for n in range(700)))
        inputs.append(path)
    runs = [subprocess.Popen([sys.executable, "-m", "policylang", "eval", "--format", "jsonl", "--log", str(log),
                              "-o", str(tmp_path / f"out{n}.jsonl"), "--jobs", str(n + 1), str(path)])
            for n, path in enumerate(inputs)]       # the second run decides in two worker processes
    assert [r.wait(timeout=300) for r in runs] == [0, 0]
    logged = lines(log)                 # every line whole: a torn line would not parse
    assert len(logged) == 1400
    ids = [e["case"]["id"] for e in logged]
    assert sorted(ids) == sorted(f"{r}{n}" for r in "ab" for n in range(700))
    for run_name in "ab":              # each run's lines in its own order
        mine = [i for i in ids if i[0] == run_name]
        assert mine == [f"{run_name}{n}" for n in range(700)]


def test_verify_passes_on_an_untouched_log(tmp_path) -> None:
    log = tmp_path / "decisions.jsonl"
    assert run("eval", "--log", str(log), "--explain", "--as-of", "2026-11-28", str(EXAMPLES)).returncode == 0
    assert run("eval", "--log", str(log), "--engine", "interpreter", str(EXAMPLES)).returncode == 0
    result = run("log", "verify", str(log))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"verified 20 decision(s) of {log}: 20 the same, 0 differ" in result.stdout


def test_verify_refuses_another_library_and_reports_what_an_edit_changed(tmp_path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(policies_dir(), policies)
    log = tmp_path / "decisions.jsonl"
    assert run("eval", "--policies", str(policies), "--log", str(log), str(EXAMPLES)).returncode == 0
    assert run("log", "verify", "--policies", str(policies), str(log)).returncode == 0
    gallium = policies / "MOFCOM-2023-23.ecp"
    text = gallium.read_text(encoding="utf-8")
    assert text.count("require license") >= 1
    gallium.write_text(text.replace("require license", "review case by case"), encoding="utf-8")

    refused = run("log", "verify", "--policies", str(policies), str(log))
    assert refused.returncode == 4
    assert "refused 10 decision(s): made with the library sha256:" in refused.stderr
    assert "--allow-library-change" in refused.stderr

    changed = run("log", "verify", "--policies", str(policies), "--allow-library-change", "--format", "json", str(log))
    assert changed.returncode == 1, changed.stderr
    report = json.loads(changed.stdout)
    moved = {(line["case_id"], line["was"], line["now"]) for line in report["lines"]}
    examples = {c["id"]: c for c in json.loads(EXAMPLES.read_text(encoding="utf-8"))}
    assert moved and all(examples[case_id]["item"]["control_code"].startswith("3C001") for case_id, _, _ in moved)
    assert ("gallium-us-2026-01", "license_required", "case_by_case") in moved    # the outcome changed
    assert report["differs"] == len(moved) and report["same"] == 10 - len(moved)
    text = run("log", "verify", "--policies", str(policies), "--allow-library-change", str(log)).stdout
    assert "gallium-us-2026-01 (decision " in text and "outcome license_required, now case_by_case" in text


def test_verify_respects_the_logged_as_of_and_reviewer_verdicts(tmp_path) -> None:
    review = Path(__file__).parent / "review" / "cli"
    log = tmp_path / "decisions.jsonl"
    assert run("eval", "--log", str(log), "--as-of", "2026-11-28", "--dispositions", str(review / "matched.json"),
               str(review / "cases.json")).returncode == 0
    logged = lines(log)
    assert logged[0]["options"]["dispositions"] == [{
        "party": "Epirus Holdings", "entry": "Epirus, Inc.", "list": "unreliable_entity_list", "verdict": "match",
        "reviewer": "J. Doe", "date": "2026-01-05", "note": "the listed company's holding"}]
    assert logged[1]["options"]["dispositions"] == []      # no verdict on the saw case's names
    assert logged[0]["decision"]["outcome"] == "prohibited"
    assert run("log", "verify", str(log)).returncode == 0


def test_verify_names_a_line_that_is_not_a_log_line(tmp_path) -> None:
    log = tmp_path / "decisions.jsonl"
    assert run("eval", "--log", str(log), str(EXAMPLES)).returncode == 0
    with log.open("a", encoding="utf-8") as f:
        f.write('{"decision_id": "x"}\n')
    result = run("log", "verify", str(log))
    assert result.returncode == 2
    assert f"{log}:11: not a decision log line: no `library`" in result.stdout
