"""The command line: thin click commands over the façade.

Takes: arguments and files.
Returns: renders results and sets the exit status. `eval` follows contract §7: 0 every case
evaluated, 1 some case invalid (still decided), 2 the command could not run (bad usage, a policy
that does not check), 3 with `--fail-on-review` no case invalid but some decision needs review. `check` exits 0 when the library checks, 2 when it does not.
Guarantees: a problem in a policy or a case is a diagnostic, never a Python traceback; an
internal fault is reported in one line as such (set POLICYLANG_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang.engines import engine as make_engine
from policylang.eval.decision import render_library
from policylang.library import load, policies_dir
from policylang.options import DATE
from policylang.semantics.screening import REVIEW_THRESHOLD

EXIT_OK, EXIT_INVALID_CASE, EXIT_CANNOT_RUN, EXIT_NEEDS_REVIEW = 0, 1, 2, 3


# Commands that live with their feature: each module defines one click command, imported only
# when that command runs (z3, pygls, hypothesis and the formatter cost a cold `eval` nothing).
FEATURE_COMMANDS: dict[str, str] = {
    "fmt": "policylang.fmt.command",
    "lsp": "policylang.lsp.command",
    "timeline": "policylang.timeline",
    "analyze": "policylang.analysis.command",
    "diff": "policylang.analysis.diff_command",
    "test": "policylang.testing.command",
    "compile": "policylang.compile.command",
}


class _Commands(click.Group):
    """The command group, importing a feature's module when its command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *FEATURE_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in FEATURE_COMMANDS:
            return getattr(importlib.import_module(FEATURE_COMMANDS[name]), name)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policylang")
def cli() -> None:
    """Export-control law as code: check policies, decide cases, explain why."""


def _load_or_exit(paths, with_stdlib: bool = True, fmt: str = "text"):
    program, diags = load(paths, with_stdlib=with_stdlib)
    if program is None:
        click.echo(D.render_json(diags) if fmt == "json" else D.render_text(diags), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    return program, diags


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
def check(paths: tuple[Path, ...], fmt: str, no_stdlib: bool) -> None:
    """Check policies: syntax, names, types, units, clause references, dates.

    With no PATHS, checks the shipped stdlib and policies.
    """
    program, diags = load(paths or [policies_dir()], with_stdlib=not no_stdlib)
    if fmt == "json":
        click.echo(D.render_json(diags))
    elif diags:
        click.echo(D.render_text(diags), err=True)
    if program is None:
        sys.exit(EXIT_CANNOT_RUN)
    if fmt == "text":
        click.echo(f"ok: {len(program.modules)} module(s), {len(program.announcements)} announcement(s), "
                   f"{len(program.clauses)} clause(s)")


@cli.command("eval")
@click.argument("cases", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=str))
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
@click.option("--date", "date", type=DATE, help="The date of cases that give none.")
@click.option("--as-of", "as_of", type=DATE,
              help="Decide every case as if its date were this one (what-if); decisions give both dates.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the decisions to FILE instead of standard output.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes deciding cases (0: one per core); the output is the same.")
@click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
              help="The compiled engine, or the reference interpreter it agrees with.")
@click.option("--review-threshold", type=click.FloatRange(0, 100), default=REVIEW_THRESHOLD, show_default=True,
              help="A near match of a party name scoring at least this needs review (`needs_review`).")
@click.option("--fail-on-review", is_flag=True,
              help="Exit 3 when no case is invalid but some decision needs review (contract §7).")
def eval_(cases: tuple[str, ...], policy_dirs: tuple[Path, ...], no_stdlib: bool, date, as_of, fmt: str, output,
          jobs: int, engine: str, review_threshold: float, fail_on_review: bool) -> None:
    """Decide CASES (.json or .jsonl files, or - for standard input) and explain why.

    JSON lines are decided and printed one at a time, so any size fits in memory."""
    from policylang.eval import runner
    from policylang.eval.report import Report

    paths = tuple(str(p) for p in (policy_dirs or [policies_dir()]))
    program, _ = _load_or_exit(paths, with_stdlib=not no_stdlib)
    job = runner.EvalJob(paths, not no_stdlib, engine, review_threshold, date, fmt, as_of)
    decider = runner.Decider(job, make_engine(program, engine, review_threshold))
    jobs = jobs or os.cpu_count() or 1
    pool = runner.Pool(job, jobs) if jobs > 1 else None
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    report = Report(sys.stderr)
    try:
        for name in cases:
            try:
                units, shape = runner.units_of(name)
            except OSError as exc:
                raise click.BadParameter(f"cannot read `{name}`: {exc.strerror or exc}", param_hint="CASES") from None
            chunk = runner.STREAM_CHUNK if name == "-" else runner.CHUNK
            each = runner.output_format(fmt, shape)
            decided = pool.decide(units, chunk, each) if pool else (decider.decide(u, each) for u in units)
            _write(out, report.count(decided), fmt, shape, flush=name == "-")
        if fmt == "text":
            out.write("\n" + render_library(decider.engine.law.identity) + "\n")
    finally:
        if pool:
            pool.close()
        if output:
            out.close()
        report.close()
    if report.invalid:
        sys.exit(EXIT_INVALID_CASE)
    sys.exit(EXIT_NEEDS_REVIEW if report.needs_review and fail_on_review else EXIT_OK)


def _write(out, decided, fmt: str, shape: str, flush: bool) -> None:
    """Write decisions as they come: JSON lines, one JSON array, one JSON object, or text."""
    from policylang.eval.runner import ARRAY, LINES

    as_lines = fmt == "jsonl" or (fmt == "json" and shape == LINES)
    first = True
    for d in decided:
        if as_lines:
            out.write(d.text + "\n")
        elif fmt == "json" and shape == ARRAY:
            out.write(("[\n" if first else ",\n") + _indented(d.text))
        elif fmt == "json":
            out.write(d.text + "\n")
        else:
            out.write(("" if first else "\n\n") + d.text)
        first = False
        if flush:
            out.flush()
    if fmt == "json" and shape == ARRAY and not as_lines:
        out.write("[]\n" if first else "\n]\n")
    elif fmt == "text" and not first:
        out.write("\n")


def _indented(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


def main() -> None:
    """Entry point of the `policylang` console script."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # an internal fault: one line, never a traceback, unless asked
        if os.environ.get("POLICYLANG_DEBUG"):
            raise
        click.echo(f"error: internal error in policylang: {exc.__class__.__name__}: {exc} "
                   "(set POLICYLANG_DEBUG=1 for details and report it)", err=True)
        sys.exit(EXIT_CANNOT_RUN)
