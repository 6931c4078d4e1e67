"""Runner for evaluation tests written as data (YAML).

Each YAML file under `tests/eval/` and `tests/corpus/` holds:

    policies: [fixtures/x.ecp]      # optional, relative to tests/; default: the shipped library
    date: 2025-10-20                # optional default date for cases without one
    cases:
      - name: what the case shows
        case: {...}                 # a case in the contract format (or `raw: "text"` for bad JSON)
        expect:
          outcome: license_required
          reasons: [{policy: MOFCOM-2025-61, clause: I(3)}]
          obligations: [{kind: report, due: "2025-10-16"}]

For `outcome`, `date` and `id` the decision must be equal. For each list named in `expect` (`reasons`,
`obligations`, `suspended`, `not_in_force`, `overridden`, `classification`, `errors`,
`warnings`, `screening`), the decision must hold exactly as many entries, and each expected entry
must match a distinct actual entry on every key it gives. Lists not named are not checked.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml

from policylang.eval.cases import RawCase, split_cases
from policylang.eval.interpreter import Interpreter
from policylang.library import load, policies_dir
from policylang.testing.matching import mismatches

TESTS = Path(__file__).parent
FILES = sorted([*TESTS.joinpath("eval").rglob("*.yaml"), *TESTS.joinpath("corpus").rglob("*.yaml")])

_interpreters: dict[tuple[str, ...], Interpreter] = {}


def interpreter_for(policies: tuple[str, ...]) -> Interpreter:
    if policies not in _interpreters:
        paths = [TESTS / p for p in policies] if policies else [policies_dir()]
        program, diags = load(paths)
        assert program is not None, [f"{d.code} {d.message}" for d in diags]
        _interpreters[policies] = Interpreter(program)
    return _interpreters[policies]


def load_cases():
    for path in FILES:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        policies = tuple(doc.get("policies") or ())
        for i, entry in enumerate(doc["cases"]):
            name = entry.get("name", str(i))
            yield pytest.param(policies, doc.get("date"), entry, id=f"{path.relative_to(TESTS)}::{name}")


def _raw(entry: dict) -> RawCase:
    if "raw" in entry:
        return split_cases(entry["raw"], "case.json")[0]
    # YAML dates and numbers become JSON text first, read as the contract reads JSON: decimals.
    return split_cases(json.dumps(entry["case"], default=str), "case.json")[0]


@pytest.mark.parametrize("policies,default_date,entry", list(load_cases()))
def test_case(policies, default_date, entry) -> None:
    day = datetime.date.fromisoformat(str(default_date)) if default_date else None
    decision = interpreter_for(policies).decide(_raw(entry), day).to_json()
    problems = mismatches(entry["expect"], decision)   # the matching of policylang.testing
    assert not problems, "\n".join(problems) + "\n" + json.dumps(decision, ensure_ascii=False, indent=1)


def test_there_are_eval_cases() -> None:
    assert len(list(load_cases())) >= 30
