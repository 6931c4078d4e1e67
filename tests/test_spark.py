"""`policylang.spark.decide` and `policylang eval --spark` on Spark `local[2]`: the decisions
`policylang eval` gives, for every case of the corpus.

Spark needs a Java runtime. When `java` is missing, the module installs Debian's
`default-jre-headless` (as root, or through `sudo -n`), as `.ci/run` does; it skips only when
no Java can be had, and says why. One SparkSession serves the module (Spark starts in about 20 s).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from policylang.library import policies_dir                 # noqa: E402
from policylang.tables.decisions import LISTS                # noqa: E402
from policylang.tables.writing import case_table, json_text  # noqa: E402

LEDGER = Path(__file__).parent / "tables" / "ledger.csv"
pytestmark = pytest.mark.slow


def java_missing() -> str | None:
    """None when a Java runtime is on the PATH (installing Debian's when it is not and this
    user may); otherwise why none can be had."""
    if shutil.which("java"):
        return None
    if not shutil.which("apt-get"):
        return "`java` is not installed and there is no apt-get to install it"
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if prefix and (not shutil.which("sudo") or subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode):
        return "`java` is not installed, and installing it needs root (no password-less sudo)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "default-jre-headless"]):
        done = subprocess.run([*prefix, *step], capture_output=True, text=True, env=env, timeout=900)
        if done.returncode:
            return f"`java` is not installed and `{' '.join(step)}` failed: {done.stderr.strip()[-300:]}"
    return None if shutil.which("java") else "`default-jre-headless` installed no `java`"


@pytest.fixture(scope="module")
def spark():
    why = java_missing()
    if why is not None:
        pytest.skip(f"Spark needs a Java runtime: {why}")
    from policylang.spark import session

    started = session("local[2]")
    started.sparkContext.setLogLevel("ERROR")
    yield started
    started.stop()


def eval_decisions(path: Path, *args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "policylang", "eval", "--format", "jsonl", *args, str(path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def as_row(decision: dict) -> dict:
    """A JSON decision as Spark hands its row back: every key of a list's objects, maps as dicts."""
    out = dict(decision)
    for name, keys in LISTS:
        out[name] = [{key: item.get(key) for key, _ in keys} for item in decision[name]]
    return out


def test_decide_on_local_2_gives_the_decisions_of_eval_for_the_corpus(spark, corpus_by_library, tmp_path):
    from policylang.library import load
    from policylang.spark import decide

    compared = 0
    for n, (policies, named) in enumerate(sorted(corpus_by_library.items())):
        program, _ = load(list(policies) or [policies_dir()])
        cases = [case for _, case in named]
        table = tmp_path / f"corpus{n}.parquet"
        pq.write_table(case_table(cases, program), table)
        (tmp_path / f"corpus{n}.jsonl").write_text("".join(json_text(c) + "\n" for c in cases), encoding="utf-8")
        expected = eval_decisions(tmp_path / f"corpus{n}.jsonl", *(f"--policies={p}" for p in policies))
        df = spark.read.parquet(str(table)).repartition(2)            # two partitions: both executors work
        rows = decide(df, library=list(policies) or None).collect()
        # shuffled into partitions, the rows come back in another order: compared as a multiset
        found = sorted(json.dumps(r.asDict(recursive=True), sort_keys=True, ensure_ascii=False) for r in rows)
        want = sorted(json.dumps(as_row(d), sort_keys=True, ensure_ascii=False) for d in expected)
        assert len(found) == len(cases)
        for got, case in zip(found, want):
            assert got == case
            compared += 1
    assert compared == sum(len(v) for v in corpus_by_library.values()) > 450


def test_decide_keeps_the_order_of_a_partition(spark, shipped_program, tmp_path):
    from policylang.spark import decide
    from policylang.testing.mix import realistic_cases

    cases = list(realistic_cases(600, seed=2))
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    rows = decide(spark.read.parquet(str(tmp_path / "book.parquet")).coalesce(1)).select("id", "outcome").collect()
    assert [r["id"] for r in rows] == [c["id"] for c in cases]


def test_eval_spark_writes_the_decisions_of_eval(spark, tmp_path):
    """`policylang eval --spark local[2]` on the flat CSV ledger, written by Spark as Parquet part
    files: the rows `eval` gives, bad rows included (their errors name the field), but for the
    row with a cell more than the header: Spark's CSV reader drops the surplus cell and the row
    is decided as it stands (README, *Tables*)."""
    done = subprocess.run([sys.executable, "-m", "policylang", "eval", "--spark", "local[2]", str(LEDGER),
                           "--output", str(tmp_path / "out.parquet")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]               # the ledger has invalid rows
    assert "decisions written to" in done.stderr
    import pyarrow.dataset as ds

    found = ds.dataset(str(tmp_path / "out.parquet"), format="parquet").to_table().to_pylist()
    expected = eval_decisions(LEDGER)
    for got, want in zip(found, expected, strict=True):
        assert got["id"] == want["id"]
        if want["id"] == "too-many":
            continue
        if want["outcome"] == "error":
            assert [(e["code"], e["path"]) for e in got["errors"]] == [(e["code"], e["path"]) for e in want["errors"]]
            continue                                               # their messages name where the row came from
        got["reasons"] = [{**r, "text": dict(r["text"])} for r in got["reasons"]]
        assert got == as_row(want)


def test_decide_explains_and_applies_verdicts_as_eval_does(spark, shipped_program, tmp_path):
    """`decide(..., explain=True, dispositions=...)`: the `explanation` column and the verdicts of
    `eval --explain --dispositions`, row for row (the review desk's cases, in one partition)."""
    from policylang.spark import decide
    from policylang.tables.decisions import as_row as table_row

    review = Path(__file__).parent / "review" / "cli"
    cases = json.loads((review / "cases.json").read_text(encoding="utf-8"))
    verdicts = json.loads((review / "matched.json").read_text(encoding="utf-8"))["dispositions"]
    pq.write_table(case_table(cases, shipped_program), tmp_path / "book.parquet")
    expected = eval_decisions(tmp_path / "book.parquet", "--explain", "--dispositions", str(review / "matched.json"))
    assert any(d["explanation"] for d in expected) and any(r.get("listed_by") for d in expected for r in d["reasons"])
    rows = decide(spark.read.parquet(str(tmp_path / "book.parquet")).coalesce(1), explain=True,
                  dispositions=verdicts).collect()
    found, wanted = [r.asDict(recursive=True) for r in rows], [table_row(d) for d in expected]
    for row in wanted:            # a Spark map comes back as a dict, in no particular order
        row["reasons"] = [{**r, "text": dict(r["text"])} for r in row["reasons"]]
    assert found == wanted
    with pytest.raises(ValueError, match="the dispositions do not check"):
        decide(spark.read.parquet(str(tmp_path / "book.parquet")), dispositions=[{"party": "x"}])
