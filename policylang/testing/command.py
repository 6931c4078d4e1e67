"""`policylang test`: run a library's tests, report each one and the clauses no test exercises.

Takes: paths of `.ecp` files (their `test` blocks; they join the library) and YAML/JSON case files
or folders; with none, the shipped policies' `test` blocks and, in a source checkout, the corpus
under `tests/corpus/`.
Returns: prints each test and a summary; writes JUnit XML with `--junit` (the same bytes for the
same tests: seconds only with `--junit-times`); exit status 0 when every
test passed and coverage is at least `--min-coverage`, 1 when not, 2 when the library does not check.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policylang.library import policies_dir
from policylang.options import DATE
from policylang.testing.suite import LibraryError, collect, junit_xml, run_all, split_paths, summary


def default_paths() -> list[Path]:
    corpus = policies_dir().parent / "tests" / "corpus"
    return [policies_dir(), *([corpus] if corpus.is_dir() else [])]


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="The library the tests run against (repeatable). Default: the shipped policies.")
@click.option("--date", "date", type=DATE,
              help="The date of cases that give none (YYYY-MM-DD).")
@click.option("--junit", "junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here.")
@click.option("--junit-times", is_flag=True,
              help="Write the seconds each test took into the JUnit XML (then it differs from run to run).")
@click.option("--coverage", is_flag=True, help="List the clauses no test exercises.")
@click.option("--min-coverage", "min_coverage", type=click.FloatRange(0, 100), default=0.0,
              help="Fail when fewer than this percentage of clauses are exercised.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
@click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
              help="The compiled engine, or the reference interpreter it agrees with.")
def test(paths, policy_dirs, date, junit, junit_times, coverage, min_coverage, no_stdlib, engine) -> None:
    """Run `test` blocks and YAML/JSON case files; report clause coverage."""
    try:
        tests, libraries = collect(list(paths) or default_paths(), list(policy_dirs) or None, engine,
                                   with_stdlib=not no_stdlib)
        under_test = split_paths(paths)[0] if paths else []
        report = run_all(tests, libraries, date, under_test or None)
    except LibraryError as exc:
        click.echo("error: the library does not check:\n  " + "\n  ".join(exc.args[0]), err=True)
        sys.exit(2)
    if not tests:     # like pytest's exit 5: a run that tested nothing must not pass
        click.echo("error: no tests found in " + ", ".join(str(p) for p in (paths or ("the shipped library",)))
                   + " (`test` blocks in .ecp files, or .yaml/.json case files with `cases:`)", err=True)
        sys.exit(1)
    click.echo(summary(report, coverage))
    if junit:
        junit.write_text(junit_xml(report, junit_times), encoding="utf-8")
    below = report.coverage < min_coverage
    if below:
        click.echo(f"clause coverage {report.coverage:.1f} % is below the minimum {min_coverage:.1f} %", err=True)
    sys.exit(1 if report.failed or below else 0)
