"""`policylang compile`: compile a library and show the Python that decides its cases.

Takes: paths of `.ecp` files or folders (default: the shipped library); `--show CLAUSE` for one
clause (`"MOFCOM-2024-46 2(a)"`, or a clause number alone) with the definitions it uses.
Returns: prints the generated source (all of it with `--show` and no clause); without `--show`, a
line saying how many rules were compiled. Exit 0, or 2 when the library does not check or the
clause is unknown.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policylang.colour import painter
from policylang.library import load, policies_dir


@click.command("compile")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib.")
@click.option("--show", "show", is_flag=False, flag_value="", default=None, metavar="[CLAUSE]",
              help="Print the generated Python, of one clause when one is named.")
def compile(paths, no_stdlib: bool, show: str | None) -> None:  # noqa: A001 - the command's name
    """Compile policies to Python, and show what runs."""
    from policylang import diagnostics as D
    from policylang.compile import compile_program

    program, diags = load(list(paths) or [policies_dir()], with_stdlib=not no_stdlib)
    if program is None:
        click.echo(D.render_text(diags, paint=painter(sys.stderr)), err=True, color=True)
        sys.exit(2)
    engine = compile_program(program)
    if show is None:
        click.echo(f"ok: {len(engine.rules)} rule(s) of {len(program.clauses)} clause(s) compiled; "
                   "`--show [CLAUSE]` prints the Python")
        return
    try:
        click.echo(engine.source(show or None), nl=False)
    except KeyError:
        click.echo(f"error: no clause `{show}` in the library (write it as `MOFCOM-2024-46 2(a)`)", err=True)
        sys.exit(2)
