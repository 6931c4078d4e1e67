"""Tables in and out of `policylang eval`: the same decisions from Parquet and CSV as from JSON
lines, over the whole corpus; exact decimals from float64 columns; `--query` through DuckDB;
decisions as Parquet, CSV, DuckDB and JSON lines; bad rows; the message without the extra.

The tables are written from the corpus (`tests/corpus`, `tests/eval`) by `policylang.tables.
writing`; `tests/tables/` holds a hand-written flat CSV ledger and its JSON-lines twin.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

from policylang.eval import runner                                   # noqa: E402
from policylang.eval.runner import EvalJob                           # noqa: E402
from policylang.library import policies_dir                          # noqa: E402
from policylang.tables.decisions import arrow_schema, as_row, columns, NESTED  # noqa: E402
from policylang.tables.mapping import RowReader                      # noqa: E402
from policylang.tables.writing import case_csv, case_table, json_text  # noqa: E402
from policylang.testing.mix import realistic_cases                   # noqa: E402

HERE = Path(__file__).parent
LEDGER = HERE / "tables"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def decisions_of(path: Path) -> list[dict]:
    """The JSON decisions `policylang eval --format jsonl` prints for a file."""
    return [json.loads(line) for line in run("eval", "--format", "jsonl", str(path)).stdout.splitlines()]


def write_inputs(folder: Path, cases: list[dict], program) -> dict[str, Path]:
    """The cases as JSON lines, a nested Parquet file and a flat CSV file."""
    paths = {"jsonl": folder / "cases.jsonl", "parquet": folder / "cases.parquet", "csv": folder / "cases.csv"}
    paths["jsonl"].write_text("".join(json_text(c) + "\n" for c in cases), encoding="utf-8")
    pq.write_table(case_table(cases, program), paths["parquet"])
    header, rows = case_csv(cases, program)
    with paths["csv"].open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return paths


def decided_lines(decider: runner.Decider, path: Path) -> list[str]:
    """The JSON decision of every case of a file, as `eval --format jsonl` writes it, through
    the runner's own chunks (the CLI path without the processes)."""
    from policylang.tables import is_table, sources

    chunks = sources.chunks(str(path)) if is_table(str(path)) else \
        runner.in_batches(runner.units_of(str(path))[0], runner.CHUNK)
    return [d.text for chunk in chunks for d in decider.decide_table(chunk, "jsonl").decided]


def test_parquet_and_csv_give_the_decisions_of_json_lines_over_the_whole_corpus(corpus_by_library, tmp_path):
    from policylang.engines import engine
    from policylang.library import load

    compared = 0
    for n, (policies, named) in enumerate(sorted(corpus_by_library.items())):
        program, _ = load(list(policies) or [policies_dir()])
        decider = runner.Decider(EvalJob(policies, True, "compiled", 90.0, None, "jsonl"), engine(program))
        folder = tmp_path / f"library{n}"
        folder.mkdir()
        paths = write_inputs(folder, [case for _, case in named], program)
        expected = decided_lines(decider, paths["jsonl"])
        assert len(expected) == len(named)
        for kind in ("parquet", "csv"):
            found = decided_lines(decider, paths[kind])
            for (name, case), want, got in zip(named, expected, found, strict=True):
                assert got == want, f"{kind}: {name}\n{json.dumps(case, default=str)}\n{want}\n{got}"
                compared += 1
    assert compared == 2 * sum(len(v) for v in corpus_by_library.values()) > 900


def test_the_command_line_gives_the_same_bytes_for_jsonl_parquet_csv_and_a_query(corpus_by_library, tmp_path,
                                                                                shipped_program):
    named = corpus_by_library[()]
    paths = write_inputs(tmp_path, [case for _, case in named], shipped_program)
    outputs = {kind: run("eval", "--format", "jsonl", str(path)) for kind, path in paths.items()}
    outputs["query"] = run("eval", "--format", "jsonl", "--query", f"SELECT * FROM '{paths['parquet']}'")
    outputs["jobs 2"] = run("eval", "--format", "jsonl", "--jobs", "2", str(paths["parquet"]))
    for kind, done in outputs.items():
        assert done.returncode == 1, (kind, done.stderr[-2000:])          # the corpus has invalid cases
        assert done.stdout == outputs["jsonl"].stdout, kind
    assert len(outputs["jsonl"].stdout.splitlines()) == len(named)


