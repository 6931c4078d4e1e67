"""`policylang log verify FILE`: decide every case of a decision log again and say what differs.

Takes: a decision log written by `eval --log`; the library (`--policies`, `--no-stdlib`; default
the installed one), the engine, `--allow-library-change`, `--format text|json`.
Returns: one line per decision that differs, was refused or could not be read, then a summary
(text); or `{"installed", "checked", "same", "differs", "refused", "unreadable", "lines": [...]}`
(JSON). Exit 0: every decision is the same; 1: some decision differs; 4: no decision differs but
some were refused, made by another library than the installed one (pass
`--allow-library-change` to decide them with it and see what changed); 2: the command could not
run (the log cannot be read, a line is not a log line, the library does not check).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from policylang.audit.verify import DIFFERS, REFUSED, SAME, UNREADABLE, Checked, Verifier

EXIT_SAME, EXIT_DIFFERS, EXIT_CANNOT_RUN, EXIT_REFUSED = 0, 1, 2, 4


@click.group("log")
def log() -> None:
    """The decision log that `eval --log FILE` appends to: the audit trail."""


@log.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib.")
@click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True)
@click.option("--allow-library-change", is_flag=True,
              help="Decide cases logged with another library with the installed one, and report what changed.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(file: Path, policy_dirs, no_stdlib: bool, engine: str, allow_library_change: bool, fmt: str) -> None:
    """Decide every logged case again (as of its logged dates and options) and report any
    decision that would now differ."""
    from policylang.cli import _load_or_exit
    from policylang.library import policies_dir

    program, _ = _load_or_exit([str(p) for p in (policy_dirs or [policies_dir()])], with_stdlib=not no_stdlib)
    verifier = Verifier(program, engine, allow_library_change)
    counts = {SAME: 0, DIFFERS: 0, REFUSED: 0, UNREADABLE: 0}
    refused_digests: dict[str, int] = {}
    shown = []
    try:
        with file.open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                if not text.strip():
                    continue
                checked = verifier.check(number, text)
                counts[checked.status] += 1
                if checked.status == REFUSED:
                    refused_digests[checked.digest] = refused_digests.get(checked.digest, 0) + 1
                elif checked.status != SAME:
                    if fmt == "text":
                        click.echo(_line(file, checked))
                    else:
                        shown.append(checked.to_json())
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"error: cannot read the log `{file}`: {getattr(exc, 'strerror', None) or exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    installed = verifier.identity.digest
    if fmt == "json":
        click.echo(json.dumps({"installed": installed, "checked": sum(counts.values()), **counts,
                               "refused_digests": refused_digests, "lines": shown}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"verified {counts[SAME] + counts[DIFFERS]} decision(s) of {file}: {counts[SAME]} the same, "
                   f"{counts[DIFFERS]} differ" + (f", {counts[UNREADABLE]} line(s) not read" if counts[UNREADABLE] else ""))
        for digest, n in refused_digests.items():
            click.echo(f"refused {n} decision(s): made with the library {digest}, not the installed {installed}; "
                       "they cannot be verified with it\n  = help: pass --allow-library-change to decide them with "
                       "the installed library and see what changed", err=True)
    if counts[UNREADABLE]:
        sys.exit(EXIT_CANNOT_RUN)
    if counts[DIFFERS]:
        sys.exit(EXIT_DIFFERS)
    sys.exit(EXIT_REFUSED if counts[REFUSED] else EXIT_SAME)


def _line(file: Path, c: Checked) -> str:
    where = f"{file}:{c.line}"
    if c.status == UNREADABLE:
        return f"{where}: {c.problem}"
    who = f" {c.case_id}" if c.case_id is not None else ""
    if c.was != c.now:
        return f"{where}{who} (decision {c.decision_id}): outcome {c.was}, now {c.now}"
    return f"{where}{who} (decision {c.decision_id}): the decision differs in {', '.join(c.fields)}"
