"""The command line as a user meets it: exit codes (contract §7), diagnostics, formats.

Each test runs `python -m policylang` in a subprocess, so it sees exactly what a user sees,
tracebacks included if there were any.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "cli"
FIXTURE = Path(__file__).parent / "fixtures" / "constructs.ecp"
EXAMPLES = Path(__file__).parent.parent / "examples" / "cases.json"


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("name,code,line,column,hint", [
    ("syntax_error.ecp", "E001", 3, 45, "help: expected `license`"),
    ("misspelt_attribute.ecp", "E102", 3, 24, "help: did you mean `origin`?"),
    ("wrong_dimension.ecp", "E205", 3, 60, "help: the left side is a quantity of length"),
    ("missing_clause.ecp", "E104", 4, 13, "help: did you mean `II`?"),
])
def test_check_reports_each_problem_with_place_code_caret_and_hint(name, code, line, column, hint) -> None:
    result = run("check", str(HERE / name))
    assert result.returncode == 2
    err = result.stderr
    assert f"error[{code}]" in err
    assert f"{name}:{line}:{column}" in err
    caret_lines = [l for l in err.splitlines() if l.strip().startswith("|") and "^" in l]
    assert caret_lines and caret_lines[0].index("^") == len(f"{line} | ") + column - 1
    assert hint in err
    assert "Traceback" not in err + result.stdout


def test_check_json_format() -> None:
    result = run("check", "--format", "json", str(HERE / "misspelt_attribute.ecp"))
    assert result.returncode == 2
    diags = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diags] == [("E102", 3, 24)]
    assert diags[0]["help"] == "did you mean `origin`?"


def test_check_shipped_library_is_clean() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_eval_gives_one_decision_per_case_and_exit_1_for_an_invalid_one() -> None:
    result = run("eval", "--policies", str(FIXTURE), "--format", "json", str(HERE / "mixed_cases.json"))
    assert result.returncode == 1, result.stderr
    decisions = json.loads(result.stdout)
    assert [d["id"] for d in decisions] == ["ok-1", "bad-country", "ok-2"]
    assert [d["outcome"] for d in decisions] == ["license_required", "error", "license_required"]
    assert decisions[1]["errors"][0]["path"] == "destination"


def test_eval_jsonl_keeps_order_and_reports_a_bad_line() -> None:
    result = run("eval", "--policies", str(FIXTURE), "--date", "2025-07-01", str(HERE / "lines.jsonl"))
    assert result.returncode == 1
    # the text names the line of a case it could not decide
    assert f"(no id)  2025-07-01  ERROR  ({HERE / 'lines.jsonl'}:2)" in result.stdout
    result = run("eval", "--policies", str(FIXTURE), "--date", "2025-07-01", "--format", "json",
                 str(HERE / "lines.jsonl"))
    decisions = [json.loads(l) for l in result.stdout.splitlines()]
    assert [(d["id"], d["outcome"], d["date"]) for d in decisions] == [
        ("l1", "license_required", "2025-06-02"), (None, "error", "2025-07-01"),
        ("l3", "license_required", "2025-07-01")]
    assert decisions[1]["errors"][0]["code"] == "E501"


def test_eval_reads_standard_input() -> None:
    case = {"id": "s", "date": "2025-06-02", "item": {"control_code": "1C904.a.4"}}
    result = run("eval", "--policies", str(FIXTURE), "--format", "json", "-", stdin=json.dumps(case))
    assert result.returncode == 0
    assert json.loads(result.stdout)["outcome"] == "license_required"


def test_eval_text_puts_the_outcome_first_then_reasons_with_quotes() -> None:
    result = run("eval", "--policies", str(FIXTURE), "-",
                 stdin='{"date": "2025-09-26", "end_use": ["emergency_medical"], "item": {"control_code": "1C904.a"}}')
    assert result.returncode == 0
    first, *rest = result.stdout.splitlines()
    assert first.endswith("REPORT_ONLY")
    text = "\n".join(rest)
    assert "because TEST-2025-2 III" in text
    assert "due 2025-10-16" in text
    assert "set aside TEST-2025-2 I by exception TEST-2025-2 III" in text


def test_eval_with_a_policy_that_does_not_check_exits_2() -> None:
    result = run("eval", "--policies", str(HERE / "misspelt_attribute.ecp"), str(HERE / "mixed_cases.json"))
    assert result.returncode == 2
    assert "error[E102]" in result.stderr and "Traceback" not in result.stderr


def test_eval_bad_usage_exits_2() -> None:
    assert run("eval", "--date", "tomorrow", str(EXAMPLES)).returncode == 2
    assert run("eval", str(HERE / "no_such_file.json")).returncode == 2


def test_eval_examples_from_another_directory_use_the_shipped_library(tmp_path: Path) -> None:
    result = run("eval", "--format", "json", str(EXAMPLES), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    decisions = json.loads(result.stdout)
    assert len(decisions) == len(json.loads(EXAMPLES.read_text()))
    assert all(d["outcome"] != "error" for d in decisions)


@pytest.mark.parametrize("shell,marker", [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "fish_complete")])
def test_completion_scripts_name_the_completion_variable(shell, marker) -> None:
    done = run("completion", shell)
    assert done.returncode == 0 and "_POLICYLANG_COMPLETE" in done.stdout and marker in done.stdout


def test_completion_completes_commands() -> None:
    import os
    done = subprocess.run([sys.executable, "-m", "policylang"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COMP_WORDS": "policylang ev", "COMP_CWORD": "1",
                               "_POLICYLANG_COMPLETE": "bash_complete"})
    assert "plain,eval" in done.stdout.splitlines()
