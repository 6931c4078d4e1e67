"""`policylang schema`: the JSON Schema of a case and of a decision, checked with `jsonschema`.

The schema is generated from the library's `record Case`; these tests hold it to the reader on
every case the project has (the corpus, `tests/eval`, `tests/review`, the examples): a case the
engine decides without errors is valid, and a case the schema rejects is one the engine rejects
too. Every decision those cases get, plain and with what `--explain`, `--dispositions` and
`--as-of` add, is valid against the decision schema (which allows no field it does not name).
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from policylang.audit.log import exact_json
from policylang.engines import engine
from policylang.eval.cases import split_cases
from policylang.library import load, load_shipped
from policylang.schema import case_schema, decision_schema
from policylang.testing.suite import file_tests

TESTS = Path(__file__).parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples" / "cases.json"
SHIPPED = ROOT / "docs" / "case.schema.json"


@pytest.fixture(scope="module")
def program():
    return load_shipped()[0]


@pytest.fixture(scope="module")
def validators(program):
    schemas = case_schema(program), decision_schema(program)
    for s in schemas:
        Draft202012Validator.check_schema(s)
    return tuple(Draft202012Validator(s, format_checker=FormatChecker()) for s in schemas)


def all_cases():
    """(name, raw case, default date) of every case the project decides with the shipped library."""
    files = sorted([*TESTS.joinpath("corpus").glob("*.yaml"), *TESTS.joinpath("eval").glob("*.yaml"),
                    *TESTS.joinpath("review").glob("*.yaml")])
    found = [(t.origin, t.raw, t.date) for f in files for t in file_tests(f) if not t.policies]
    found += [(raw.origin, raw, None) for raw in split_cases(EXAMPLES.read_text(encoding="utf-8"), "cases.json")]
    return found


def plain(data):
    """A case as JSON tools read it (numbers as numbers, not decimals)."""
    return json.loads(exact_json(data))


def test_every_case_the_engine_accepts_is_valid_and_what_the_schema_rejects_the_engine_rejects(program, validators) -> None:
    case_validator, _ = validators
    decide = engine(program).decide
    accepted = rejected = 0
    for origin, raw, day in all_cases():
        if raw.data is None:
            continue
        decision = decide(raw, day)
        problems = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                    for e in case_validator.iter_errors(plain(raw.data))]
        if not decision.errors:
            assert not problems, f"{origin}: the engine decides it, the schema rejects it: {problems}"
            accepted += 1
        elif problems:
            rejected += 1
        if problems:
            assert decision.outcome == "error", f"{origin}: the schema rejects it, the engine decides it: {problems}"
    assert accepted > 350 and rejected > 20, (accepted, rejected)


def test_every_decision_is_valid(program, validators) -> None:
    _, decision_validator = validators
    from policylang.semantics.dispositions import from_records
    from policylang.testing.mix import _near_variants

    records = [{"party": v, "entry": e.name, "list": name, "verdict": ("match", "no_match")[n % 2],
                "reviewer": "test", "date": "2026-01-01", "note": "for the schema test"}
               for name, entities in program.entity_lists.items() for e in entities.entries
               for n, v in enumerate(_near_variants(e.name))]
    dispositions, _ = from_records(records, program.entity_lists)
    engines = (engine(program), engine(program, "compiled", 90.0, dispositions, explain=True))
    checked = set()
    for origin, raw, day in all_cases():
        for e in engines:
            for as_of in (None, datetime.date(2026, 11, 28)):
                decision = e.decide(raw, day, as_of).to_json()
                errors = [f"{'.'.join(map(str, x.absolute_path))}: {x.message}"
                          for x in decision_validator.iter_errors(json.loads(json.dumps(decision)))]
                assert not errors, f"{origin}: {errors}\n{json.dumps(decision, indent=1, ensure_ascii=False)}"
                checked |= {k for k in ("as_of", "explanation") if k in decision}
                checked |= {"disposition" for s in decision["screening"] if "disposition" in s}
                checked |= {"listed_by" for r in decision["reasons"] if "listed_by" in r}
                checked |= {"error" for _ in decision["errors"][:1]}
    assert checked == {"as_of", "explanation", "disposition", "listed_by", "error"}


def test_the_schema_rejects_what_a_case_cannot_be(validators) -> None:
    case_validator, _ = validators
    good = {"date": "2026-11-30", "destination": "US", "end_use": ["military", {"use": "logic_chip", "node_nm": 7}],
            "end_user": "Acme Motors Inc.",
            "item": {"control_code": "2C902.c", "parameters": {"wire_diameter": "0.04 mm", "purity": "99.95 %",
                                                               "breaking_tension": {"value": "10", "unit": "N"}},
                     "contains": [{"origin": "CN", "value_ratio": 0.001}]}}
    assert case_validator.is_valid(good)
    assert case_validator.is_valid([good, good])
    for path, bad in [(("date",), "30/11/2026"), (("destination",), "USA"), (("item", "control_code"), "2c902"),
                      (("item", "parameters", "wire_diameter"), "40 N"), (("item", "parameters", "wire_diameter"), 40),
                      (("item", "contains", 0, "value_ratio"), 1.5), (("end_use", 0), "warfare"),
                      (("date",), "2026-02-30")]:
        case = json.loads(json.dumps(good))
        target = case
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = bad
        assert not case_validator.is_valid(case), (path, bad)


def test_the_schema_follows_the_library_it_is_generated_from() -> None:
    peer = ROOT / "benchmarks" / "peer" / "library"
    program, _ = load([peer], with_stdlib=False)
    schema = case_schema(program)
    fields = [f.name for f in program.records["Case"].fields]
    assert list(schema["$defs"]["Case"]["properties"]) == fields
    result = subprocess.run([sys.executable, "-m", "policylang", "schema", "--no-stdlib", "--policies", str(peer)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and json.loads(result.stdout) == json.loads(json.dumps(schema))


def test_the_shipped_schema_file_is_the_generated_one(program) -> None:
    generated = json.dumps(case_schema(program), ensure_ascii=False, indent=2) + "\n"
    assert SHIPPED.read_text(encoding="utf-8") == generated, \
        "docs/case.schema.json is out of date: run `policylang schema > docs/case.schema.json`"


def test_the_command_prints_both_schemas() -> None:
    for args, title in (((), "A policylang case"), (("--decision",), "A policylang decision")):
        result = subprocess.run([sys.executable, "-m", "policylang", "schema", *args], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["title"] == title