def test_float64_columns_are_read_by_their_shortest_decimal_text(shipped_program, tmp_path):
    """0.00014 + 0.00056 + 0.0003 of China-origin Part 1 content is exactly 0.1 %: as float64
    columns, the shares stay those decimals and the No. 61 de minimis rule applies."""
    case = {"id": "floats", "date": "2026-11-21", "action": "reexport", "destination": "JP",
            "exporter": {"name": "Rheinland Magnete GmbH", "country": "DE"},
            "item": {"control_code": "1C904.a.4", "origin": "DE", "value": 1000.0,
                     "contains": [{"control_code": code, "origin": "CN", "value_ratio": share}
                                  for code, share in (("1C904.a.1", 0.00014), ("1C905.a.1", 0.00056),
                                                      ("1C902.a.1", 0.0003))]}}
    table = pa.Table.from_pylist([case])
    assert table.schema.field("item").type.field("contains").type.value_type.field("value_ratio").type == pa.float64()
    pq.write_table(table, tmp_path / "floats.parquet")
    rows = RowReader(shipped_program).cases(pq.read_table(tmp_path / "floats.parquet").to_batches()[0], "floats")
    shares = [c["value_ratio"] for c in rows[0].data["item"]["contains"]]
    assert shares == [Decimal("0.00014"), Decimal("0.00056"), Decimal("0.0003")]
    assert [str(s) for s in shares] == ["0.00014", "0.00056", "0.0003"]
    (tmp_path / "floats.json").write_text(json.dumps(case))
    from_json = run("eval", "--format", "jsonl", str(tmp_path / "floats.json"))
    from_parquet = run("eval", "--format", "jsonl", str(tmp_path / "floats.parquet"))
    assert from_parquet.stdout == from_json.stdout
    decision = json.loads(from_parquet.stdout)
    assert decision["outcome"] == "license_required"
    assert ["I(1)"] == [r["clause"] for r in decision["reasons"] if r["policy"] == "MOFCOM-2025-61"]


def test_a_flat_csv_ledger_reads_as_its_json_twin_and_bad_rows_name_row_and_field(tmp_path):
    from_csv, from_json = decisions_of(LEDGER / "ledger.csv"), decisions_of(LEDGER / "ledger.jsonl")
    with (LEDGER / "ledger.csv").open(encoding="utf-8", newline="") as f:
        ids = [row[0] for row in list(csv.reader(f))[1:]]
    assert [d["id"] for d in from_csv] == ids                  # one decision per row, in order
    bad = {d["id"]: d for d in from_csv if d["id"] not in {j["id"] for j in from_json}}
    assert [d for d in from_csv if d["id"] not in bad] == from_json
    assert sorted(bad) == ["bad-json", "too-many"]
    for row_id, (row, path) in {"bad-json": (3, "end_use"), "too-many": (5, "")}.items():
        (only,) = bad[row_id]["errors"]
        assert bad[row_id]["outcome"] == "error" and only["code"] == "E522" and only["path"] == path
        assert only["message"].startswith(f"row {row} of `") and "ledger.csv" in only["message"]
    assert sum(d["outcome"] != "error" for d in from_csv) == 4


