"""The compiled engine as the command line serves it: streaming, worker processes, `--output`,
`compile --show`, `--no-stdlib`, what a cold `eval` imports, and the library cache.

Each test runs `python -m policylang` in a subprocess (or a fresh interpreter), as a user would.
Nothing here times anything: speed is measured by `benchmarks/`, never by tests.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from policylang.testing.mix import invalid_cases, realistic_cases

ROOT = Path(__file__).parent.parent
PEER = ROOT / "benchmarks" / "peer" / "library"
EXAMPLES = ROOT / "examples" / "cases.json"


def run(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True,
                          timeout=300, env=env, input=stdin)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """300 realistic cases with every tenth line broken in one deliberate way, and a line that
    is not JSON: the output must keep one decision per line, in order."""
    good = list(realistic_cases(270, seed=5))
    bad = list(invalid_cases(30, seed=5))
    lines = []
    for i, case in enumerate(good):
        lines.append(json.dumps(case, ensure_ascii=False))
        if i % 9 == 0:
            lines.append(json.dumps(bad.pop()))
    lines.insert(17, "{not json")
    path = tmp_path_factory.mktemp("book") / "book.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_from_standard_input_is_decided_line_by_line() -> None:
    """The first decision is written while the second line has not been sent: `eval` does not
    wait for the end of its input (stdin stays open until the first decision is read)."""
    cases = [{"id": "first", "date": "2026-11-28", "destination": "US", "item": {"control_code": "1C904.a.4"}},
             {"id": "second", "date": "2026-11-27", "destination": "US", "item": {"control_code": "1C904.a.4"}}]
    proc = subprocess.Popen([sys.executable, "-m", "policylang", "eval", "--format", "jsonl", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write(json.dumps(cases[0]) + "\n")
        proc.stdin.flush()
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()))
        reader.start()
        reader.join(timeout=120)          # a generous bound for a loaded machine: not a timing
        assert first and first[0], "no decision before the second line was sent"
        assert json.loads(first[0])["id"] == cases[0].get("id")
        proc.stdin.write(json.dumps(cases[1]) + "\n")
        proc.stdin.close()
        rest = proc.stdout.read().splitlines()
        assert [json.loads(line)["id"] for line in rest] == [cases[1].get("id")]
    finally:
        proc.kill()
        proc.wait()


def test_jobs_2_gives_the_same_bytes_as_jobs_1_and_output_file_as_stdout(book: Path, tmp_path: Path) -> None:
    one = run("eval", "--format", "jsonl", str(book))
    two = run("eval", "--format", "jsonl", "--jobs", "2", "-o", str(tmp_path / "two.jsonl"), str(book))
    assert one.returncode == two.returncode == 1, one.stderr + two.stderr     # invalid cases: exit 1
    assert two.stdout == ""
    assert (tmp_path / "two.jsonl").read_text(encoding="utf-8") == one.stdout
    decisions = [json.loads(line) for line in one.stdout.splitlines()]
    assert len(decisions) == len(book.read_text(encoding="utf-8").splitlines())
    assert decisions[17]["outcome"] == "error" and decisions[17]["errors"][0]["code"] == "E501"
    assert sum(d["outcome"] == "error" for d in decisions) == 31


def test_the_interpreter_gives_the_same_bytes_as_the_compiled_engine(book: Path) -> None:
    compiled = run("eval", "--format", "jsonl", str(book))
    interpreted = run("eval", "--format", "jsonl", "--engine", "interpreter", str(book))
    assert compiled.stdout == interpreted.stdout
    assert compiled.returncode == interpreted.returncode


def test_compile_show_prints_the_python_of_one_clause() -> None:
    shown = run("compile", "--show", "MOFCOM-2025-61 IV")
    assert shown.returncode == 0, shown.stderr
    assert "# MOFCOM-2025-61 IV, rule 1: case_by_case" in shown.stdout
    assert "def p_for_use(c, v_kind):" in shown.stdout              # the definitions it uses
    assert "MOFCOM-2025-61 I(1)" not in shown.stdout                 # and nothing else
    compile(shown.stdout, "<shown>", "exec")                         # it is Python as printed
    unknown = run("compile", "--show", "MOFCOM-2025-61 XIV")
    assert unknown.returncode == 2 and "XIV" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_library_of_its_own_runs_on_the_command_line(tmp_path: Path) -> None:
    case = {"id": "r1", "date": "2026-01-05", "origin": "CN", "destination": "IR", "control_code": "EAR99",
            "value_ratio": "0", "end_use": ["civil"], "end_user_military": False, "end_user_listed": False,
            "item_kind": "powder", "particle_size": "50 um"}
    (tmp_path / "case.json").write_text(json.dumps(case))
    checked = run("check", "--no-stdlib", str(PEER))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    decided = run("eval", "--no-stdlib", "--policies", str(PEER), "--format", "json", str(tmp_path / "case.json"))
    assert decided.returncode == 0, decided.stderr
    decision = json.loads(decided.stdout)
    assert decision["outcome"] == "prohibited"
    assert [r["clause"] for r in decision["reasons"]] == ["R03"]
    # without --no-stdlib the peer schema's `record Case` clashes with the shipped one
    assert run("check", str(PEER)).returncode == 2


def test_a_cold_eval_imports_neither_the_analysis_nor_the_language_server_nor_the_table_engines(tmp_path: Path) -> None:
    script = ("import sys\n"
              "from policylang.cli import cli\n"
              "try:\n"
              f"    cli.main(['eval', '--format', 'json', {str(EXAMPLES)!r}])\n"
              "except SystemExit:\n"
              "    pass\n"
              "heavy = sorted(m for m in ('z3', 'pygls', 'lsprotocol', 'hypothesis', 'policylang.analysis',\n"
              "               'policylang.lsp', 'policylang.fmt', 'policylang.testing', 'duckdb', 'pyarrow',\n"
              "               'pyspark', 'pandas', 'policylang.eval.explain', 'policylang.audit', 'policylang.schema',\n"
              "               'yaml') if m in sys.modules)\n"
              "print('HEAVY', heavy, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "HEAVY []" in done.stderr, done.stderr[-2000:]
    assert len(json.loads(done.stdout)) == len(json.loads(EXAMPLES.read_text()))   # it did decide


def _cache_env(folder: Path) -> dict:
    return {**os.environ, "POLICYLANG_CACHE_DIR": str(folder)}


def test_the_cache_is_used_and_a_damaged_or_foreign_entry_is_never_trusted(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    expected = run("eval", "--format", "jsonl", str(EXAMPLES), env={**os.environ, "POLICYLANG_CACHE_DIR": "off"})
    first = run("eval", "--format", "jsonl", str(EXAMPLES), env=_cache_env(folder))
    entries = sorted(folder.glob("*.pickle"))
    assert first.stdout == expected.stdout and entries, first.stderr
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    # damaged entries: truncated, and one holding a function call (pickle's REDUCE of os.system)
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    assert run("eval", "--format", "jsonl", str(EXAMPLES), env=_cache_env(folder)).stdout == expected.stdout
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for entry in sorted(folder.glob("*.pickle")):
        key = entry.stem
        entry.write_bytes(pickle.dumps((key, Evil())))
    again = run("eval", "--format", "jsonl", str(EXAMPLES), env=_cache_env(folder))
    assert again.stdout == expected.stdout and not marker.exists()
    # an entry stored under another key (a renamed file) is not used either
    for entry in sorted(folder.glob("*.pickle")):
        entry.write_bytes(pickle.dumps(("0" * 64, {"not": "a library"})))
    assert run("eval", "--format", "jsonl", str(EXAMPLES), env=_cache_env(folder)).stdout == expected.stdout


def test_a_cache_folder_others_may_write_to_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    done = run("eval", "--format", "jsonl", str(EXAMPLES), env=_cache_env(folder))
    assert done.returncode == 0, done.stderr
    assert list(folder.iterdir()) == []
