"""Deciding as of another date (`eval --as-of`, `decide(..., as_of=)`): the law of that day, the
case's own date kept, both dates in the decision; the same for both engines."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest

from policylang.engines import engine
from policylang.eval.cases import RawCase
from policylang.library import load_shipped
from policylang.testing.mix import raw_case, realistic_cases

GALLIUM = {"id": "ga", "date": "2026-11-27", "destination": "US",
           "exporter": {"name": "Yunnan Gallium Co., Ltd.", "country": "CN"},
           "item": {"control_code": "3C001.a", "origin": "CN"}}
NOV_28 = datetime.date(2026, 11, 28)


@pytest.fixture(scope="module")
def pair():
    program, _ = load_shipped()
    return engine(program, "interpreter"), engine(program, "compiled")


def test_the_command_line_decides_as_of_the_date_and_says_both(tmp_path) -> None:
    (tmp_path / "ga.json").write_text(json.dumps(GALLIUM))
    run = [sys.executable, "-m", "policylang", "eval", "--format", "json", str(tmp_path / "ga.json")]
    own = json.loads(subprocess.run(run, capture_output=True, text=True, check=True).stdout)
    moved = json.loads(subprocess.run([*run, "--as-of", "2026-11-28"], capture_output=True, text=True,
                                      check=True).stdout)
    assert (own["outcome"], "as_of" in own) == ("license_required", False)
    assert (moved["date"], moved["as_of"], moved["outcome"]) == ("2026-11-27", "2026-11-28", "denied_in_principle")
    assert list(moved)[:4] == ["id", "date", "as_of", "outcome"]


def test_as_of_is_the_case_decided_on_that_date(pair) -> None:
    for e in pair:
        moved = e.decide(RawCase(GALLIUM, "ga"), None, NOV_28).to_json()
        direct = e.decide(RawCase({**GALLIUM, "date": "2026-11-28"}, "ga")).to_json()
        assert moved.pop("as_of") == "2026-11-28" and moved.pop("date") == "2026-11-27"
        direct.pop("date")
        assert moved == direct


def test_a_case_without_a_date_is_decided_and_an_unreadable_date_is_still_an_error(pair) -> None:
    for e in pair:
        undated = e.decide(RawCase({k: v for k, v in GALLIUM.items() if k != "date"}, "u"), None, NOV_28)
        assert (undated.outcome, undated.date, undated.as_of) == ("denied_in_principle", None, NOV_28)
        bad = e.decide(RawCase({**GALLIUM, "date": "20261127"}, "b"), None, NOV_28)
        assert bad.outcome == "error" and bad.errors[0].path == "date" and bad.as_of == NOV_28


@pytest.mark.parametrize("as_of", ["2025-10-09", "2026-11-10", "2026-11-11", "2026-11-27", "2026-11-28"])
def test_both_engines_agree_as_of_each_change_of_the_law(pair, as_of) -> None:
    day = datetime.date.fromisoformat(as_of)
    interpreter, compiled = pair
    for case in realistic_cases(150, seed=day.toordinal()):
        raw = raw_case(case)
        assert interpreter.decide(raw, None, day).to_json() == compiled.decide(raw, None, day).to_json(), case