def test_a_query_over_a_folder_of_parquet_files_writes_parquet_and_a_malformed_row_is_one_error(
        shipped_program, tmp_path):
    """The command of the issue, from a folder of two Parquet files; one row has a date that is
    no date and one an `end_use` that is not JSON text: each gets its error, the rest are decided."""
    cases = list(realistic_cases(400, seed=10))
    cases[7]["date"] = "2026-11-31"
    cases[123]["date"] = "2026-11-29"
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    table = case_table(cases, shipped_program)
    end_uses = [json_text(c["end_use"]) if "end_use" in c else None for c in cases]   # a flat JSON-text column
    end_uses[123] = "[civil"
    table = table.set_column(table.schema.get_field_index("end_use"), "end_use", pa.array(end_uses, pa.string()))
    for part, rows in enumerate((table.slice(0, 200), table.slice(200))):
        pq.write_table(rows, ledger / f"part{part}.parquet")
    sql = "SELECT * FROM 'ledger/*.parquet' WHERE date >= '2026-11-01'"
    done = run("eval", "--query", sql, "--output", "out.parquet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr                     # an invalid row: exit 1
    picked = [c for c in cases if c["date"] >= "2026-11-01"]
    decisions = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [d["id"] for d in decisions] == [c["id"] for c in picked]
    errors = {d["id"]: d["errors"] for d in decisions if d["outcome"] == "error"}
    assert sorted(errors) == sorted([cases[7]["id"], cases[123]["id"]])
    assert [(e["code"], e["path"]) for e in errors[cases[7]["id"]]] == [("E508", "date")]
    assert [(e["code"], e["path"]) for e in errors[cases[123]["id"]]] == [("E522", "end_use")]
    assert "row " in errors[cases[123]["id"]][0]["message"] and "`query`" in errors[cases[123]["id"]][0]["message"]


def test_decisions_as_parquet_csv_duckdb_and_jsonl_hold_the_json_decision(shipped_program, tmp_path):
    cases = list(realistic_cases(300, seed=21))
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    expected = decisions_of(tmp_path / "book.parquet")
    for suffix in ("parquet", "csv", "duckdb", "jsonl"):
        done = run("eval", str(tmp_path / "book.parquet"), "--output", str(tmp_path / f"out.{suffix}"))
        assert done.returncode == 0 and done.stdout == "", done.stderr
    assert [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()] == expected
    as_columns = [as_row(d) for d in expected]
    parquet = pq.read_table(tmp_path / "out.parquet")
    assert parquet.schema.names == columns(False) and parquet.schema == arrow_schema(False)
    assert parquet.to_pylist() == as_columns
    database = duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True)
    stored = database.sql("SELECT * FROM decisions")
    as_table = getattr(stored, "to_arrow_table", None) or stored.fetch_arrow_table     # DuckDB 2, 1.x
    assert as_table().to_pylist() == as_columns
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [_from_csv(row) for row in rows] == expected


def _from_csv(row: dict) -> dict:
    out = {k: (json.loads(v) if k in NESTED else v) for k, v in row.items()}
    out["needs_review"] = {"true": True, "false": False}[row["needs_review"]]
    return out


def test_as_of_decisions_as_a_table_carry_the_as_of_column(shipped_program, tmp_path):
    cases = list(realistic_cases(50, seed=4))
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    done = run("eval", str(tmp_path / "book.parquet"), "--as-of", "2026-11-28", "-o", str(tmp_path / "out.parquet"))
    assert done.returncode == 0, done.stderr
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.names[:4] == ["id", "date", "as_of", "outcome"]
    assert set(table.column("as_of").to_pylist()) == {"2026-11-28"}
    assert table.column("date").to_pylist() == [c["date"] for c in cases]


def test_nested_and_dotted_columns_read_alike_and_numbers_in_text_fields_are_their_text(shipped_program):
    reader = RowReader(shipped_program)
    nested = pa.Table.from_pylist([{"id": 17, "date": "2026-11-28", "item": {"control_code": "3C001.a", "value": 5},
                                    "exporter": None}])
    dotted = pa.Table.from_pylist([{"id": 17, "date": "2026-11-28", "item.control_code": "3C001.a",
                                    "item.value": 5, "exporter.name": None}])
    a = reader.cases(nested.to_batches()[0], "n")[0]
    b = reader.cases(dotted.to_batches()[0], "d")[0]
    assert a.data == b.data == {"id": "17", "date": "2026-11-28",
                                "item": {"control_code": "3C001.a", "value": Decimal(5)}}
    assert (a.origin, b.origin) == ("n:row 1", "d:row 1")


def test_text_cells_of_fields_that_are_not_text_read_as_json_and_empty_cells_are_missing(shipped_program):
    reader = RowReader(shipped_program)
    header = ("id", "exporter_knows", "item.value", "item.parameters.purity", "importer.lists", "item.description")
    (case,) = reader.csv_cases(header, [["x", "true", "0.50", '"0.9995"', "", "[not json"]], "t.csv")
    assert case.problems == ()
    assert case.data == {"id": "x", "exporter_knows": True, "item": {"value": Decimal("0.50"),
                         "parameters": {"purity": "0.9995"}, "description": "[not json"}}


@pytest.mark.slow
def test_jobs_2_writes_the_same_table_as_jobs_1(shipped_program, tmp_path):
    cases = list(realistic_cases(5000, seed=8))
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    for jobs in ("1", "2"):
        done = run("eval", str(tmp_path / "book.parquet"), "--jobs", jobs, "-o", str(tmp_path / f"out{jobs}.csv"))
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "out1.csv").read_bytes() == (tmp_path / "out2.csv").read_bytes()
    assert len((tmp_path / "out1.csv").read_text(encoding="utf-8").splitlines()) >= 5001


