"""`policylang rescreen`: the rows of a ledger whose outcome changes between two dates, with the
clauses that changed it; checked against `policylang eval --as-of` on both dates.

The ledger is 3,000 rows of the realistic order book as Parquet. On 2026-11-28 No. 46 clause 2
applies again (its suspension by No. 72 ran through 2026-11-27): gallium, germanium, antimony
and superhard items to the United States become `denied_in_principle` (contract §5), and
nothing else changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from policylang.tables.writing import case_table    # noqa: E402
from policylang.testing.mix import realistic_cases  # noqa: E402

# No. 46 clause 2(a)'s entries by the material they relate to (contract §5, stdlib/controls.ecp)
FAMILIES = {"gallium": ("3C001",), "germanium": ("3C002",), "antimony": ("3C003", "3E003"),
            "superhard": ("2A901", "2B005", "2C902", "2E901", "2E902")}
LEDGER_CSV = Path(__file__).parent / "tables" / "ledger.csv"


def policylang(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory, shipped_program) -> tuple[Path, dict]:
    cases = list(realistic_cases(3000, seed=1128))
    path = tmp_path_factory.mktemp("ledger") / "ledger.parquet"
    pq.write_table(case_table(cases, shipped_program), path)
    return path, {c["id"]: c for c in cases}


def as_of(path: Path, day: str) -> dict[str, dict]:
    done = policylang("eval", "--format", "jsonl", "--as-of", day, str(path))
    assert done.returncode == 0, done.stderr
    return {d["id"]: d for d in map(json.loads, done.stdout.splitlines())}


def family(code: str) -> str | None:
    return next((name for name, entries in FAMILIES.items()
                 if any(code == e or code.startswith(e + ".") for e in entries)), None)


def test_between_27_and_28_november_2026_only_clause_2_items_to_the_us_turn_denied(ledger) -> None:
    path, cases = ledger
    done = policylang("rescreen", str(path), "--from", "2026-11-27", "--to", "2026-11-28", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    listed = [json.loads(line) for line in done.stdout.splitlines()]
    before, after = as_of(path, "2026-11-27"), as_of(path, "2026-11-28")
    moved = [i for i in cases if before[i]["outcome"] != after[i]["outcome"]]
    assert [c["id"] for c in listed] == moved                    # exactly the rows eval --as-of sees move
    seen = set()
    for change in listed:
        case, decision = cases[change["id"]], after[change["id"]]
        code = case.get("item", {}).get("control_code") or decision["classification"][0]["code"]
        assert case["destination"] == "US" and family(code) is not None, (case, code)
        seen.add(family(code))
        assert change["to"] == {"as_of": "2026-11-28", "outcome": "denied_in_principle"}
        assert change["from"] == {"as_of": "2026-11-27", "outcome": before[change["id"]]["outcome"]}
        assert {"policy": "MOFCOM-2024-46", "clause": "2(a)", "effect": "denied_in_principle"} in change["applies"]
        assert change["no_longer_applies"] == [] and change["origin"].startswith(f"{path}:row ")
    assert seen == set(FAMILIES)
    assert f"3,000 rows, {len(moved)} change outcome" in done.stderr


def test_workers_list_the_same_rows_and_text_names_the_clauses(ledger) -> None:
    path, _ = ledger
    one = policylang("rescreen", str(path), "--from", "2026-11-27", "--to", "2026-11-28")
    two = policylang("rescreen", str(path), "--from", "2026-11-27", "--to", "2026-11-28", "--jobs", "2")
    assert one.returncode == two.returncode == 0 and one.stdout == two.stdout, two.stderr
    assert "license_required -> denied_in_principle" in one.stdout
    assert "applies as of 2026-11-28, not 2026-11-27: MOFCOM-2024-46 2(a) (denied_in_principle)" in one.stdout


def test_invalid_rows_are_counted_not_listed_and_the_exit_status_says_so() -> None:
    done = policylang("rescreen", str(LEDGER_CSV), "--from", "2026-11-27", "--to", "2026-11-28", "--format", "jsonl")
    assert done.returncode == 1, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["ga-us"]
    assert "3 invalid on both dates" in done.stderr
