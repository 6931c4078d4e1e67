"""`policylang rescreen`: which rows of a ledger change outcome when the law changes, and why.

Takes: a ledger (any input `policylang eval` reads: JSON, JSON lines, CSV, Parquet, globs, or
`--query` through DuckDB), two dates `--from` and `--to`, and the library.
Returns: for every row whose outcome as of `--to` differs from its outcome as of `--from`, a
`Change`: the row's id, where it stands (`ledger.parquet:row 17`), its own date, both outcomes,
and the clauses that made the difference (clauses that apply as of one date and not the other,
with their effects). Text for people, or one JSON object a line (`--format jsonl`); a closing
summary on standard error.
Guarantees: each row is decided twice by the one as-of mechanism (`eval/asof.py`, through the
runner's `Decider.decide_raw`), whatever its own date: exactly the decisions `policylang eval
--as-of` gives. Rows whose outcome is the same are not listed, nor are rows invalid on both dates
(they are counted, and the exit status is 1 as for `eval`); every row is read. `--jobs` decides in
worker processes; the listing stays in input order. Exit status: 0, 1 (some row invalid) or 2.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import attrs
import click

from policylang.eval import runner
from policylang.eval.decision import Decision
from policylang.options import DATE
from policylang.semantics.screening import REVIEW_THRESHOLD


@attrs.frozen
class Change:
    """A row whose outcome differs between the two dates, and the clauses that made it."""
    id: object
    origin: str
    date: str | None
    before: str
    after: str
    applies: tuple[dict, ...]             # clauses that apply as of `--to` and not as of `--from`
    no_longer: tuple[dict, ...]           # clauses that apply as of `--from` and not as of `--to`

    def to_json(self, first, second) -> dict:
        return {"id": self.id, "origin": self.origin, "date": self.date,
                "from": {"as_of": first.isoformat(), "outcome": self.before},
                "to": {"as_of": second.isoformat(), "outcome": self.after},
                "applies": list(self.applies), "no_longer_applies": list(self.no_longer)}

    def text(self, first, second) -> str:
        lines = [f"{self.id or '(no id)'}  {self.origin}  {self.before} -> {self.after}"]
        lines += [f"  applies as of {second}, not {first}: {c['policy']} {c['clause']} ({c['effect']})"
                  for c in self.applies]
        lines += [f"  applies as of {first}, not {second}: {c['policy']} {c['clause']} ({c['effect']})"
                  for c in self.no_longer]
        return "\n".join(lines)


@attrs.frozen
class Compared:
    """A chunk of rows compared: the changes, in order, and the counts of the summary."""
    changes: list[Change]
    rows: int
    invalid: int
    moves: Counter


def compare(decider: runner.Decider, chunk, first, second) -> Compared:
    """Each row of the chunk decided as of both dates; the rows whose outcome differs."""
    changes, invalid, moves = [], 0, Counter()
    raws = decider.cases_of(chunk)
    for raw in raws:
        before, after = decider.decide_raw(raw, first), decider.decide_raw(raw, second)
        if before.outcome == after.outcome:
            invalid += before.outcome == "error"
            continue
        moves[(before.outcome, after.outcome)] += 1
        date = before.date.isoformat() if before.date else None
        changes.append(Change(before.id, raw.origin, date, before.outcome, after.outcome,
                              _clauses(after, before), _clauses(before, after)))
    return Compared(changes, len(raws), invalid, moves)


def _clauses(found: Decision, other: Decision) -> tuple[dict, ...]:
    """The reasons of `found` whose clause is not a reason of `other`."""
    others = {r.key for r in other.reasons}
    return tuple({"policy": r.key.policy, "clause": r.key.clause, "effect": r.effect}
                 for r in found.reasons if r.key not in others)


def _work(chunk, first, second) -> Compared:
    return compare(runner.worker(), chunk, first, second)


@click.command("rescreen")
@click.argument("ledger", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option("--from", "first", type=DATE, required=True, help="The date the outcomes are compared from.")
@click.option("--to", "second", type=DATE, required=True, help="The date the outcomes are compared to.")
@click.option("--query", metavar="SQL",
              help="Compare the rows of this SQL query, run by an embedded DuckDB (extra `batch`).")
@click.option("--database", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="The DuckDB database file `--query` runs in (read-only).")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the listing to FILE instead of standard output.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes (0: one per core); the listing is the same.")
@click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True)
def rescreen(ledger: tuple[str, ...], first, second, query, database, policy_dirs, no_stdlib: bool, fmt: str,
             output: Path | None, jobs: int, engine: str) -> None:
    """List the rows of LEDGER whose outcome as of --to differs from their outcome as of --from
    (each row decided as if its date were each of them), with the clauses that made the difference."""
    from policylang.cli import EXIT_CANNOT_RUN, EXIT_INVALID_CASE, EXIT_OK, _load_or_exit, _tables_or_exit
    from policylang.engines import engine as make_engine
    from policylang.library import policies_dir
    from policylang.tables import evaluate

    if not ledger and query is None:
        raise click.UsageError("give LEDGER, or rows to compare with `--query`")
    paths = tuple(str(p) for p in (policy_dirs or [policies_dir()]))
    program, _ = _load_or_exit(paths, with_stdlib=not no_stdlib)
    job = runner.EvalJob(paths, not no_stdlib, engine, REVIEW_THRESHOLD, None, "jsonl")
    decider = runner.Decider(job, make_engine(program, engine))
    jobs = jobs or os.cpu_count() or 1
    chunks = _tables_or_exit(lambda: evaluate.chunks_of(ledger, query, database))
    pool = runner.Pool(job, jobs) if jobs > 1 else None
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    rows = invalid = 0
    moves: Counter = Counter()
    try:
        compared = pool.map_in_order(_work, chunks, first, second) if pool else \
            (compare(decider, chunk, first, second) for chunk in chunks)
        for found in compared:
            rows, invalid = rows + found.rows, invalid + found.invalid
            moves.update(found.moves)
            for change in found.changes:
                out.write((json.dumps(change.to_json(first, second), ensure_ascii=False, default=str)
                           if fmt == "jsonl" else change.text(first, second) + "\n") + "\n")
    except Exception as exc:
        from policylang.tables import MissingExtra
        from policylang.tables.sources import SourceError
        if not isinstance(exc, (MissingExtra, SourceError)):
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    finally:
        if pool:
            pool.close()
        if output:
            out.close()
    changed = sum(moves.values())
    summary = ", ".join(f"{a} -> {b} {n:,}" for (a, b), n in sorted(moves.items()))
    click.echo(f"{rows:,} rows, {changed:,} change outcome from {first} to {second}"
               + (f" ({summary})" if summary else "") + (f"; {invalid:,} invalid on both dates" if invalid else ""),
               err=True)
    sys.exit(EXIT_INVALID_CASE if invalid else EXIT_OK)