def test_without_the_batch_extra_the_message_names_it(tmp_path):
    """pyarrow and duckdb hidden from the import system, as if `policylang[batch]` were not installed."""
    (tmp_path / "x.parquet").write_bytes(b"PAR1")
    script = ("import sys\n"
              "sys.modules['pyarrow'] = sys.modules['duckdb'] = None\n"
              "from policylang.cli import main\n"
              "sys.argv = ['policylang', *sys.argv[1:]]\n"
              "main()\n")
    for args in (["eval", str(tmp_path / "x.parquet")], ["eval", "--query", "SELECT 1"],
                 ["eval", str(LEDGER / "ledger.jsonl"), "-o", str(tmp_path / "out.parquet")]):
        done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr
        assert "pip install 'policylang[batch]'" in done.stderr and "Traceback" not in done.stderr
    # a CSV needs neither: it is read and written by Python's own csv module
    done = subprocess.run([sys.executable, "-c", script, "eval", str(LEDGER / "ledger.csv"), "-o",
                           str(tmp_path / "out.csv")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and (tmp_path / "out.csv").exists(), done.stderr


def test_what_cannot_be_read_at_all_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    for args in (["eval", str(tmp_path / "broken.parquet")], ["eval", str(tmp_path / "none" / "*.parquet")],
                 ["eval", "--query", "SELEC 1"], ["eval", str(tmp_path / "missing.csv")]):
        done = run(*args)
        assert done.returncode == 2 and done.stderr.startswith("error: "), (args, done.stderr)
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 4


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_table_output_is_logged_row_by_row_and_the_log_verifies(shipped_program, tmp_path, jobs):
    """`--log` holds one line per row whatever the output, in order, and `log verify` passes."""
    cases = list(realistic_cases(300, seed=5))
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    log = tmp_path / "decisions.log"
    done = run("eval", str(tmp_path / "book.parquet"), "--jobs", jobs, "-o", str(tmp_path / "out.parquet"),
               "--log", str(log))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    written = pq.read_table(tmp_path / "out.parquet").column("id").to_pylist()
    assert [line["decision"]["id"] for line in lines] == written == [c["id"] for c in cases]
    verified = run("log", "verify", str(log))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_spark_refuses_the_options_it_cannot_honour(tmp_path):
    done = run("eval", "--spark", "local[1]", str(LEDGER / "ledger.csv"), "-o", str(tmp_path / "out.parquet"),
               "--log", str(tmp_path / "x.log"))
    assert done.returncode == 2 and "`--spark` does not take `--log`" in done.stderr
    assert not (tmp_path / "x.log").exists()


REVIEW = HERE / "review" / "cli"


@pytest.mark.parametrize("verdicts", ["cleared.yaml", "matched.json"])
def test_explanations_and_verdicts_reach_every_table_output(shipped_program, tmp_path, verdicts):
    """`--explain` adds the `explanation` column and a reviewer's verdicts fill a reason's `listed_by`
    and a near match's `disposition`: nothing of the JSON decision is lost in a table."""
    cases = json.loads((REVIEW / "cases.json").read_text(encoding="utf-8"))
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    options = ("--explain", "--dispositions", str(REVIEW / verdicts))
    printed = run("eval", "--format", "jsonl", *options, str(tmp_path / "book.parquet"))
    expected = [json.loads(line) for line in printed.stdout.splitlines()]
    assert any(d["explanation"] for d in expected)
    assert any(m.get("disposition") for d in expected for m in d["screening"]) or \
        any(r.get("listed_by") for d in expected for r in d["reasons"])
    for suffix in ("parquet", "csv", "duckdb"):
        done = run("eval", str(tmp_path / "book.parquet"), *options, "-o", str(tmp_path / f"out.{suffix}"))
        assert done.returncode == 0, done.stderr
    parquet = pq.read_table(tmp_path / "out.parquet")
    assert parquet.schema == arrow_schema(False, explain=True) and "explanation" in parquet.schema.names
    assert parquet.to_pylist() == [as_row(d) for d in expected]
    stored = duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True).sql("SELECT * FROM decisions")
    as_table = getattr(stored, "to_arrow_table", None) or stored.fetch_arrow_table     # DuckDB 2, 1.x
    assert as_table().to_pylist() == [as_row(d) for d in expected]
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as f:
        assert [_from_csv(row) for row in csv.DictReader(f)] == expected
