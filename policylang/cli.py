"""The command line: thin click commands over the façade.

Takes: arguments and files.
Returns: renders results and sets the exit status. `eval` follows contract §7: 0 every case
evaluated, 1 some case invalid (still decided), 2 the command could not run (bad usage, a policy
that does not check), 3 with `--fail-on-review` no case invalid but some decision needs review. `check` exits 0 when the library checks, 2 when it does not.
Guarantees: a problem in a policy or a case is a diagnostic, never a Python traceback; an
internal fault is reported in one line as such (set POLICYLANG_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang.eval.cases import split_cases
from policylang.eval.decision import render_library
from policylang.eval.decision import render_text as render_decision
from policylang.eval.interpreter import Interpreter
from policylang.library import load, policies_dir
from policylang.options import DATE
from policylang.semantics.screening import REVIEW_THRESHOLD

EXIT_OK, EXIT_INVALID_CASE, EXIT_CANNOT_RUN, EXIT_NEEDS_REVIEW = 0, 1, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
def check(paths: tuple[Path, ...], fmt: str) -> None:
    """Check policies: syntax, names, types, units, clause references, dates.

    With no PATHS, checks the shipped stdlib and policies.
    """
    program, diags = load(paths or [policies_dir()])
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
@click.option("--date", "date", type=DATE, help="The date of cases that give none.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text", show_default=True)
@click.option("--review-threshold", type=click.FloatRange(0, 100), default=REVIEW_THRESHOLD, show_default=True,
              help="A near match of a party name scoring at least this needs review (`needs_review`).")
@click.option("--fail-on-review", is_flag=True,
              help="Exit 3 when no case is invalid but some decision needs review (contract §7).")
def eval_(cases: tuple[str, ...], policy_dirs: tuple[Path, ...], date, fmt: str, review_threshold: float,
          fail_on_review: bool) -> None:
    """Decide CASES (.json or .jsonl files, or - for standard input) and explain why."""
    program, _ = _load_or_exit(policy_dirs or [policies_dir()])
    interpreter = Interpreter(program, review_threshold)
    invalid = review = False
    for name in cases:
        raws = split_cases(_read_cases(name), name)
        decisions = interpreter.decide_all(raws, date)
        invalid |= any(d.outcome == "error" for d in decisions)
        review |= any(d.needs_review for d in decisions)
        _print_decisions(decisions, name, fmt, several=len(raws) != 1 or _is_array(raws, name))
    if fmt == "text":
        click.echo("\n" + render_library(interpreter.law.identity))
    if invalid:
        sys.exit(EXIT_INVALID_CASE)
    sys.exit(EXIT_NEEDS_REVIEW if review and fail_on_review else EXIT_OK)


def _read_cases(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"cannot read `{name}`: {exc.strerror or exc}", param_hint="CASES") from None


def _is_array(raws, name: str) -> bool:
    return bool(raws) and raws[0].origin.startswith(f"{name}[")


def _print_decisions(decisions, name: str, fmt: str, several: bool) -> None:
    objects = [d.to_json() for d in decisions]
    if fmt == "jsonl" or (fmt == "json" and name.endswith(".jsonl")):
        for obj in objects:
            click.echo(json.dumps(obj, ensure_ascii=False))
    elif fmt == "json":
        click.echo(json.dumps(objects if several else objects[0], ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join(render_decision(d) for d in decisions))


# Commands that live with their feature: each module defines one click command, added here.
FEATURE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("policylang.fmt.command", "fmt"),
    ("policylang.lsp.command", "lsp"),
    ("policylang.timeline", "timeline"),
    ("policylang.analysis.command", "analyze"),
    ("policylang.testing.command", "test"),
)

for _module, _name in FEATURE_COMMANDS:
    cli.add_command(getattr(__import__(_module, fromlist=[_name]), _name))


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
