"""`policylang analyze`: the command line of the analysis.

Takes: policy paths (default: the shipped library), an optional assumption file, bounds, a format.
Returns: prints findings (text, JSON or SARIF 2.1.0) and sets the exit status: 0 the analysis ran
and found no conflict and no refuted invariant, 1 it found one, 2 it could not run.
Guarantees: the assumption file holds one condition in the policy language (for example
`date >= 2025-01-01 and action == reexport`); it is checked like any definition, so a mistake in
it is a diagnostic, and only cases that meet it are searched.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang.analysis.findings import KINDS, to_json, to_sarif, to_text
from policylang.analysis.invariants import check_invariants
from policylang.analysis.search import Analysis
from policylang.analysis.symbolic import Bounds
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker, Scope
from policylang.library import load, policies_dir
from policylang.source import SourceFile
from policylang.syntax.parser import parse_expression

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


def run_analysis(paths, assume: Path | None = None, bounds: Bounds = Bounds(), jobs: int = 1,
                 kinds=None, focus=None):
    """Findings and stats for a library: the search, then the invariants. For tests and scripts.

    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.ecp"
    >>> _ = f.write_text("announcement P-2025-1 { issued 2025-01-01 "
    ...                  "clause 1 { when destination == US require license } "
    ...                  "clause 2 { when destination == US and end_user.military prohibit } }")
    >>> findings, stats = run_analysis([f])
    >>> [(x.kind, [str(k) for k in x.clauses]) for x in findings]
    [('overlap', ['P-2025-1 1', 'P-2025-1 2'])]
    """
    program, diags, assumption = load_with_assumption(paths, assume)
    if program is None:
        raise ValueError("; ".join(f"{d.code} {d.message}" for d in diags if d.is_error))
    analysis = Analysis(program, bounds, assumption, kinds=kinds, focus=focus, jobs=jobs)
    findings, stats = analysis.run()
    invariants = check_invariants(analysis)
    stats["invariants"] = len(invariants)
    return sorted(findings + invariants, key=lambda f: f.sort_key()), stats


@click.command("analyze")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--assume", "assume", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file holding one condition on the case; only cases that meet it are searched.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
              help="Print only findings of this kind (repeatable); the exit status still counts all.")
@click.option("--max-list", "max_list", type=click.IntRange(0, 5), default=2, show_default=True,
              help="The most elements a list of the case (end uses, components…) has in a witness.")
def analyze(paths: tuple[Path, ...], assume: Path | None, kinds: tuple[str, ...], fmt: str, max_list: int) -> None:
    """Find conflicts, overlaps, silenced, shadowed, redundant and vacuous clauses, gaps, and check
    invariants, each with a witness case that `policylang eval` reproduces.

    With no PATHS, analyzes the shipped stdlib and policies.
    """
    paths = paths or (policies_dir(),)
    program, diags, assumption = load_with_assumption(list(paths), assume)
    if program is None:
        click.echo(D.render_text(diags), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    import time
    t0 = time.perf_counter()
    analysis = Analysis(program, Bounds(list_length=max_list), assumption, jobs=0)
    findings, stats = analysis.run()
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    invariants = check_invariants(analysis)
    stats["invariants"] = len(invariants)
    findings = sorted(findings + invariants, key=lambda f: f.sort_key())
    failed = any(f.kind == "conflict" or (f.kind == "invariant" and f.status != "proven") for f in findings)
    if kinds:
        findings = [f for f in findings if f.kind in kinds]
    if fmt == "json":
        click.echo(to_json(findings, stats))
    elif fmt == "sarif":
        spans = {str(k): c.id_span for k, c in program.clauses.items()}
        click.echo(to_sarif(findings, stats, spans))
    else:
        click.echo(to_text(findings, stats))
    sys.exit(EXIT_FOUND if failed else EXIT_OK)
