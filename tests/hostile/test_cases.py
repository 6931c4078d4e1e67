"""Issue 11, cases: every hostile input the probe found, each a regression test.

Each input gets, within 2 s and 200 MB, the right decision or an error decision naming its field;
a file of them gets one decision per case, in order; the run exits 1, never 2, and nothing says
"internal error". The inputs are the issue's own: numbers with huge exponents or a million digits,
a 10 MB name, a quantity padded with 100,000 spaces, bytes that are not UTF-8, lone surrogates,
ids of every JSON type, `"date": null`, a due date past 9999-12-31, deep ownership and service
chains, JSON nested past the decoder's recursion, line separators inside strings, a `.json` file
of two objects, Python-only number and date spellings, values out of contract v2's ranges, a BOM,
repeated keys, a bare purity of 99.95, and several `.json` files printed as one JSON value.
"""

from __future__ import annotations

import io
import json
import time

import pytest

from policylang.engines import engine as make_engine
from policylang.eval import runner
from policylang.library import policies_dir

BASE = {"date": "2025-10-20", "action": "reexport", "destination": "US",
        "exporter": {"name": "Nippon Magnetics K.K.", "country": "JP"},
        "item": {"control_code": "1C904.a.4", "origin": "CN", "value": "12000"}}


def case(**fields) -> dict:
    found = json.loads(json.dumps(BASE))
    found.update(fields)
    return found


