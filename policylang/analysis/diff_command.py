"""`policylang diff`: what changes, between two dates of a library or two versions of it.

Takes: `--dates D1 D2` (with `--policies`, default the shipped library), or `--old X --new Y`,
each a folder or file of policies (read with the shipped stdlib) or a git revision of the
repository the command runs in (its `policies/` and `stdlib/` at that revision).
Returns: prints the diff (`diff.py`) as text or JSON; exit status 0 when nothing changes, 1 when
something does, 2 when the diff cannot be made (a library that does not check, an unknown
revision, two schemas).
Guarantees: every witness printed is the case as `policylang eval` reads it, with both decisions
the interpreter gives it (`eval --as-of` reproduces those of a date diff); nothing is printed
that depends on time or on the order of a hash.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang.library import load, policies_dir, stdlib_dir
from policylang.options import DATE

EXIT_SAME, EXIT_DIFFERENT, EXIT_CANNOT_RUN = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_CANNOT_RUN)


def _load(paths, with_stdlib: bool = True):
    program, diags = load(paths, with_stdlib=with_stdlib)
    if program is None:
        click.echo(D.render_text(diags), err=True)
        sys.exit(EXIT_CANNOT_RUN)
    return program


def _version(name: str, scratch: Path):
    """A library named by a path, or by a git revision of the repository here."""
    if Path(name).exists():
        return _load([name])
    git = ["git", "-C", str(Path.cwd())]
    found = subprocess.run([*git, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
                           capture_output=True, text=True)
    if found.returncode != 0:
        _fail(f"`{name}` is neither a folder or file of policies nor a git revision here")
    top = Path(subprocess.run([*git, "rev-parse", "--show-toplevel"], capture_output=True, text=True).stdout.strip())
    parts = [str(p.resolve().relative_to(top.resolve())) for p in (policies_dir(), stdlib_dir())
             if p.resolve().is_relative_to(top.resolve())] or ["policies", "stdlib"]
    archive = subprocess.run(["git", "-C", str(top), "archive", "--format=tar", found.stdout.strip(), "--", *parts],
                             capture_output=True)
    if archive.returncode != 0:
        _fail(f"git cannot export {', '.join(parts)} at `{name}`: {archive.stderr.decode(errors='replace').strip()}")
    target = scratch / name.replace("/", "_")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    folders = [target / p for p in parts if (target / p).is_dir()]
    has_stdlib = any(p.name == "stdlib" for p in folders)
    return _load(folders, with_stdlib=not has_stdlib)


@click.command("diff")
@click.option("--dates", nargs=2, type=DATE, metavar="D1 D2",
              help="Two dates of one library: the clauses whose status changes and the cases decided differently.")
@click.option("--old", "old", metavar="PATH|REV", help="The old library: a folder or file of policies, or a git revision.")
@click.option("--new", "new", metavar="PATH|REV", help="The new library, likewise.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="With --dates: a folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--max-list", "max_list", type=click.IntRange(0, 5), default=2, show_default=True,
              help="The most elements a list of the case has in a witness.")
def diff(dates, old: str | None, new: str | None, policy_dirs, fmt: str, max_list: int) -> None:
    """Say what changes: between two dates (`--dates 2026-11-27 2026-11-28`), or between two
    versions of a library (`--old DIR --new DIR`, or two git revisions), with a witness case for
    each change of outcome."""
    from policylang.analysis.diff import SchemaMismatch, diff_dates, diff_versions
    from policylang.analysis.symbolic import Bounds
    bounds = Bounds(list_length=max_list)
    if dates and (old or new) or not dates and not (old and new):
        raise click.UsageError("give either --dates D1 D2, or both --old and --new")
    if dates:
        first, second = dates
        if second <= first:
            raise click.BadParameter("the second date must come after the first", param_hint="--dates")
        result = diff_dates(_load(policy_dirs or [policies_dir()]), first, second, bounds)
    else:
        with tempfile.TemporaryDirectory(prefix="policylang-diff-") as scratch:
            programs = [_version(name, Path(scratch)) for name in (old, new)]
            try:
                result = diff_versions(*programs, bounds, names=(old, new))
            except SchemaMismatch as exc:
                _fail(str(exc))
    click.echo(to_json(result, bool(dates)) if fmt == "json" else to_text(result, bool(dates)))
    sys.exit(EXIT_DIFFERENT if result.changes or result.differences else EXIT_SAME)


def to_json(d, dated: bool) -> str:
    key = lambda k: {"policy": k.policy, "clause": k.clause}  # noqa: E731
    return json.dumps({
        "before": d.before, "after": d.after,
        "changes": [{**key(c.key), "before": c.before, "after": c.after} for c in d.changes],
        "differences": [{**key(x.key), "status": x.status, **({"reason": x.reason} if x.reason else {}),
                         **({} if dated else {"windows": _windows(x.windows)}),
                         "witness": x.witness, "before": x.before, "after": x.after} for x in d.differences],
        "same": [key(k) for k in d.same],
        "stats": {"queries": d.queries},
    }, ensure_ascii=False, indent=2)


def _windows(windows) -> list:
    from policylang.analysis.findings import _end, _start
    return [[_start(a), _end(b)] for a, b in windows]


def to_text(d, dated: bool) -> str:
    from policylang.analysis.findings import windows_text
    lines = [f"Between {d.before} and {d.after}" if dated else f"From {d.before} to {d.after}", ""]
    what = "status changes" if dated else "text differs"
    if d.changes:
        lines.append(f"Clauses whose {what} ({len(d.changes)}):")
        width = max(len(str(c.key)) for c in d.changes)
        lines += [f"  {str(c.key):<{width}}  {c.before}  ->  {c.after}" for c in d.changes]
    else:
        lines.append(f"No clause's {what}.")
    lines.append("")
    if d.differences:
        lines.append(f"Cases decided differently ({len(d.differences)}):")
    for x in d.differences:
        head = (f"{x.key}: {x.before['outcome']} on {d.before}, {x.after['outcome']} on {d.after}" if dated else
                f"{x.key}: {x.before['outcome']} by {d.before}, {x.after['outcome']} by {d.after} "
                f"({windows_text(x.windows)})")
        lines.append(f"  {head}" + (" [unconfirmed]" if x.reason else ""))
        if x.reason:
            lines.append(f"    not confirmed: {x.reason}")
        lines.append(f"    witness: {json.dumps(x.witness, ensure_ascii=False)}")
        if dated:
            lines.append(f"    eval: `policylang eval --as-of {d.before} W.json` and `--as-of {d.after}`, W.json the witness")
    if d.same:
        lines.append("Changed, but no case is decided differently (proven within the search bounds): "
                     + ", ".join(str(k) for k in d.same))
    if not d.differences and not d.same:
        lines.append("No case is decided differently.")
    lines.append(f"{d.queries} solver queries")
    return "\n".join(lines)
