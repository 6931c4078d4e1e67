"""Runner for the review desk's tests written as data (`tests/review/*.yaml`): cases decided with
the options a file names (`options: {explain, review_threshold, dispositions}`), by both engines.

Each case is decided by the reference interpreter and the compiled engine with those options; the
two decisions must be byte-identical JSON (STYLE habit 6), and the decision must meet the case's
`expect` as `policylang test` matches it (`policylang.testing.matching`).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml

from policylang.engines import engine
from policylang.library import load_shipped
from policylang.semantics.dispositions import from_records
from policylang.semantics.screening import REVIEW_THRESHOLD
from policylang.testing.matching import mismatches
from policylang.testing.suite import file_tests

FILES = sorted(Path(__file__).parent.joinpath("review").glob("*.yaml"))
TESTS = [(path, t) for path in FILES for t in file_tests(path)]
_ENGINES: dict[Path, tuple] = {}


def engines_for(path: Path) -> tuple:
    """The interpreter and the compiled engine with the options the file names (made once)."""
    if path not in _ENGINES:
        options = yaml.safe_load(path.read_text(encoding="utf-8")).get("options") or {}
        program, _ = load_shipped()
        dispositions = None
        if options.get("dispositions"):
            records = json.loads(json.dumps(options["dispositions"], default=str))
            dispositions, problems = from_records(records, program.entity_lists)
            assert dispositions is not None, problems
        threshold = float(options.get("review_threshold", REVIEW_THRESHOLD))
        explain = bool(options.get("explain"))
        _ENGINES[path] = tuple(engine(program, kind, threshold, dispositions, explain)
                               for kind in ("interpreter", "compiled"))
    return _ENGINES[path]


@pytest.mark.parametrize("path,test", TESTS, ids=[f"{p.name}::{t.name}" for p, t in TESTS])
def test_case(path, test) -> None:
    reference, compiled = engines_for(path)
    expected = json.dumps(reference.decide(test.raw, test.date).to_json(), ensure_ascii=False, indent=1)
    found = json.dumps(compiled.decide(test.raw, test.date).to_json(), ensure_ascii=False, indent=1)
    assert expected == found, "the engines disagree:\n" + "\n".join(
        difflib.unified_diff(expected.splitlines(), found.splitlines(), "interpreter", "compiled", lineterm=""))
    problems = mismatches(test.expect, json.loads(expected))
    assert not problems, "\n".join(problems) + "\n" + expected


def test_there_are_review_cases() -> None:
    assert len(TESTS) >= 12