def line(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def owners(n: int) -> dict:
    party = {"name": "MP Materials", "country": "US"}
    for i in range(n):
        party = {"name": f"P{i}", "country": "US", "owners": [{"party": party, "share": 0.6}]}
    return party


def served(n: int) -> dict:
    found = case()
    for _ in range(n):
        found = {"date": "2025-10-20", "action": "service", "service": {"kind": "freight", "for": found}}
    return found


MICROPOWDER = {"category": "synthetic_diamond_micropowder"}

# name: (the JSON line, (code, field) of its error, or the outcome it is decided to)
PROBES: dict[str, tuple[bytes, tuple[str, str] | str]] = {
    "a JSON number with a huge exponent": (
        b'{"date": "2025-10-20", "item": {"value": 1e999999999}}', ("E514", "item.value")),
    "a huge exponent in a quantity string": (
        line(case(item={**MICROPOWDER, "parameters": {"average_particle_size": "1e-999999999 mm"}})),
        ("E514", "item.parameters.average_particle_size")),
    "a huge exponent in a value string": (
        line(case(item={"control_code": "1C904.a.4", "value": "1e999999999"})), ("E514", "item.value")),
    "a huge exponent in a ratio": (
        line(case(item={"control_code": "1C904.a.4", "part1_value_ratio": "1e-999999999"})),
        ("E514", "item.part1_value_ratio")),
    "a huge exponent in a share": (
        b'{"date": "2025-10-20", "end_user": {"name": "a", "owners": [{"party": {"name": "b"}, "share": 1e-999999999}]}}',
        ("E514", "end_user.owners[0].share")),
    "a huge exponent in a quantity object": (
        line(case(item={**MICROPOWDER, "parameters": {"average_particle_size": {"value": "1e999999999", "unit": "um"}}})),
        ("E514", "item.parameters.average_particle_size.value")),
    "a 1,000,000-digit integer": (
        b'{"date": "2025-10-20", "item": {"value": ' + b"1" * 1_000_000 + b"}}", ("E514", "item.value")),
    "a quantity with 100,000 spaces": (
        line(case(item={**MICROPOWDER, "parameters": {"average_particle_size": "1" + " " * 100_000 + "um"}})),
        ("E515", "item.parameters.average_particle_size")),
    "a 10 MB name": (line(case(exporter={"name": "A" * 10_000_000, "country": "JP"})), ("E518", "")),
    "a byte that is not UTF-8": (b'{"id": "b\xff", "date": "2025-10-20"}', ("E519", "id")),
    "a lone surrogate in an id": (b'{"id": "\\ud800", "date": "2025-10-20"}', ("E519", "id")),
    "a lone surrogate in a name": (json.dumps(case(exporter={"name": "\udc80x"})).encode(), ("E519", "exporter.name")),
    "a numeric id": (b'{"id": 12.50, "date": "2025-10-20"}', "not_controlled"),
    "an object id": (b'{"id": {"erp": [1, "x", null]}, "date": "2025-10-20"}', "not_controlled"),
    "a boolean id": (b'{"id": false, "date": "2025-10-20"}', "not_controlled"),
    "a null date": (b'{"id": "x", "date": null}', ("E512", "date")),
    "a humanitarian report due after 9999-12-31": (
        line(case(date="9999-12-30", destination="PH", end_use=["emergency_medical"],
                  end_user={"name": "Field Hospital", "country": "PH", "military": True},
                  item={"control_code": "1C904.a.4", "origin": "CN"})), ("E402", "date")),
    "an ownership chain 200 deep": (line(case(end_user=owners(200))), ("E517", None)),
    "a service chain 300 deep": (line(served(300)), ("E517", None)),
    "a line nested past the decoder's recursion": (
        b'{"date": "2025-10-20", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ("E517", "")),
    "U+2028 inside a string": (line(case(id="a\u2028b")), "license_required"),
    "U+0085 inside a string": (line(case(id="c\u0085d")), "license_required"),
    "U+001E inside a string": (line(case(id="e\u001ef")), "license_required"),
    "a Python-only number": (line(case(item={"control_code": "1C904.a.4", "value": "1_000"})), ("E509", "item.value")),
    "a compact date": (line(case(date="20261130")), ("E508", "date")),
    "an ISO week date": (line(case(date="2026-W48-1")), ("E508", "date")),
    "a negative value": (line(case(item={"control_code": "1C904.a.4", "value": -5})), ("E513", "item.value")),
    "a negative share": (line(case(end_user={"name": "a", "owners": [{"party": {"name": "b"}, "share": -0.1}]})),
                         ("E513", "end_user.owners[0].share")),
    "a share above 1": (line(case(end_user={"name": "a", "owners": [{"party": {"name": "b"}, "share": 1.5}]})),
                        ("E513", "end_user.owners[0].share")),
    "a ratio above 1": (line(case(item={"control_code": "1C904.a.4", "part1_value_ratio": 1.01})),
                        ("E513", "item.part1_value_ratio")),
    "a negative length": (line(case(item={**MICROPOWDER, "parameters": {"average_particle_size": "-5 um"}})),
                          ("E513", "item.parameters.average_particle_size")),
    "a bare purity of 99.95": (line(case(item={"category": "artificial_graphite", "parameters": {"purity": 99.95}})),
                               ("E513", "item.parameters.purity")),
    "a key given twice": (b'{"id": "a", "date": "2025-10-20", "destination": "CN", "destination": "US"}',
                          ("E520", "destination")),
    "NaN": (b'{"date": "2025-10-20", "item": {"value": NaN}}', ("E501", "")),
    "a list over the limit": (line(case(end_use=["civil"] * 10_001)), ("E516", "end_use")),
}


def _first_error(decision: dict) -> tuple[str, str]:
    e = decision["errors"][0]
    return e["code"], e.get("path")


def _expected(decision: dict, expected) -> None:
    if isinstance(expected, str):
        assert decision["outcome"] == expected, decision
        assert not decision["errors"], decision
        return
    code, path = expected
    assert decision["outcome"] == "error", decision
    found_code, found_path = _first_error(decision)
    assert found_code == code, decision["errors"]
    if path is not None:
        assert found_path == path, decision["errors"]
    assert "internal error" not in json.dumps(decision)


@pytest.fixture(scope="module")
def probes_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "probes.jsonl"
    path.write_bytes(b"".join(data + b"\n" for data, _ in PROBES.values()))
    return path


def test_every_probe_in_one_file_gets_its_own_decision_in_order(probes_file, cli):
    done = cli("eval", "--format", "jsonl", str(probes_file))
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr + done.out
    decisions = [json.loads(text) for text in done.out.split("\n") if text]
    assert len(decisions) == len(PROBES)
    for (name, (_, expected)), decision in zip(PROBES.items(), decisions):
        _expected(decision, expected)
    assert done.megabytes < 200, done.megabytes


@pytest.fixture(scope="module")
def decider():
    job = runner.EvalJob((str(policies_dir()),), True, "compiled", 90.0, None, "jsonl")
    from policylang.library import load
    program, _ = load([policies_dir()])
    return runner.Decider(job, make_engine(program, "compiled"))


@pytest.mark.parametrize("name", PROBES)
def test_each_probe_is_decided_within_two_seconds(decider, name):
    data, expected = PROBES[name]
    started = time.perf_counter()
    units = list(runner._line_units(io.BytesIO(data + b"\n"), "probe.jsonl"))
    decided = [decider.decide(u) for u in units]
    assert time.perf_counter() - started < 2.0
    assert len(decided) == 1
    _expected(json.loads(decided[0].text), expected)


def test_ids_of_every_json_type_are_echoed_as_given(tmp_path, cli):
    path = tmp_path / "ids.jsonl"
    ids = [b"12.50", b"1E+999999999", b'{"erp": [1, "x", null]}', b"false", b"null", b'"\xe4\xb8\xad"', b"[]"]
    path.write_bytes(b"".join(b'{"id": ' + i + b', "date": "2025-10-20"}\n' for i in ids))
    done = cli("eval", "--format", "jsonl", str(path))
    assert done.returncode == 0, done.stderr
    written = [text[len('{"id": '):text.index(', "date"')] for text in done.out.split("\n") if text]
    assert [w.encode("utf-8") for w in written] == ids
    text = cli("eval", str(path)).out
    assert "12.50  2025-10-20" in text and '{"erp": [1, "x", null]}  2025-10-20' in text and "false  2025" in text


def test_an_id_with_numbers_keeps_the_indented_json_of_a_json_file(tmp_path, cli):
    path = tmp_path / "ids.json"
    path.write_text('[{"id": {"n": [1.50, "x"]}, "date": "2025-10-20"}, {"id": 7, "date": "2025-10-20"}]')
    done = cli("eval", "--format", "json", str(path))
    assert json.loads(done.out)[0]["id"] == {"n": [1.5, "x"]}
    assert '"id": {\n      "n": [\n        1.50,\n        "x"\n      ]\n    },' in done.out


def test_a_json_file_of_two_objects_gets_two_decisions(tmp_path, cli):
    path = tmp_path / "two.json"
    path.write_text('{"id": "a", "date": "2025-10-20"}\n{"id": "b", "date": "2025-10-20"}\n')
    done = cli("eval", "--format", "json", str(path))
    assert [json.loads(t)["id"] for t in done.out.split("\n") if t] == ["a", "b"]
    pretty = tmp_path / "pretty.json"
    pretty.write_text('{\n "id": "a",\n "date": "2025-10-20"\n}\n{\n "id": "b"\n}\n{ "id": "c", oops\n')
    done = cli("eval", "--format", "jsonl", str(pretty))
    decisions = [json.loads(t) for t in done.out.split("\n") if t]
    assert [d["id"] for d in decisions] == ["a", "b", None]
    assert decisions[1]["errors"][0]["code"] == "E512" and decisions[2]["errors"][0]["code"] == "E501"
    assert done.returncode == 1


def test_a_bad_line_of_a_json_lines_file_named_json_costs_only_that_line(tmp_path, cli):
    path = tmp_path / "lines.json"
    path.write_bytes(b'{"id": "a", "date": "2025-10-20"}\n{"id": "b", \xff\n{"id": "c", "date": "2025-10-20"}\n')
    done = cli("eval", "--format", "jsonl", str(path))
    decisions = [json.loads(t) for t in done.out.split("\n") if t]
    assert [d["id"] for d in decisions] == ["a", None, "c"]
    assert decisions[1]["errors"][0]["code"] == "E501" and "UTF-8" in decisions[1]["errors"][0]["message"]


def test_bytes_that_are_not_utf8_in_a_json_document_cost_only_their_case(tmp_path, cli):
    path = tmp_path / "bad.json"
    path.write_bytes(b'[{"id": "a", "date": "2025-10-20"}, {"id": "b", "exporter": {"name": "\xff\xfe"},'
                     b' "date": "2025-10-20"}, {"id": "c", "date": "2025-10-20"}]')
    done = cli("eval", "--format", "json", str(path))
    decisions = json.loads(done.out)
    assert [d["outcome"] for d in decisions] == ["not_controlled", "error", "not_controlled"]
    assert (decisions[1]["id"], _first_error(decisions[1])) == ("b", ("E519", "exporter.name"))
    assert done.returncode == 1


def test_a_bom_is_skipped_in_json_and_json_lines_and_on_standard_input(tmp_path, cli):
    for name, data in [("bom.json", b'\xef\xbb\xbf[{"id": "a", "date": "2025-10-20"}]'),
                       ("bom.jsonl", b'\xef\xbb\xbf{"id": "a", "date": "2025-10-20"}\n')]:
        (tmp_path / name).write_bytes(data)
        done = cli("eval", "--format", "jsonl", str(tmp_path / name))
        assert done.returncode == 0 and json.loads(done.out)["id"] == "a", done.stderr
    done = cli("eval", "--format", "jsonl", "-", stdin=b'\xef\xbb\xbf{"id": "a", "date": "2025-10-20"}\n')
    assert done.returncode == 0 and json.loads(done.out)["id"] == "a"


def test_dates_are_exactly_yyyy_mm_dd_on_the_command_line_too(tmp_path, cli):
    path = tmp_path / "undated.json"
    path.write_text('{"id": "a"}')
    for option in ("--date", "--as-of"):
        for bad in ("20261130", "2026-W48-1", "2026-11-30T00:00"):
            done = cli("eval", option, bad, str(path))
            assert done.returncode == 2 and "write YYYY-MM-DD" in done.stderr


def test_several_json_files_print_one_json_value(tmp_path, cli):
    (tmp_path / "a.json").write_text('{"id": "a", "date": "2025-10-20"}')
    (tmp_path / "b.json").write_text('[{"id": "b", "date": "2025-10-20"}, {"id": "c", "date": "2025-10-20"}]')
    (tmp_path / "d.jsonl").write_text('{"id": "d", "date": "2025-10-20"}\n')
    done = cli("eval", "--format", "json", *(str(tmp_path / n) for n in ("a.json", "b.json", "d.jsonl")))
    assert [d["id"] for d in json.loads(done.out)] == ["a", "b", "c", "d"]
    empty = cli("eval", "--format", "json", str(tmp_path / "a.json"), "-", stdin=b"")
    assert [d["id"] for d in json.loads(empty.out)] == ["a"]


def test_a_document_over_the_limit_is_one_error_and_costs_no_memory(cli):
    done = cli("--limit", "document_bytes=1000000", "eval", "--format", "json", "/dev/zero")
    assert done.returncode == 1
    decision = json.loads(done.out)
    assert _first_error(decision) == ("E518", "") and "input" in decision["errors"][0]["message"]
    assert done.megabytes < 200


def test_a_line_over_the_limit_is_skipped_past_without_being_kept(tmp_path, cli):
    path = tmp_path / "long.jsonl"
    with path.open("wb") as out:
        out.write(b'{"id": "a", "date": "2025-10-20"}\n{"id": "b", "x": "')
        for _ in range(40):
            out.write(b"x" * (1 << 20))
        out.write(b'"}\n{"id": "c", "date": "2025-10-20"}\n')
    done = cli("eval", "--format", "jsonl", str(path))
    decisions = [json.loads(t) for t in done.out.split("\n") if t]
    assert [d["id"] for d in decisions] == ["a", None, "c"]
    assert _first_error(decisions[1])[0] == "E518"
    assert done.megabytes < 200, done.megabytes


def test_division_by_zero_names_the_divisor(tmp_path, cli):
    (tmp_path / "ratio.ecp").write_text(
        'import attributes\n\nannouncement MOFCOM-2030-1 {\n  issued 2025-01-01\n'
        '  clause 1 {\n    when 1 / item.value > 0\n    require license\n  }\n}\n')
    done = cli("eval", "--format", "jsonl", "--policies", str(tmp_path), "-",
               stdin=b'{"date": "2025-10-20", "item": {"value": 0}}\n')
    decision = json.loads(done.out)
    assert _first_error(decision) == ("E401", "item.value"), decision


@pytest.fixture
def faulty(monkeypatch, decider):
    """The decider, its engine raising on the case whose id is `boom` (a simulated internal
    fault), and the units of three cases with it in the middle."""
    decide = decider.engine.decide

    def raising(raw, *args):
        if isinstance(raw.data, dict) and raw.data.get("id") == "boom":
            raise KeyError("\udcff not writable")
        return decide(raw, *args)

    monkeypatch.setattr(decider.engine, "decide", raising)
    stream = b"".join(line(case(id=i)) + b"\n" for i in ("a", "boom", "c"))
    return decider, list(runner._line_units(io.BytesIO(stream), "x.jsonl"))


def test_a_fault_in_one_case_is_that_case_error_and_the_run_exits_1(faulty):
    """An internal fault (simulated: the engine raises on one case) is that case's E499, labelled
    as policylang's fault; the cases around it are decided as usual."""
    decider, units = faulty
    decided = [json.loads(decider.decide(u, "jsonl").text) for u in units]
    assert [d["outcome"] for d in decided] == ["license_required", "error", "license_required"]
    assert decided[1]["id"] == "boom" and decided[1]["errors"][0]["code"] == "E499"
    assert "please report it" in decided[1]["errors"][0]["message"]


def test_a_fault_in_one_row_of_a_chunk_is_that_row_error(faulty):
    """The path of tables and worker chunks (`decide_table`, straight to `decide_raw`, with no
    catch around it) turns a fault into that row's E499 as well, and decides the other rows."""
    decider, units = faulty
    decided = [json.loads(d.text) for d in decider.decide_table(units, "jsonl").decided]
    assert [d["outcome"] for d in decided] == ["license_required", "error", "license_required"]
    assert decided[1]["id"] == "boom" and decided[1]["errors"][0]["code"] == "E499"


def test_standard_input_is_json_lines_whatever_numbers_its_first_line_holds(cli):
    stream = b'{"id": 1, "date": "2025-10-20", "n": ' + b"9" * 5000 + b'}\n{"id": 2, "date": "2025-10-20"}\n'
    done = cli("eval", "--format", "json", "-", stdin=stream)
    assert [json.loads(t)["id"] for t in done.out.split("\n") if t] == [1, 2]      # one line each
