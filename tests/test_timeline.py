"""`policylang timeline`: the state of every clause on a date, and the changes to come.

The expectations are the dates of the sources (inventory §A, B.10; contract §2): No. 70
suspends Nos. 55-58, 61 and 62 from 7 Nov 2025 through 10 Nov 2026 (both inclusive), No. 72
suspends clause 2 of No. 46 of 2024 from 9 Nov 2025 through 27 Nov 2026, and a clause whose
start fell inside a suspension applies from the day after it.
"""

from __future__ import annotations

import datetime
import json

import pytest
from click.testing import CliRunner

from policylang.cli import cli
from policylang.library import load_shipped
from policylang.timeline import clause_rows, coming_changes

SUSPENDED_BY_70 = ("MOFCOM-2025-55", "MOFCOM-2025-56", "MOFCOM-2025-57", "MOFCOM-2025-58",
                   "MOFCOM-2025-61", "MOFCOM-2025-62")


@pytest.fixture(scope="module")
def program():
    program, diags = load_shipped()
    assert program is not None, [d.message for d in diags]
    return program


def rows_on(program, day: str) -> dict:
    return {(r.key.policy, r.key.clause): r for r in clause_rows(program, datetime.date.fromisoformat(day))}


def test_on_2026_11_21_the_october_package_is_in_force_again_since_2026_11_11(program) -> None:
    rows = rows_on(program, "2026-11-21")
    for policy in SUSPENDED_BY_70:
        mine = [r for (p, _), r in rows.items() if p == policy]
        assert mine, policy
        for r in mine:
            assert r.status.in_force, (policy, r.key.clause, r.describe())
            assert r.since == datetime.date(2026, 11, 11), (policy, r.key.clause, r.since)


def test_on_2026_11_21_clause_2_of_no_46_is_suspended_through_2026_11_27(program) -> None:
    rows = rows_on(program, "2026-11-21")
    for clause in ("2", "2(a)", "2(b)"):
        st = rows[("MOFCOM-2024-46", clause)].status
        assert st.state == "suspended"
        assert str(st.window.by) == "MOFCOM-2025-72 1"
        assert (st.window.start, st.window.end) == (datetime.date(2025, 11, 9), datetime.date(2026, 11, 27))
    assert rows[("MOFCOM-2024-46", "1")].status.in_force


def test_suspension_windows_are_inclusive_at_both_ends(program) -> None:
    key = ("MOFCOM-2025-62", "I(1)")
    assert rows_on(program, "2025-11-06")[key].status.in_force
    assert rows_on(program, "2025-11-07")[key].status.state == "suspended"
    assert rows_on(program, "2026-11-10")[key].status.state == "suspended"
    assert rows_on(program, "2026-11-11")[key].status.in_force


def test_a_start_inside_the_suspension_applies_from_the_day_after_it(program) -> None:
    # No. 61 I(1) starts on 1 Dec 2025, inside No. 70's window.
    key = ("MOFCOM-2025-61", "I(1)")
    assert rows_on(program, "2025-11-30")[key].status.state == "not_yet"
    assert rows_on(program, "2025-12-01")[key].status.state == "suspended"
    assert rows_on(program, "2026-11-11")[key].since == datetime.date(2026, 11, 11)


def test_coming_changes_after_2026_11_21_name_the_revival_of_clause_2(program) -> None:
    changes = coming_changes(program, datetime.date(2026, 11, 21))
    revival = [c for c in changes if c.policy == "MOFCOM-2024-46"]
    assert [(c.day, set(c.clauses)) for c in revival] == [(datetime.date(2026, 11, 28), {"2", "2(a)", "2(b)"})]
    assert all(c.day > datetime.date(2026, 11, 21) for c in changes)


def test_coming_changes_after_2026_11_01_include_the_revival_on_2026_11_11(program) -> None:
    changes = coming_changes(program, datetime.date(2026, 11, 1))
    revived = {c.policy for c in changes if c.day == datetime.date(2026, 11, 11)}
    assert revived == set(SUSPENDED_BY_70)


