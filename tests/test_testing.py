"""`policylang test`, the pytest plugin and the Hypothesis strategies of `policylang.testing`.

The README's examples are run as they are written: its `.ecp` block through `policylang test`,
its Python block through pytest in a fresh folder.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from hypothesis import find, given, settings

from policylang.cli import cli
from policylang.check import types as T
from policylang.testing import cases, decide
from policylang.testing.strategies import CaseStrategies, library

ROOT = Path(__file__).parent.parent
HERE = Path(__file__).parent / "testing"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(language: str, containing: str) -> str:
    """The README's fenced block of that language (empty: no language) that holds the text."""
    blocks, current = [], None
    for line in README.splitlines():
        if current is None and line.startswith("```"):
            current = (line[3:].strip(), [])
        elif current is not None and line.startswith("```"):
            blocks.append(current)
            current = None
        elif current is not None:
            current[1].append(line)
    return next("\n".join(body) + "\n" for lang, body in blocks if lang == language and containing in "\n".join(body))


def test_runs_blocks_and_case_files_with_junit(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    result = CliRunner().invoke(cli, ["test", str(HERE / "sample.ecp"), str(HERE / "test_sample_cases.yaml"),
                                      "--junit", str(junit)])
    assert result.exit_code == 1, result.output                  # one test fails
    assert "2 passed, 1 failed" in result.output
    assert "outcome: expected prohibited, got license_required" in result.output
    root = ET.parse(junit).getroot()
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "3", "1")
    failures = root.findall(".//testcase/failure")
    assert len(failures) == 1 and failures[0].get("message").startswith("outcome: expected prohibited")
    names = [c.get("name") for c in root.iter("testcase")]
    assert "humanitarian relief is report only under No. 61" in names


def test_coverage_threshold(tmp_path: Path) -> None:
    args = ["test", str(HERE / "test_sample_cases.yaml"), "--coverage"]
    ok = CliRunner().invoke(cli, args)
    assert ok.exit_code == 0 and "not exercised: MOFCOM-2025-61 II" in ok.output
    low = CliRunner().invoke(cli, args + ["--min-coverage", "50"])
    assert low.exit_code == 1 and "below the minimum" in low.output


def test_the_library_corpus_runs_with_coverage(tmp_path: Path) -> None:
    junit = tmp_path / "corpus.xml"
    result = CliRunner().invoke(cli, ["test", "--junit", str(junit)])
    assert result.exit_code == 0, result.output[-2000:]
    assert re.search(r"clause coverage: \d+/\d+ \(\d+\.\d %\)", result.output)
    assert int(ET.parse(junit).getroot().get("tests")) >= 30


