"""The realistic mix (policylang/testing/mix.py): the same cases for a seed, every case decided
without an error, a realistic spread of outcomes and acts, and fast enough for benchmarks.

Run with `-s` to see the outcome counts and the generation speed."""

from __future__ import annotations

import collections
import time

import pytest

from policylang.eval.cases import RawCase
from policylang.eval.interpreter import Interpreter
from policylang.testing.mix import invalid_cases, raw_case, realistic_cases

DECIDED = 3000
ACTIONS = ("export", "reexport", "transfer", "provide", "disclose", "assist", "service", "invest", "transact")


@pytest.fixture(scope="module")
def decided(shipped_program):
    """The first cases of the default seed with their decisions."""
    interpreter = Interpreter(shipped_program)
    cases = list(realistic_cases(DECIDED, program=shipped_program))
    return [(case, interpreter.decide(raw_case(case))) for case in cases]


def test_the_same_seed_gives_the_same_cases(shipped_program):
    first = list(realistic_cases(500, seed=11, program=shipped_program))
    assert first == list(realistic_cases(500, seed=11, program=shipped_program))
    assert first != list(realistic_cases(500, seed=12, program=shipped_program))
    assert [c["id"] for c in first[:2]] == ["mix-000001", "mix-000002"]


def test_every_case_is_decided_without_error(decided):
    errors = [(case["id"], [(e.code, e.path, e.message) for e in d.errors])
              for case, d in decided if d.outcome == "error"]
    assert errors == []


def test_a_raw_case_reads_numbers_as_decimals(shipped_program):
    case = {"date": "2026-11-21", "action": "reexport", "destination": "FR",
            "item": {"control_code": "1C904.a.4", "origin": "DE", "made_in": "DE", "part1_value_ratio": 0.001}}
    direct = Interpreter(shipped_program).decide(RawCase(raw_case(case).data, "case"))
    assert direct.outcome == "license_required"


def test_the_outcome_mix_is_realistic(decided):
    counts = collections.Counter(d.outcome for _, d in decided)
    print(f"\noutcomes of {DECIDED} cases:", dict(counts.most_common()))
    share = {k: v / DECIDED for k, v in counts.items()}
    assert share["not_controlled"] >= 0.5           # most lines are not controlled
    assert share["license_required"] >= 0.05
    assert share["prohibited"] >= 0.01
    for outcome in ("denied_in_principle", "case_by_case", "report_only"):
        assert counts[outcome] > 0, outcome


def test_every_act_occurs_and_some_cases_need_a_second_look(decided):
    actions = collections.Counter(case.get("action", "export") for case, _ in decided)
    assert set(actions) == set(ACTIONS)
    assert sum(bool(d.screening) for _, d in decided) >= 10
    assert sum(bool(d.warnings) for _, d in decided) >= 100
    assert any(case["item"].get("category") and d.classification for case, d in decided if "item" in case)


def test_every_invalid_case_is_an_error(shipped_program):
    interpreter = Interpreter(shipped_program)
    outcomes = collections.Counter(interpreter.decide(raw_case(c)).outcome for c in invalid_cases(300, program=shipped_program))
    assert outcomes == {"error": 300}


def test_generation_is_fast(shipped_program):
    list(realistic_cases(10, program=shipped_program))     # facts built once, outside the timing
    start = time.perf_counter()
    n = sum(1 for _ in realistic_cases(100_000, program=shipped_program))
    seconds = time.perf_counter() - start
    print(f"\ngenerated {n} cases in {seconds:.2f} s: {n / seconds:,.0f} cases/s")
    assert n == 100_000 and seconds < 30
