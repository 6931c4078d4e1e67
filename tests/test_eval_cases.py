"""Runner for evaluation tests written as data (YAML), under `tests/eval/` and `tests/corpus/`.

Each file holds `policies` (optional, library files relative to the file's folder or a folder
above it; default: the shipped library), `date` (optional default date) and `cases`, each with a
`name`, a `case` in the contract format (or `raw` text, for input that is not JSON) and `expect`.
Reading the files, running the cases and matching the expectations are `policylang test`'s own
(`policylang.testing.suite` and `policylang.testing.matching`, whose contract says how an
expectation matches a decision); this runner only hands each case to pytest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylang.library import policies_dir
from policylang.testing.suite import Libraries, file_tests, run_test

TESTS = Path(__file__).parent
FILES = sorted([*TESTS.joinpath("eval").rglob("*.yaml"), *TESTS.joinpath("corpus").rglob("*.yaml")])
CASES = [t for path in FILES for t in file_tests(path)]
LIBRARIES = Libraries([policies_dir()])


def _id(test) -> str:
    path, _, name = test.origin.partition("::")
    return f"{Path(path).relative_to(TESTS)}::{name}"


@pytest.mark.parametrize("test", CASES, ids=[_id(t) for t in CASES])
def test_case(test) -> None:
    result = run_test(test, LIBRARIES, None)
    assert result.passed, "\n".join(result.problems) + "\n" + json.dumps(result.decision, ensure_ascii=False, indent=1)


def test_there_are_eval_cases() -> None:
    assert len(CASES) >= 30
