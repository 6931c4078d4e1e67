"""`policylang fmt`: format `.ecp` files in place, or check or show what would change.

Takes: paths of `.ecp` files or folders, or `-` for standard input; with no paths, `--check` and
`--diff` look at the shipped stdlib and policies (which are never rewritten).
Returns: exit 0 when done (or, with `--check`, when every file is already formatted); 1 when
`--check` finds a file that formatting would change; 2 when a file does not parse (its syntax
diagnostics are printed, the file is left alone).
Guarantees: `--check` and `--diff` never write; a file is written only when its text changes.
Files are read as `check` reads them (`library.read`: links out of the folders named, files that
are not regular or over `policy_bytes` are refused; a file that is not UTF-8 gets a placed
diagnostic and is left alone).
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang.colour import painter
from policylang import library, limits
from policylang.fmt import format_source
from policylang.library import policies_dir, stdlib_dir
from policylang.source import SourceFile
from policylang.syntax.parser import too_large

EXIT_OK, EXIT_WOULD_CHANGE, EXIT_CANNOT_RUN = 0, 1, 2


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True, path_type=str))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print what would change as a diff.")
def fmt(paths: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Format .ecp files in place (PATHS: files or folders, - for stdin).

    With no PATHS, only looks: `--check` or `--diff` on the shipped stdlib and policies; it
    never rewrites the installed library.
    """
    if not paths and not (check or show_diff):
        raise click.UsageError("give the files or folders to format (`policylang fmt .`); with no PATHS, "
                               "only --check and --diff look at the shipped library, which is never rewritten")
    if paths == ("-",):
        _format_stdin(check, show_diff)
        return
    changed = []
    files, problems = library.read(paths or [stdlib_dir(), policies_dir()])
    if problems:
        click.echo(D.render_text(problems), err=True)
    broken = bool(problems)
    for path, data in files:
        source, diags = library.decode(path, data)
        if source is None:
            click.echo(D.render_text(diags), err=True)
            broken = True
            continue
        text = source.text
        formatted, diags = format_source(text, _display(path))
        if formatted is None:
            click.echo(D.render_text(diags, paint=painter(sys.stderr)), err=True, color=True)
            broken = True
            continue
        if formatted == text:
            continue
        changed.append(path)
        if show_diff:
            click.echo(_diff(text, formatted, _display(path)), nl=False)
        if check:
            click.echo(f"would reformat {_display(path)}", err=True)
        elif not show_diff:
            path.write_text(formatted, encoding="utf-8")
            click.echo(f"formatted {_display(path)}", err=True)
    if broken:
        sys.exit(EXIT_CANNOT_RUN)
    if check and changed:
        sys.exit(EXIT_WOULD_CHANGE)


def _format_stdin(check: bool, show_diff: bool) -> None:
    bound = limits.current().policy_bytes
    data = sys.stdin.buffer.read(bound + 1)
    source, diags = library.decode("<stdin>", data)
    if source is None or len(data) > bound:
        click.echo(D.render_text(diags or [too_large(SourceFile("<stdin>", ""), len(data))]), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    text = source.text
    formatted, diags = format_source(text, "<stdin>")
    if formatted is None:
        click.echo(D.render_text(diags, paint=painter(sys.stderr)), err=True, color=True)
        sys.exit(EXIT_CANNOT_RUN)
    if show_diff:
        click.echo(_diff(text, formatted, "<stdin>"), nl=False)
    elif not check:
        click.echo(formatted, nl=False)
    if check and formatted != text:
        sys.exit(EXIT_WOULD_CHANGE)


def _diff(before: str, after: str, name: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"{name} (original)", tofile=f"{name} (formatted)"))


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