def test_the_command_prints_the_states_and_the_changes() -> None:
    result = CliRunner().invoke(cli, ["timeline", "--date", "2026-11-21"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "MOFCOM-2025-55  [in force since 2026-11-11]" in out
    assert "suspended by MOFCOM-2025-72 1 from 2025-11-09 through 2026-11-27" in out
    assert "2026-11-28  MOFCOM-2024-46 2, 2(a), 2(b)" in out


def test_the_command_speaks_json() -> None:
    result = CliRunner().invoke(cli, ["timeline", "--date", "2025-10-20", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    states = {(c["policy"], c["clause"]): c["state"] for c in data["clauses"]}
    assert states[("MOFCOM-2025-61", "I(3)")] == "in_force"
    assert states[("MOFCOM-2025-61", "I(1)")] == "not_yet"
    assert states[("MOFCOM-2025-55", "I")] == "not_yet"
    assert any(c["date"] == "2025-11-07" and c["policy"] == "MOFCOM-2025-61" for c in data["changes"])


def test_a_bad_date_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["timeline", "--date", "2026-13-01"])
    assert result.exit_code == 2


def test_recent_changes_up_to_2026_11_21_show_what_changed_on_2026_11_11(program) -> None:
    from policylang.timeline import recent_changes
    recent = recent_changes(program, datetime.date(2026, 11, 21))
    assert {c.policy for c in recent if c.day == datetime.date(2026, 11, 11)} == set(SUSPENDED_BY_70)
    assert all(datetime.date(2026, 10, 22) <= c.day <= datetime.date(2026, 11, 21) for c in recent)
    result = CliRunner().invoke(cli, ["timeline", "--date", "2026-11-21"])
    assert "2026-11-11  MOFCOM-2025-61 all clauses: in force: the suspension by MOFCOM-2025-70 1 ended on 2026-11-10" in result.output


def test_a_range_of_changes_only_shows_the_two_revivals_of_november_2026_first() -> None:
    result = CliRunner().invoke(cli, ["timeline", "--from", "2026-11-01", "--to", "2026-11-30", "--changes-only"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Changes of status from 2026-11-01 through 2026-11-30:"
    days = {line.split()[0] for line in lines[1:]}
    assert days == {"2026-11-11", "2026-11-28"}
    assert {line.split()[1] for line in lines[1:] if line.split()[0] == "2026-11-11"} == set(SUSPENDED_BY_70)
    assert "2026-11-28  MOFCOM-2024-46 2, 2(a), 2(b): in force: the suspension by MOFCOM-2025-72 1 ended" in result.output
    assert "Timeline on" not in result.output


def test_a_range_comes_before_the_states() -> None:
    result = CliRunner().invoke(cli, ["timeline", "--from", "2026-11-01", "--to", "2026-11-30"])
    out = result.output
    assert out.index("Changes of status from 2026-11-01") < out.index("Timeline on 2026-11-30")
    empty = CliRunner().invoke(cli, ["timeline", "--from", "2026-12-01", "--to", "2026-12-31", "--changes-only"])
    assert empty.output.strip() == "No changes of status from 2026-12-01 through 2026-12-31."
    backwards = CliRunner().invoke(cli, ["timeline", "--from", "2026-12-01", "--to", "2026-11-01"])
    assert backwards.exit_code == 2


def test_a_range_in_json() -> None:
    result = CliRunner().invoke(cli, ["timeline", "--from", "2026-11-01", "--to", "2026-11-30",
                                      "--changes-only", "--format", "json"])
    data = json.loads(result.output)
    assert sorted(data) == ["changes_in_range", "date", "from", "to"]
    assert {c["date"] for c in data["changes_in_range"]} == {"2026-11-11", "2026-11-28"}


@pytest.mark.parametrize("env, coloured", [({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
                                           ({}, False)])
def test_colour_only_where_wanted(env: dict, coloured: bool, monkeypatch) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["timeline", "--from", "2026-11-01", "--to", "2026-11-30", "--changes-only"],
                                env=env)
    assert ("\x1b[" in result.output) is coloured
    assert "MOFCOM-2024-46 2, 2(a), 2(b)" in result.output
