"""The SMT encoding agrees with the reference interpreter (STYLE habit 6).

Random valid cases (`policylang.testing.cases`, biased towards the library's boundaries) are
pinned into the symbolic case; the solver's decision must be the interpreter's: the same outcome
and the same clauses applying. A case outside the encoding's bounds (a longer list, a name or code
outside its finite domains) is skipped, and the test checks that most cases are inside them.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policylang.analysis.concrete import Agreement
from policylang.analysis.decide import Library
from policylang.library import load_shipped
from policylang.testing import cases

SETTINGS = settings(max_examples=120, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def agreement():
    program, _ = load_shipped()
    return Agreement(Library(program))


def _check(agreement, case) -> None:
    compared = agreement.compare(case)
    assume(compared is not None)
    truth, said = compared
    assert said["outcome"] == truth["outcome"], (case, truth, said)
    assert said["applies"] == truth["applies"], (case, truth, said)


@SETTINGS
@given(case=cases())
def test_random_cases(agreement, case) -> None:
    _check(agreement, case)


@SETTINGS
@given(case=cases(action=st.sampled_from(["reexport", "transfer", "export", "provide", "assist"]),
                  date_from="2025-10-01", date_through="2027-01-31"))
def test_random_cases_around_no_61(agreement, case) -> None:
    _check(agreement, case)


def test_fixed_cases_agree(agreement) -> None:
    import json
    from pathlib import Path
    examples = json.loads((Path(__file__).parent.parent / "examples" / "cases.json").read_text())
    checked = [agreement.compare(c) for c in examples]
    checked = [c for c in checked if c is not None]
    assert len(checked) >= 3
    for truth, said in checked:
        assert truth == said
