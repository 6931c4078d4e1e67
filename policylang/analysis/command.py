"""`policylang analyze`: the command line of the analysis.

Takes: policy paths (default: the shipped library), an optional assumption file, bounds, what to
look for (`--kind`, `--clause`), worker processes (`--jobs`), a format.
Returns: prints findings (text, JSON or SARIF 2.1.0) and sets the exit status: 0 the analysis ran
and every conflict it found is accepted and no invariant is refuted, 1 otherwise, 2 it could not
run.
Guarantees: the assumption file holds one condition in the policy language (for example
`date >= 2025-01-01 and action == reexport`); it is checked like any definition, so a mistake in
it is a diagnostic, and only cases that meet it are searched. `--kind` and `--clause` narrow the
search itself. The results of a search are kept in the user's cache (`store.py`): an unchanged
library is answered without z3 being imported. The output is the same bytes on every run and
whatever `--jobs` or `PYTHONHASHSEED`; time figures are printed only with `--timings`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang.analysis import store
from policylang.analysis.findings import KINDS
from policylang.library import load, policies_dir
from policylang.program import ClauseKey

ASSUMPTION = "analysis_assumption"
EXIT_OK, EXIT_FOUND, EXIT_CANNOT_RUN = 0, 1, 2


def load_with_assumption(paths, assume: Path | None):
    """The program, and the assumption as an expression (or None); the diagnostics of either.

    The assumption is parsed as one expression of its own file and typed in a scope that sees
    every module of the library, so a mistake in it is reported at its place in that file.
    """
    program, diags = load(paths)
    if program is None or assume is None:
        return program, diags, None
    from policylang.check import types as T
    from policylang.check.typecheck import ExprChecker, Scope
    from policylang.source import SourceFile
    from policylang.syntax.parser import parse_expression
    try:
        text = assume.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [D.error("E001", found=f"file `{assume}` ({exc.__class__.__name__})",
                              help="name a readable UTF-8 file holding one condition")], None
    expr, found = parse_expression(SourceFile(str(assume), text))
    if expr is None:
        return None, found, None
    checker = ExprChecker(program)
    checker.expect(expr, Scope(ASSUMPTION, frozenset(program.module_names())), T.BOOL,
                   "an assumption is a condition on the case")
    if any(d.is_error for d in checker.diagnostics):
        return None, checker.diagnostics, None
    return program, diags, expr


def search(program, assumption, options: store.Options, jobs: int = 1):
    """The findings and stats of a search (accepts not yet applied), and `searched(kind, keys)`."""
    from policylang.analysis.invariants import check_invariants
    from policylang.analysis.search import Analysis
    from policylang.analysis.symbolic import Bounds
    analysis = Analysis(program, Bounds(list_length=options.list_length, depth=options.depth), assumption,
                        kinds=frozenset(options.kinds) or None, focus=frozenset(options.focus) or None, jobs=jobs)
    findings, stats = analysis.run()
    invariants = check_invariants(analysis) if analysis.searches_invariants() else []
    stats["invariants"] = len(invariants)
    stats["unconfirmed"] += sum(f.status == "unknown" for f in invariants)
    return sorted(findings + invariants, key=lambda f: f.sort_key()), stats


def searched_by(program, options: store.Options):
    """Whether a run with these options looked for findings of a kind about these clauses."""
    kinds, focus = set(options.kinds or KINDS), set(options.focus)
    return lambda kind, keys: kind in kinds and (not focus or any(k in focus for k in keys))


def run_analysis(paths, assume: Path | None = None, bounds=None, jobs: int = 1, kinds=(), focus=()):
    """Findings (accepts applied) and stats for a library, without the cache. For tests and scripts.

    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.ecp"
    >>> _ = f.write_text("announcement P-2025-1 { issued 2025-01-01 "
    ...                  "clause 1 { when destination == US require license } "
    ...                  "clause 2 { when destination == US and end_user.military prohibit } }")
    >>> findings, stats = run_analysis([f])
    >>> [(x.kind, [str(k) for k in x.clauses]) for x in findings]
    [('overlap', ['P-2025-1 1', 'P-2025-1 2'])]
    """
    from policylang.analysis.accepts import apply_accepts
    program, diags, assumption = load_with_assumption(paths, assume)
    if program is None:
        raise ValueError("; ".join(f"{d.code} {d.message}" for d in diags if d.is_error))
    options = store.Options(*((bounds.list_length, bounds.depth) if bounds else ()),
                            kinds=tuple(sorted(kinds)), focus=tuple(sorted(focus)))
    findings, stats = search(program, assumption, options, jobs)
    findings, stale = apply_accepts(program, findings, searched_by(program, options))
    stats["stale_accepts"] = len(stale)
    return findings, stats


def _cpu() -> float:
    """CPU seconds of this process and of the worker processes it waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _clause_keys(program, names: tuple[str, ...]) -> tuple[ClauseKey, ...]:
    """The clauses `--clause` names: `MOFCOM-2025-61 V` (and those under it) or a whole announcement."""
    keys: list[ClauseKey] = []
    for name in names:
        policy, _, clause = name.strip().partition(" ")
        clause = clause.strip().removeprefix("clause").strip()
        found = [k for k in program.clauses if k.policy == policy and (not clause or k.clause == clause
                 or k.clause.startswith(clause + "(") or k.clause.startswith(clause + "."))]
        if not found:
            raise click.BadParameter(f"no clause `{name}` in the library (write `MOFCOM-2025-61 V` "
                                     "or an announcement)", param_hint="--clause")
        keys += found
    return tuple(sorted(set(keys)))


