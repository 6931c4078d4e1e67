"""The compiled engine agrees with the reference interpreter, byte for byte (STYLE habit 6).

Each case is decided by both engines and the two decisions are compared as the JSON
`policylang eval --format json` prints: on every case of the corpus (with the library each file
names), on the example cases, on the witnesses the analysis finds, and, as Hypothesis
properties, on random valid cases (`policylang.testing.cases()`, biased towards the library's
thresholds and dates), on random realistic order books (`policylang.testing.mix`, 10,000 cases
a run) and on deliberately broken cases. The corpus, the examples and random cases and order
books are decided again with what `--explain` and `--dispositions` add (a verdict on a near
variant of every listed name, `match` and `no_match` in turn). A disagreement fails with the
case and both decisions.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang.analysis.command import run_analysis
from policylang.engines import engine
from policylang.eval.cases import RawCase, split_cases
from policylang.library import load, load_shipped, policies_dir
from policylang.testing import cases
from policylang.semantics.dispositions import from_records
from policylang.testing.mix import _near_variants, invalid_cases, raw_case, realistic_cases
from policylang.testing.suite import Libraries, file_tests

TESTS = Path(__file__).parent
EXAMPLES = TESTS.parent / "examples" / "cases.json"


@pytest.fixture(scope="module")
def engines():
    program, _ = load_shipped()
    return engine(program, "interpreter"), engine(program, "compiled")


@pytest.fixture(scope="module")
def reviewing():
    """Both engines explaining, with a verdict on a near variant of every listed name."""
    program, _ = load_shipped()
    records = [{"party": variant, "entry": e.name, "list": name, "verdict": ("match", "no_match")[n % 2],
                "reviewer": "test", "date": "2026-01-01"}
               for name, entities in program.entity_lists.items() for e in entities.entries
               for n, variant in enumerate(_near_variants(e.name))]
    dispositions, problems = from_records(records, program.entity_lists)
    assert dispositions is not None, problems
    return tuple(engine(program, kind, dispositions=dispositions, explain=True) for kind in ("interpreter", "compiled"))


def agree(pair, raw: RawCase, default_date=None) -> None:
    reference, compiled = pair
    expected = json.dumps(reference.decide(raw, default_date).to_json(), ensure_ascii=False, indent=1, default=str)
    found = json.dumps(compiled.decide(raw, default_date).to_json(), ensure_ascii=False, indent=1, default=str)
    if expected != found:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), found.splitlines(), "interpreter",
                                              "compiled", lineterm=""))
        pytest.fail(f"the engines disagree on\n{json.dumps(raw.data, default=str)}\n{diff}")


def test_the_corpus_and_the_eval_tests() -> None:
    files = sorted([*TESTS.joinpath("corpus").glob("*.yaml"), *TESTS.joinpath("eval").glob("*.yaml")])
    tests = [t for f in files for t in file_tests(f)]
    assert len(tests) > 400
    pairs = (Libraries([policies_dir()], "interpreter"), Libraries([policies_dir()], "compiled"))
    for test in tests:
        pair = (pairs[0].get(test.policies)[1], pairs[1].get(test.policies)[1])
        agree(pair, test.raw, test.date)


def test_the_example_cases(engines, reviewing) -> None:
    raws = split_cases(EXAMPLES.read_text(encoding="utf-8"), "cases.json")
    assert len(raws) >= 10
    for raw in raws:
        agree(engines, raw)
        agree(reviewing, raw)


def test_the_corpus_explained_and_reviewed(reviewing) -> None:
    files = sorted([*TESTS.joinpath("corpus").glob("*.yaml"), *TESTS.joinpath("eval").glob("*.yaml"),
                    *TESTS.joinpath("review").glob("*.yaml")])
    tests = [t for f in files for t in file_tests(f) if not t.policies]
    assert len(tests) > 400
    explained = 0
    for test in tests:
        agree(reviewing, test.raw, test.date)
        explained += bool(reviewing[0].decide(test.raw, test.date).explanation)
    assert explained > 300


def test_the_witnesses_of_the_analysis() -> None:
    fixtures = sorted(TESTS.joinpath("analysis", "fixtures").glob("*.ecp"))
    witnessed = 0
    for fixture in fixtures:
        findings, _ = run_analysis([fixture])
        program, _ = load([fixture])
        pair = (engine(program, "interpreter"), engine(program, "compiled"))
        for f in findings:
            if f.witness is not None:
                agree(pair, RawCase(json.loads(json.dumps(f.witness), parse_float=_decimal, parse_int=_decimal),
                                    "witness"))
                witnessed += 1
    assert witnessed >= 8


def _decimal(text: str):
    from decimal import Decimal
    return Decimal(text)


SETTINGS = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


@settings(SETTINGS, max_examples=1500)
@given(case=cases())
def test_random_valid_cases(engines, reviewing, case) -> None:
    agree(engines, raw_case(case))
    agree(reviewing, raw_case(case))


@settings(SETTINGS, max_examples=200)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_order_books(engines, reviewing, seed) -> None:
    """200 order books of 50 realistic lines: 10,000 cases a run; every seventh line also explained
    and reviewed (a third of the lines name a listed name or a near miss)."""
    for n, case in enumerate(realistic_cases(50, seed)):
        agree(engines, raw_case(case))
        if n % 7 == 0:
            agree(reviewing, raw_case(case))


@settings(SETTINGS, max_examples=40)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_broken_cases(engines, seed) -> None:
    for case in invalid_cases(25, seed):
        agree(engines, raw_case(case))
