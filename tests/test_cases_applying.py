"""`policylang.testing.cases(applying=…)`: generated cases that reach the clause they name.

The issue's measure, over every clause of the shipped library: of the examples drawn around a
clause's witnesses, at least half are decided with that clause applying (a reason or a duty of
the decision cites it). Clauses that cannot apply say why, and are counted, not skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from policylang.testing import NeverApplies
from policylang.program import ClauseKey
from policylang.testing import cases, decide
from policylang.testing.strategies import library, witnesses

EXAMPLES = 20


def _cites(decision: dict, key: ClauseKey) -> bool:
    return any((r["policy"], r["clause"]) == key for r in decision["reasons"] + decision["obligations"])


def _drawn(strategy, n: int = EXAMPLES) -> list[dict]:
    seen: list[dict] = []

    @settings(max_examples=n, database=None, deadline=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case):
        seen.append(case)
    collect()
    return seen


def _shipped_clauses() -> list[ClauseKey]:
    program, _ = library(())
    return sorted(program.clauses)


@pytest.mark.slow
def test_every_clause_that_can_apply_is_reached_in_at_least_half_the_examples() -> None:
    reached, never, short = {}, {}, {}
    for key in _shipped_clauses():
        try:
            drawn = _drawn(cases(applying=str(key)))
        except NeverApplies as why:
            never[key] = str(why)
            continue
        reached[key] = sum(_cites(decide(case), key) for case in drawn) / len(drawn)
        if reached[key] < 0.5:
            short[key] = reached[key]
    assert not short, {str(k): v for k, v in short.items()}
    program, _ = library(())
    # a clause is let off only when it has no rule of its own (it suspends, controls, classifies)
    assert all(not program.clauses[k].rules for k in never), never
    assert all("has no `when` rule" in why for why in never.values())
    assert len(reached) >= 100


def test_the_examples_reach_the_clause_where_plain_cases_do_not() -> None:
    key = ClauseKey("MOFCOM-2025-61", "I(1)")
    around = _drawn(cases(applying=str(key)))
    plain = _drawn(cases())
    assert sum(_cites(decide(c), key) for c in around) >= len(around) / 2
    assert sum(_cites(decide(c), key) for c in plain) < len(around) / 2
    assert len({str(sorted(c.items())) for c in around}) > 3      # not one case over and over


def test_it_shrinks_to_a_witness_of_the_analyzer() -> None:
    smallest = find(cases(applying="MOFCOM-2025-61 V"), lambda case: True,
                    settings=settings(database=None, deadline=None, suppress_health_check=list(HealthCheck)))
    assert smallest in witnesses("MOFCOM-2025-61 V")
    assert _cites(decide(smallest), ClauseKey("MOFCOM-2025-61", "V"))


def test_fixed_fields_still_hold() -> None:
    for case in _drawn(cases(applying="MOFCOM-2025-61 I(1)", action="reexport"), 10):
        assert case["action"] == "reexport"


def test_a_clause_without_a_rule_says_why() -> None:
    program, _ = library(())
    key = next(k for k in sorted(program.clauses) if not program.clauses[k].rules)
    with pytest.raises(NeverApplies, match=r"has no `when` rule"):
        cases(applying=str(key))


def test_an_unknown_clause_names_the_clauses_there_are() -> None:
    with pytest.raises(NeverApplies, match=r"no clause `MOFCOM-2025-61 IX` in the library: its clauses are .*I\(1\)"):
        cases(applying="MOFCOM-2025-61 IX")


def test_a_clause_no_case_meets_is_reported_as_the_analyzer_reports_it(tmp_path: Path) -> None:
    policy = tmp_path / "TEST-2026-5.ecp"
    policy.write_text('''import attributes

announcement TEST-2026-5 {
  issued 2026-01-01
  clause 1 "Never" {
    text en "Items of both origins need a licence."
    when origin == CN and origin == US
    require license
  }
  clause 2 "Sometimes" {
    text en "Items of US origin need a licence."
    when origin == US
    require license
  }
}
''', encoding="utf-8")
    with pytest.raises(NeverApplies, match=r"TEST-2026-5 1 \(Never\) can never apply: no valid case meets its condition"):
        cases((str(policy),), applying="TEST-2026-5 1")
    drawn = _drawn(cases((str(policy),), applying="TEST-2026-5 2"), 10)
    assert sum(_cites(decide(c, (str(policy),)), ClauseKey("TEST-2026-5", "2")) for c in drawn) >= 5