def test_readme_ecp_example(tmp_path: Path) -> None:
    path = tmp_path / "readme_example.ecp"
    path.write_text(_block("", 'invariant "a humanitarian end use'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 0 and "1 passed, 0 failed" in result.output, result.output


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=600)


def test_readme_hypothesis_example_runs_under_pytest(tmp_path: Path) -> None:
    (tmp_path / "test_no61_properties.py").write_text(_block("python", "from policylang.testing import"))
    run = _pytest(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "3 passed" in run.stdout


def test_plugin_collects_test_blocks_and_case_files(tmp_path: Path) -> None:
    for name in ("sample.ecp", "test_sample_cases.yaml"):
        (tmp_path / name).write_text((HERE / name).read_text(encoding="utf-8"), encoding="utf-8")
    run = _pytest(tmp_path, "-rA")
    assert run.returncode == 1, run.stdout[-3000:]
    assert "2 passed" in run.stdout and "1 failed" in run.stdout
    assert "a wrong expectation: the same magnet is not prohibited" in run.stdout
    assert "outcome: expected prohibited, got license_required" in run.stdout


@settings(max_examples=25, deadline=None, database=None)
@given(cases())
def test_cases_are_valid(case) -> None:
    assert decide(case)["errors"] == [] and case["date"]


def test_values_reach_the_boundaries() -> None:
    program, _ = library()
    strategies = CaseStrategies(program)
    fast = settings(max_examples=5000, deadline=None, database=None)
    # the last suspended day of No. 70 and the first day after it
    for day in ("2026-11-10", "2026-11-11"):
        find(strategies.value(T.Prim("date"), "date", 0), lambda d, day=day: d == day, settings=fast)
    # No. 61 I(1) reads `>= 0.1 %`: the share 0.001 exactly, and just below it
    for ratio in ("0.001", "0.000999"):
        find(strategies.value(T.Prim("decimal"), "part1_value_ratio", 0), lambda r, x=ratio: r == x, settings=fast)
    # No. 55 reads `<= 50 um` and `> 50 um`: 50 um exactly, and just above it
    for size in ("50 um", "50.05 um"):
        find(strategies.value(T.QuantityT("length"), "average_particle_size", 0),
             lambda q, s=size: q == s, settings=fast)


@settings(max_examples=10, deadline=None, database=None)
@given(cases(action="reexport", destination="JP", date_from="2026-01-01"))
def test_fixed_fields(case) -> None:
    assert case["action"] == "reexport" and case["destination"] == "JP" and case["date"] >= "2026-01-01"


def test_date_option_dates_cases_without_one(tmp_path: Path) -> None:
    cases_file = tmp_path / "undated.yaml"
    cases_file.write_text("cases:\n  - name: a magnet on the date given\n"
                          "    case: {action: reexport, destination: US, item: {control_code: 1C904.a.4, origin: CN}}\n"
                          "    expect: {outcome: license_required, date: 2025-10-20}\n")
    dated = CliRunner().invoke(cli, ["test", str(cases_file), "--date", "2025-10-20"])
    assert dated.exit_code == 0, dated.output
    undated = CliRunner().invoke(cli, ["test", str(cases_file)])
    assert undated.exit_code == 1 and "outcome: expected license_required, got error" in undated.output


def test_plugin_reads_the_library_from_ini(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "tiny.ecp").write_text(
        "announcement TINY-2025-1 { issued 2025-01-01 clause 1 { when destination == KP prohibit } }\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\npolicylang_policies = lib\n")
    (tmp_path / "tiny_tests.ecp").write_text(
        'test "North Korea is prohibited by the tiny library" {\n'
        '  case {"date": "2025-06-01", "destination": "KP"}\n'
        '  expect {"outcome": "prohibited", "reasons": [{"policy": "TINY-2025-1", "clause": "1"}]}\n}\n')
    run = _pytest(tmp_path)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-2000:]


def test_a_run_that_finds_no_tests_fails(tmp_path: Path) -> None:
    (tmp_path / "policy.ecp").write_text("def x: bool = true\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert "no tests found" in result.output


NEW_POLICY = """
announcement TEST-2026-99 {
  title en "A new policy"
  authority "TEST"
  issued 2026-01-01

  clause 1 "Gallium to the United States" {
    text en "Gallium items to the United States need a licence."
    when item.control_code within 3C001 and destination == US require license
  }

  clause 2 "Gallium to Canada" {
    text en "Gallium items to Canada need a licence."
    when item.control_code within 3C001 and destination == CA require license
  }

}

test "gallium to the US" {
  case {"date": "2026-02-01", "destination": "US", "item": {"control_code": "3C001.a"}}
  expect outcome license_required
}
"""


def test_coverage_counts_the_clauses_of_the_files_under_test(tmp_path: Path) -> None:
    policy = tmp_path / "TEST-2026-99.ecp"
    policy.write_text(NEW_POLICY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(policy), "--coverage"])
    assert result.exit_code == 0, result.output
    assert "clause coverage: 1/2 (50.0 %)" in result.output
    assert "not exercised: TEST-2026-99 2" in result.output
    assert "MOFCOM" not in result.output          # the shipped library is not counted
