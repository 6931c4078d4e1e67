"""The result cache of `policylang analyze`: an unchanged library is answered from it, the same bytes;
any change to a policy misses; a change to its accepts alone does not; nothing untrusted is read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylang.cli import cli

FIXTURES = Path(__file__).parent / "analysis" / "fixtures"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("conflict.ecp", "overlap.ecp"):
        shutil.copy(FIXTURES / name, folder / name)
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("POLICYLANG_CACHE_DIR", str(folder))
    return folder


def _run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["analyze", *args, "--format", "json", "--timings"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.output)
    timings = {k: doc["stats"].pop(k) for k in ("cache", "seconds", "cpu_seconds")}
    return result.exit_code, {**doc, "timings": timings}


def test_an_unchanged_library_is_answered_from_the_cache_with_the_same_output(library: Path, cache: Path) -> None:
    code, cold = _run(str(library))
    assert cold["timings"]["cache"] == "miss"
    assert list((cache / "analysis").glob("*.json"))
    again, warm = _run(str(library))
    assert warm["timings"]["cache"] == "hit" and again == code
    assert {k: v for k, v in warm.items() if k != "timings"} == {k: v for k, v in cold.items() if k != "timings"}
    _, forced = _run(str(library), "--no-cache")
    assert forced["timings"]["cache"] == "miss"


def test_a_changed_policy_misses_and_a_changed_accept_does_not(library: Path, cache: Path) -> None:
    _run(str(library))
    accepts = library / "accepts.ecp"
    accepts.write_text('accept conflict FIXTURE-2025-2 clause 1 with FIXTURE-2025-1, FIXTURE-2025-3 because "intended"\n')
    code, doc = _run(str(library))
    assert doc["timings"]["cache"] == "hit" and code == 0
    assert [f["accepted"]["reason"] for f in doc["findings"] if f["kind"] == "conflict"] == ["intended"] * 3
    overlap = library / "overlap.ecp"
    overlap.write_text(overlap.read_text().replace("Military end users", "Military end users."))
    _, doc = _run(str(library))
    assert doc["timings"]["cache"] == "miss"


def test_other_options_are_other_entries(library: Path, cache: Path) -> None:
    _run(str(library))
    _, narrowed = _run(str(library), "--kind", "overlap")
    assert narrowed["timings"]["cache"] == "miss"
    assert {f["kind"] for f in narrowed["findings"]} == {"overlap"}
    _, bounded = _run(str(library), "--max-list", "1")
    assert bounded["timings"]["cache"] == "miss"


def test_a_damaged_entry_is_not_trusted(library: Path, cache: Path) -> None:
    _, cold = _run(str(library))
    (entry,) = (cache / "analysis").glob("*.json")
    entry.write_text(json.dumps({"key": "someone else's", "findings": [], "stats": {}}))
    _, doc = _run(str(library))
    assert doc["timings"]["cache"] == "miss" and doc["findings"] == cold["findings"]
    entry.write_text("{ not json")
    _, doc = _run(str(library))
    assert doc["timings"]["cache"] == "miss" and doc["findings"] == cold["findings"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="folder ownership is POSIX")
def test_a_folder_others_may_write_to_is_not_used(library: Path, cache: Path) -> None:
    _run(str(library))
    (cache / "analysis").chmod(0o777)
    _, doc = _run(str(library))
    assert doc["timings"]["cache"] == "miss"


def test_a_cache_hit_imports_no_solver(library: Path, cache: Path) -> None:
    _run(str(library))
    probe = ("import sys\nfrom policylang.cli import cli\n"
             f"try:\n    cli.main(['analyze', {str(library)!r}, '--format', 'json'], standalone_mode=False)\n"
             "except SystemExit:\n    pass\n"
             "print('z3 imported' if 'z3' in sys.modules else 'no z3', file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "POLICYLANG_CACHE_DIR": str(cache)})
    assert done.stderr.strip().endswith("no z3"), done.stderr
