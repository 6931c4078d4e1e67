"""Deciding cases on Apache Spark: a DataFrame of cases in, a DataFrame of decisions out.

Takes: a Spark DataFrame whose rows are cases (nested columns or dotted flat ones, as
`tables/mapping.py` reads them), the library (folders or files of policies; default the shipped
one) and the options of `policylang eval` (engine, default date, as-of date, review threshold).
Returns: `decide(df, library=…)`, a DataFrame with the columns of the Parquet output
(`tables/decisions.py`), one row per case, in the order of the input within each partition;
`eval_command(...)`, what `policylang eval --spark MASTER` runs.
Guarantees: one decision function: each executor's Python worker builds the engine once, from
the library's files broadcast once per executor (not shipped per row or per task), and decides
each Arrow batch `mapInArrow` hands it with the runner's own `Decider.decide_table`, so a row
gets the decision `policylang eval` gives the same row. pyspark is imported only here (extra
`spark`); a local master uses this Python for its workers unless `PYSPARK_PYTHON` says otherwise.

>>> from policylang.spark import decide                                  # doctest: +SKIP
>>> decisions = decide(spark.read.parquet("ledger/"), library="policies/")  # doctest: +SKIP
>>> decisions.groupBy("outcome").count().show()                          # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from policylang.eval.runner import ARROW, Decider, EvalJob, TableChunk
from policylang.library import ecp_files, policies_dir, stdlib_dir
from policylang.semantics.screening import REVIEW_THRESHOLD
from policylang.tables import decisions as columns
from policylang.tables import need

_DECIDERS: dict[str, Decider] = {}      # in each executor's Python worker: one per library and settings


def decide(df, library: str | Path | Iterable[str | Path] | None = None, *, with_stdlib: bool = True,
           engine: str = "compiled", date: datetime.date | None = None, as_of: datetime.date | None = None,
           review_threshold: float = REVIEW_THRESHOLD, explain: bool = False,
           dispositions: Iterable[dict] = ()):
    """The decisions for a DataFrame of cases, as a DataFrame (see the module's contract).
    `explain` adds the `explanation` column (`eval --explain`); `dispositions` are a reviewer's
    verdicts as a dispositions file holds them (`eval --dispositions`), checked here first."""
    need("pyspark", "policylang.spark")
    from pyspark.sql.pandas.types import from_arrow_schema

    paths = [library] if isinstance(library, (str, Path)) else list(library or [policies_dir()])
    files = [(f.stem, f.read_bytes()) for f in ecp_files([stdlib_dir(), *paths] if with_stdlib else paths)]
    records = tuple(dispositions)
    if records:
        from policylang.library import load
        from policylang.semantics.dispositions import from_records

        program, _ = load(paths, with_stdlib=with_stdlib)
        problems = from_records(list(records), program.entity_lists)[1] if program is not None else []
        if problems:
            raise ValueError("the dispositions do not check: " + "; ".join(p.message for p in problems[:3]))
    settings = (engine, review_threshold, date, as_of, explain, records)
    key = hashlib.sha256(repr(([(stem, hashlib.sha256(data).hexdigest()) for stem, data in files],
                               settings)).encode()).hexdigest()
    shipped = df.sparkSession.sparkContext.broadcast((key, files))
    schema = columns.arrow_schema(as_of is not None, explain)
    names = list(df.columns)       # Spark resolves a dotted name (`item.value`) as a path: rename

    def decide_batches(batches: Iterator) -> Iterator:
        import pyarrow as pa
        from pyspark import TaskContext

        decider = _decider(*shipped.value, settings)
        task = TaskContext.get()
        source = f"partition {task.partitionId()}" if task is not None else "spark"
        first = 1
        for batch in batches:
            named = pa.RecordBatch.from_arrays(batch.columns, names=names)
            yield decider.decide_table(TableChunk(source, first, named), ARROW).payload
            first += batch.num_rows

    return df.toDF(*(f"c{i}" for i in range(len(names)))).mapInArrow(decide_batches, from_arrow_schema(schema))


def _decider(key: str, files: list[tuple[str, bytes]], settings: tuple) -> Decider:
    """The executor's decider for this library and these settings (`key`), built on first use:
    the files written to a folder of their own (each under its own name: a module is its file's
    stem) and loaded in their order."""
    if key not in _DECIDERS:
        from policylang.library import load

        folder = Path(tempfile.mkdtemp(prefix="policylang-spark-"))
        paths = []
        for n, (stem, data) in enumerate(files):
            (folder / f"{n:04d}").mkdir()
            path = folder / f"{n:04d}" / f"{stem}.ecp"
            path.write_bytes(data)
            paths.append(str(path))
        program, diagnostics = load(paths, with_stdlib=False)
        if program is None:
            raise RuntimeError("the library does not check: " + "; ".join(d.message for d in diagnostics[:3]))
        kind, threshold, date, as_of, explain, records = settings
        job = EvalJob(tuple(paths), False, kind, threshold, date, "jsonl", as_of, explain=explain,
                      dispositions=records)
        _DECIDERS[key] = Decider(job, job.make_engine(program))
    return _DECIDERS[key]


# ------------------------------------------------------------------ policylang eval --spark

def eval_command(master: str, inputs: tuple[str, ...], query: str | None, job: EvalJob,
                 output: Path | None, fail_on_review: bool = False) -> int:
    """Read the inputs (Parquet or CSV files, folders or globs; or `--query`, run as Spark SQL),
    decide on Spark and write `output` with Spark's own writer (a folder of part files, as Spark
    writes: `.parquet`, `.csv` with lists as JSON text, or `.jsonl`). Returns the exit status of
    `policylang eval`, from the outcomes written."""
    from policylang.tables import MissingExtra
    from policylang.tables.sources import SourceError

    need("pyspark", "`--spark`")
    suffix = output.suffix.lower() if output is not None else ""
    if suffix not in (".parquet", ".csv", ".jsonl"):
        raise SourceError("`--spark` writes its decisions with Spark: give `--output` ending in .parquet, .csv or "
                          ".jsonl (a folder of part files)")
    spark = session(master)
    try:
        df = _read(spark, inputs, query)
        decisions = decide(df, list(job.paths), with_stdlib=job.with_stdlib, engine=job.engine,
                           date=job.default_date, as_of=job.as_of, review_threshold=job.review_threshold,
                           explain=job.explain, dispositions=job.dispositions)
        _write(decisions, output, suffix)
        written = _read_back(spark, output, suffix)
        counts = {row["outcome"]: row["count"] for row in written.groupBy("outcome").count().collect()}
        review = written.filter("needs_review = true").count() if suffix != ".csv" else \
            written.filter("needs_review = 'true'").count()
    except MissingExtra:
        raise
    except Exception as exc:                      # Spark's own errors: one line, not its traceback
        if os.environ.get("POLICYLANG_DEBUG"):
            raise
        raise SourceError(f"Spark could not decide the inputs: {_first_line(exc)}") from None
    finally:
        spark.stop()
    total = sum(counts.values())
    print(f"{total:,} decisions written to `{output}` (a folder of part files): "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())), file=sys.stderr)
    if counts.get("error"):
        return 1
    return 3 if review and fail_on_review else 0


def session(master: str):
    """A SparkSession on `master`, its Python workers running this Python when nothing else is set."""
    need("pyspark", "`--spark`")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        return (SparkSession.builder.master(master).appName("policylang eval")
                .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
                .getOrCreate())
    except Exception as exc:
        from policylang.tables.sources import SourceError

        raise SourceError(f"cannot start Spark at `{master}` ({_first_line(exc)}); Spark needs a "
                          "Java runtime (17 or later for Spark 4): apt-get install default-jre-headless") from None


def _first_line(exc: Exception) -> str:
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return line if len(line) <= 300 else line[:300] + "…"


def _read(spark, inputs: tuple[str, ...], query: str | None):
    frames = [spark.sql(query)] if query is not None else []
    for name in inputs:
        if name.lower().endswith(".csv") or name.lower().endswith(".csv/"):
            frames.append(_csv(spark.read).csv(name))
        elif name.lower().rstrip("/").endswith(".parquet") or "*" in name or Path(name).is_dir():
            frames.append(spark.read.parquet(name))
        else:
            from policylang.tables.sources import SourceError
            raise SourceError(f"`--spark` reads Parquet and CSV: cannot read `{name}`")
    if not frames:
        from policylang.tables.sources import SourceError
        raise SourceError("give CASES, or rows to decide with `--query`")
    df = frames[0]
    for more in frames[1:]:
        df = df.unionByName(more, allowMissingColumns=True)
    return df


def _write(decisions, output: Path, suffix: str) -> None:
    if suffix == ".parquet":
        decisions.write.mode("overwrite").parquet(str(output))
    elif suffix == ".jsonl":
        decisions.write.mode("overwrite").option("ignoreNullFields", False).json(str(output))
    else:
        from pyspark.sql import functions as F

        flat = [F.to_json(F.col(c)).alias(c) if c in columns.NESTED else F.col(c) for c in decisions.columns]
        _csv(decisions.select(*flat).write.mode("overwrite")).csv(str(output))


def _read_back(spark, output: Path, suffix: str):
    if suffix == ".parquet":
        return spark.read.parquet(str(output))
    if suffix == ".jsonl":
        return spark.read.json(str(output))
    return _csv(spark.read).csv(str(output))


def _csv(io):
    """CSV as RFC 4180 and Python's csv module have it: a header, quotes doubled inside quotes,
    cells that may hold line breaks (Spark's default escape is a backslash)."""
    return io.option("header", True).option("escape", '"').option("multiLine", True)
