"""Benchmark: policylang on an order book kept as a table, on one machine and on Spark.

Run: `python benchmarks/tables_throughput.py [--n 1000000] [--files 8] [--no-spark]` (extras
`batch` and `spark`, and Java for Spark).

In one run, on a ledger of `--n` rows of the realistic mix (`policylang.testing.mix`), written
as `--files` Parquet files with typed columns (decimals as float64 where exact, as a data lake
holds them) and as one JSON-lines file of the same cases:
1. in process: the compiled engine deciding the cases and turning each decision into its JSON
   object (the engine's own rate, as `eval_throughput.py` measures it), on the first 100,000;
2. end to end, each a fresh `policylang eval` process: JSON lines in and out (`--jobs 1`), the
   Parquet ledger in and Parquet decisions out (`--jobs 1`, then `--jobs 2`): cases per second,
   CPU seconds and peak memory (the largest process); every output is checked to hold the same
   decisions;
3. Spark: `policylang.spark.decide` over the Parquet folder, written as Parquet by Spark, on
   `local[1]` then `local[2]`, each in a fresh process; the time of the job (the session's
   start, about 20 s of JVM, is not counted) and the ratio.
It prints the targets of issue 10 beside the figures: Parquet in/out at least 90 % of the
in-process rate, 1,000,000 rows in at most 300 MB, `local[2]` at least 1.6 x `local[1]`.
Not a test: timings depend on the machine, so only ratios measured in one run compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from eval_throughput import _MEASURED, machine  # noqa: E402

from policylang.engines import engine  # noqa: E402
from policylang.library import load_shipped  # noqa: E402
from policylang.tables.writing import case_shape, case_table, json_text, merge_shapes, shape_schema  # noqa: E402
from policylang.testing.mix import raw_case, realistic_cases  # noqa: E402

BLOCK = 50_000          # cases generated and written at a time
IN_PROCESS = 100_000    # cases the in-process rate is measured on


def blocks(n: int):
    block = []
    for case in realistic_cases(n):
        block.append(case)
        if len(block) == BLOCK:
            yield block
            block = []
    if block:
        yield block


def write_ledger(program, n: int, files: int, folder: Path) -> tuple[Path, Path]:
    """The ledger as Parquet files (one shape for all: found in a first pass) and as JSON lines."""
    import pyarrow.parquet as pq

    shape: dict = {}
    for block in blocks(n):
        shape = merge_shapes(shape, case_shape(block, program, typed=True))
    parquet = folder / "ledger"
    parquet.mkdir()
    per_file = -(-n // files)
    writer, written, jsonl = None, 0, folder / "ledger.jsonl"
    with jsonl.open("w", encoding="utf-8") as lines:
        for block in blocks(n):
            lines.writelines(json_text(c) + "\n" for c in block)
            table = case_table(block, program, typed=True, shape=shape)
            while table.num_rows:
                if writer is None or written % per_file == 0:
                    if writer is not None:
                        writer.close()
                    writer = pq.ParquetWriter(parquet / f"part-{written // per_file:03d}.parquet", shape_schema(shape))
                take = min(table.num_rows, per_file - written % per_file)
                writer.write_table(table.slice(0, take), row_group_size=65_536)
                table, written = table.slice(take), written + take
    writer.close()
    return parquet, jsonl


def in_process(program, n: int) -> tuple[float, float]:
    """Cases per second (wall, and per CPU second) of the compiled engine, decision and JSON
    object, on fresh cases."""
    raws = [raw_case(c) for c in realistic_cases(min(n, IN_PROCESS))]
    warm = [raw_case(c) for c in realistic_cases(500, seed=99)]
    decider = engine(program)
    for raw in warm:
        decider.decide(raw).to_json()
    gc.collect()
    gc.freeze()
    started, cpu = time.perf_counter(), time.process_time()
    for raw in raws:
        decider.decide(raw).to_json()
    rate, per_cpu = len(raws) / (time.perf_counter() - started), len(raws) / (time.process_time() - cpu)
    print(f"in process, compiled engine (decision and its JSON object), {len(raws):,} cases: {rate:,.0f} cases/s, "
          f"{per_cpu:,.0f} per CPU second")
    return rate, per_cpu


def measured(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (MB, the largest process) of a command."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    cpu, peak = done.stdout.split()[-2:]
    return wall, float(cpu), int(peak) / 1024


def end_to_end(n: int, parquet: Path, jsonl: Path, folder: Path, reference: tuple[float, float]) -> None:
    eval_ = [sys.executable, "-m", "policylang", "eval"]
    runs = [("JSON lines in and out, --jobs 1", [*eval_, str(jsonl), "-o", str(folder / "out.jsonl")]),
            ("Parquet in and out,   --jobs 1", [*eval_, str(parquet / "*.parquet"), "-o", str(folder / "out1.parquet")]),
            ("Parquet in and out,   --jobs 2", [*eval_, str(parquet / "*.parquet"), "-j", "2",
                                                "-o", str(folder / "out2.parquet")])]
    print(f"end to end, `policylang eval`, {n:,} cases:")
    rates, per_cpu = [], []
    for label, command in runs:
        wall, cpu, peak = measured(command)
        rates.append(n / wall)
        per_cpu.append(n / cpu)
        print(f"  {label}: {wall:7.1f} s wall, {cpu:7.1f} s CPU, {n / wall:8,.0f} cases/s, "
              f"{n / cpu:8,.0f} per CPU second, peak memory {peak:,.0f} MB")
        if "--jobs 1" in label and "Parquet" in label:
            parquet_peak = peak
    same = _same_decisions(folder)
    print(f"  the three outputs hold the same decisions: {same}")
    print(f"  target: Parquet in/out (--jobs 1) >= 90 % of in process: {rates[1] / reference[0]:.0%} by wall time, "
          f"{per_cpu[1] / reference[1]:.0%} by CPU time ({'met' if rates[1] >= 0.9 * reference[0] else 'missed'}); "
          f"JSON lines: {rates[0] / reference[0]:.0%}, {per_cpu[0] / reference[1]:.0%}")
    print(f"  target: peak memory <= 300 MB on {n:,} rows: {parquet_peak:,.0f} MB "
          f"({'met' if parquet_peak <= 300 else 'missed'})")
    print(f"  --jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f} x")


def _same_decisions(folder: Path) -> bool:
    """The two Parquet outputs hold the same rows, and the JSON lines the same ids, outcomes and
    reasons, read a batch at a time."""
    import pyarrow.parquet as pq

    one, two = pq.ParquetFile(folder / "out1.parquet"), pq.ParquetFile(folder / "out2.parquet")
    with (folder / "out.jsonl").open(encoding="utf-8") as lines:
        for a, b in zip(one.iter_batches(BLOCK), two.iter_batches(BLOCK), strict=True):
            if not a.equals(b):
                return False
            for row in a.select(["id", "outcome", "reasons"]).to_pylist():
                decision = json.loads(next(lines))
                if (row["id"], row["outcome"], [r["clause"] for r in row["reasons"]]) != \
                        (decision["id"], decision["outcome"], [r["clause"] for r in decision["reasons"]]):
                    return False
        return next(lines, None) is None


_SPARK = """
import os, sys, time
from policylang.spark import decide, session
spark = session(sys.argv[1])
spark.sparkContext.setLogLevel("ERROR")
spark.conf.set("spark.sql.files.maxPartitionBytes", 2 * 2**20)   # a split per row group: work for every core
frame = spark.read.parquet(sys.argv[2])
started = time.perf_counter()
decide(frame).write.mode("overwrite").parquet(sys.argv[3])
print("SECONDS", time.perf_counter() - started, frame.rdd.getNumPartitions())
spark.stop()
"""


def on_spark(n: int, parquet: Path, folder: Path) -> None:
    print(f"Spark, `policylang.spark.decide` over the Parquet folder, written by Spark as Parquet, {n:,} cases:")
    seconds = {}
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    for master in ("local[1]", "local[2]"):
        done = subprocess.run([sys.executable, "-c", _SPARK, master, str(parquet), str(folder / f"spark-{master[6]}")],
                              capture_output=True, text=True, env=env, check=False)
        line = next((x for x in done.stdout.splitlines() if x.startswith("SECONDS")), None)
        if line is None:
            print(f"  {master}: failed: {done.stderr.strip().splitlines()[-1:]}")
            return
        seconds[master], partitions = float(line.split()[1]), int(line.split()[2])
        print(f"  {master}: {seconds[master]:7.1f} s for the job ({partitions} partitions), "
              f"{n / seconds[master]:8,.0f} cases/s")
    ratio = seconds["local[1]"] / seconds["local[2]"]
    print(f"  local[2] / local[1]: {ratio:.2f} x; target >= 1.6 x: {'met' if ratio >= 1.6 else 'missed'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows of the ledger")
    parser.add_argument("--files", type=int, default=8, help="Parquet files the ledger is written as")
    parser.add_argument("--no-spark", action="store_true", help="leave Spark out")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    program, _ = load_shipped()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        parquet, jsonl = write_ledger(program, args.n, args.files, folder)
        size = sum(f.stat().st_size for f in parquet.iterdir())
        print(f"ledger: {args.n:,} rows in {args.files} Parquet files, {size / 2**20:,.0f} MB "
              f"({jsonl.stat().st_size / 2**20:,.0f} MB as JSON lines), written in {time.perf_counter() - started:.0f} s")
        reference = in_process(program, args.n)
        end_to_end(args.n, parquet, jsonl, folder, reference)
        if not args.no_spark:
            on_spark(args.n, parquet, folder)


if __name__ == "__main__":
    main()
