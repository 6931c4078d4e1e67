"""The limits: stated in the README as the code has them, each enforced with its code, each changed
by `--limit` or `POLICYLANG_LIMITS`, depths capped where the engines would fail."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import attrs
import pytest

from policylang import limits

README = Path(__file__).parent.parent.parent / "README.md"


def readme_table() -> dict[str, tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Limits on what is read"):text.index("## Speed")]
    return {m.group(1): (int(m.group(2)), m.group(3))
            for m in re.finditer(r"^\| `(\w+)` \| (\d+) \| ([E0-9, ]+) \|", section, re.M)}


def test_the_readme_states_every_limit_with_its_default_and_codes():
    table = readme_table()
    defaults = attrs.asdict(limits.Limits())
    assert set(table) == set(defaults)
    for name, (default, codes) in table.items():
        assert default == defaults[name], name
        assert set(re.findall(r"E\d+", codes)) == set(re.findall(r"E\d+", limits.CODES[name])), name
    for name, ceiling in limits.SAFE_MAXIMUM.items():
        assert f"at most {ceiling}" in README.read_text(encoding="utf-8").split(f"| `{name}` |")[1].split("\n")[0]


@pytest.mark.parametrize("setting,problem", [
    ("bogus=1", "unknown limit `bogus`"), ("case_depth=0", "at least 1"), ("case_depth=x", "whole number"),
    ("case_depth", "NAME=VALUE"), ("expression_depth=151", "at most 150"), ("case_depth=201", "at most 200"),
])
def test_a_bad_setting_is_refused_by_the_flag_and_the_environment(cli, tmp_path, setting, problem):
    flag = cli("--limit", setting, "check")
    assert flag.returncode == 2 and problem in flag.stderr and "internal error" not in flag.stderr
    env = cli("check", env={**os.environ, limits.ENVIRONMENT: setting})
    assert env.returncode == 2 and problem in env.stderr and limits.ENVIRONMENT in env.stderr


def _decide(cli, data: dict, *options: str) -> dict:
    done = cli(*options, "eval", "--format", "jsonl", "-", stdin=json.dumps(data).encode())
    return json.loads(done.out)


@pytest.mark.parametrize("name,low,data,code", [
    ("text_length", 5, {"date": "2025-10-20", "exporter": {"name": "Long Name Ltd"}}, "E515"),
    ("list_length", 2, {"date": "2025-10-20", "end_use": ["civil", "civil", "civil"]}, "E516"),
    ("case_depth", 3, {"date": "2025-10-20", "end_user": {"owners": [{"party": {"name": "x"}, "share": 0.5}]}},
     "E517"),
    ("case_bytes", 20, {"date": "2025-10-20", "id": "a little more than twenty bytes"}, "E518"),
    ("decimal_digits", 12, {"date": "2025-10-20", "item": {"value": "1234567890123"}}, "E514"),
    ("decimal_exponent", 3, {"date": "2025-10-20", "item": {"value": "1e5"}}, "E514"),
])
def test_each_limit_on_cases_is_enforced_with_its_code_and_can_be_changed(cli, name, low, data, code):
    assert _decide(cli, data)["outcome"] != "error"
    lowered = _decide(cli, data, "--limit", f"{name}={low}")
    assert lowered["outcome"] == "error" and lowered["errors"][0]["code"] == code, lowered["errors"]
    from_env = json.loads(cli("eval", "--format", "jsonl", "-", stdin=json.dumps(data).encode(),
                              env={**os.environ, limits.ENVIRONMENT: f"{name}={low}"}).out)
    assert from_env["errors"][0]["code"] == code


def test_the_flag_wins_over_the_environment(cli):
    data = {"date": "2025-10-20", "exporter": {"name": "Long Name Ltd"}}
    done = cli("--limit", "text_length=100", "eval", "--format", "jsonl", "-", stdin=json.dumps(data).encode(),
               env={**os.environ, limits.ENVIRONMENT: "text_length=5"})
    assert json.loads(done.out)["outcome"] != "error"


def test_raised_depths_up_to_their_ceiling_are_decided_by_both_engines(cli):
    party = {"name": "MP Materials", "country": "US", "lists": ["control_list"]}
    for i in range(65):                              # 195 levels of objects and lists
        party = {"name": f"P{i}", "country": "US", "owners": [{"party": party, "share": 0.6}]}
    data = {"date": "2025-10-20", "action": "reexport", "destination": "US", "end_user": party,
            "item": {"control_code": "1C904.a.4", "origin": "CN"}}
    unlisted = json.loads(json.dumps(data).replace('"lists": ["control_list"]', '"lists": []'))
    for engine in ("compiled", "interpreter"):
        found = []
        for case in (data, unlisted):
            done = cli("--limit", "case_depth=200", "eval", "--engine", engine, "--format", "jsonl", "-",
                       stdin=json.dumps(case).encode())
            found.append(json.loads(done.out))
        # the listed owner 65 links up is found (No. 61 II's 50 % chain), and only when listed
        assert [d["outcome"] for d in found] == ["denied_in_principle", "license_required"], found
    assert _decide(cli, data)["errors"][0]["code"] == "E517"


def test_workers_decide_under_the_limits_of_the_command(cli, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps({"id": i, "date": "2025-10-20", "exporter": {"name": "Long Name Ltd"}}) + "\n"
                            for i in range(600)))
    done = cli("--limit", "text_length=5", "eval", "--jobs", "2", "--format", "jsonl", str(path))
    decisions = [json.loads(t) for t in done.out.split("\n") if t]
    assert [d["id"] for d in decisions] == list(range(600))
    assert {d["errors"][0]["code"] for d in decisions} == {"E515"}