@click.command("analyze")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--assume", "assume", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file holding one condition on the case; only cases that meet it are searched.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="Search only for findings of this kind (repeatable).")
@click.option("--clause", "clauses", multiple=True, metavar="CLAUSE",
              help="Search only for findings about this clause, as `MOFCOM-2025-61 V`, or about any "
                   "clause of an announcement (repeatable).")
@click.option("--max-list", "max_list", type=click.IntRange(0, 5), default=2, show_default=True,
              help="The most elements a list of the case (end uses, components…) has in a witness.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes searching window groups (0: one per core); the output is the same.")
@click.option("--no-cache", is_flag=True, help="Search again even when the cache holds this library's results.")
@click.option("--timings", is_flag=True, help="Add wall and CPU seconds and whether the cache answered to the stats.")
def analyze(paths: tuple[Path, ...], assume: Path | None, kinds: tuple[str, ...], clauses: tuple[str, ...],
            fmt: str, max_list: int, jobs: int, no_cache: bool, timings: bool) -> None:
    """Find conflicts, overlaps, silenced, shadowed, redundant and vacuous clauses, gaps, and check
    invariants, each with a witness case that `policylang eval` reproduces.

    With no PATHS, analyzes the shipped stdlib and policies. Exit status 1 when a conflict that no
    `accept` statement accepts is found, or an invariant does not hold.
    """
    from policylang.analysis.accepts import apply_accepts
    from policylang.analysis.report import to_json, to_sarif, to_text
    started, cpu = time.perf_counter(), _cpu()
    paths = paths or (policies_dir(),)
    program, diags, assumption = load_with_assumption(list(paths), assume)
    if program is None:
        click.echo(D.render_text(diags), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    options = store.Options(max_list, kinds=tuple(sorted(set(kinds))), focus=_clause_keys(program, clauses),
                            assumption=assume.read_text(encoding="utf-8") if assume else None)
    found = None if no_cache else store.get(program, options)
    if found is None:
        findings, stats = search(program, assumption, options, jobs)
        store.put(program, options, findings, stats)
    else:
        findings, stats = found
    findings, stale = apply_accepts(program, findings, searched_by(program, options))
    if timings:
        stats = {**stats, "cache": "hit" if found is not None else "miss",
                 "seconds": round(time.perf_counter() - started, 2),
                 "cpu_seconds": round(_cpu() - cpu, 2)}
    if fmt == "json":
        click.echo(to_json(findings, stats, stale))
    elif fmt == "sarif":
        spans = {str(k): c.id_span for k, c in program.clauses.items()}
        click.echo(to_sarif(findings, stats, spans, stale))
    else:
        click.echo(to_text(findings, stats, stale))
    sys.exit(EXIT_FOUND if any(f.fails for f in findings) else EXIT_OK)
