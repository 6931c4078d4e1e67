"""The command line: thin click commands over the façade.

Takes: arguments and files.
Returns: renders results and sets the exit status. `eval` follows contract §7: 0 every case
evaluated, 1 some case invalid (still decided), 2 the command could not run (bad usage, a policy
that does not check), 3 with `--fail-on-review` no case invalid but some decision needs review. `check` exits 0 when the library checks, 2 when it does not.
Guarantees: a problem in a policy or a case is a diagnostic, never a Python traceback; an
internal fault is reported in one line as such (set POLICYLANG_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path

import click

from policylang import diagnostics as D
from policylang import limits
from policylang.engines import engine as make_engine
from policylang.eval.decision import render_library
from policylang.library import load, policies_dir
from policylang.colour import painter, wants_colour
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
    "serve": "policylang.serve.command",
    "screen": "policylang.screen",
    "schema": "policylang.schema",
    "log": "policylang.audit.command",
    "rescreen": "policylang.rescreen",
    "report": "policylang.report",
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
@click.option("--limit", "limit_settings", multiple=True, metavar="NAME=VALUE",
              help="Change a limit on what is read (repeatable; see the README's Limits), "
                   f"as the environment variable {limits.ENVIRONMENT} does.")
def cli(limit_settings: tuple[str, ...]) -> None:
    """Export-control law as code: check policies, decide cases, explain why."""
    try:
        limits.current()
    except ValueError as exc:
        raise click.UsageError(f"{limits.ENVIRONMENT}: {exc}") from None
    try:
        limits.configure(**limits.parse_settings(" ".join(limit_settings)))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--limit") from None


def _load_or_exit(paths, with_stdlib: bool = True, fmt: str = "text"):
    program, diags = load(paths, with_stdlib=with_stdlib)
    if program is None:
        shown = D.render_json(diags) if fmt == "json" else D.render_text(diags, paint=painter(sys.stderr))
        click.echo(shown, err=True, color=True)
        sys.exit(EXIT_CANNOT_RUN)
    return program, diags


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
@click.option("--deny-warnings", is_flag=True, help="Fail (exit 2) on any warning too, as a CI gate.")
def check(paths: tuple[Path, ...], fmt: str, no_stdlib: bool, deny_warnings: bool) -> None:
    """Check policies: syntax, names, types, units, clause references, dates.

    With no PATHS, checks the shipped stdlib and policies.
    """
    program, diags = load(paths or [policies_dir()], with_stdlib=not no_stdlib)
    if fmt == "json":
        click.echo(D.render_json(diags))
    elif diags:
        click.echo(D.render_text(diags, paint=painter(sys.stderr)), err=True, color=True)
    if program is None:
        sys.exit(EXIT_CANNOT_RUN)
    if deny_warnings and diags:
        if fmt == "text":
            click.echo(f"failed: {len(diags)} warning(s), and --deny-warnings makes them errors", err=True)
        sys.exit(EXIT_CANNOT_RUN)
    if fmt == "text":
        click.echo(f"ok: {len(program.modules)} module(s), {len(program.announcements)} announcement(s), "
                   f"{len(program.clauses)} clause(s)")


@cli.command("eval")
@click.argument("cases", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
@click.option("--date", "date", type=DATE, help="The date of cases that give none.")
@click.option("--as-of", "as_of", type=DATE,
              help="Decide every case as if its date were this one (what-if); decisions give both dates.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default=None,
              help="How decisions are written  [default: jsonl for an --output ending in .jsonl, else text].")
@click.option("--output", "-o", "output", type=click.Path(writable=True, path_type=Path),
              help="Write the decisions to FILE instead of standard output; a FILE ending in .parquet, "
                   ".csv or .duckdb gets them as a table (with --spark, a folder of part files).")
@click.option("--query", metavar="SQL",
              help="Decide the rows of this SQL query, run by an embedded DuckDB (extra `batch`).")
@click.option("--database", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="The DuckDB database file `--query` runs in (read-only); default: none, in memory.")
@click.option("--spark", "spark_master", metavar="MASTER",
              help="Decide on Apache Spark at MASTER (`local[2]`, `spark://host:7077`; extra `spark`).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes deciding cases (0: one per core); the output is the same.")
@click.option("--engine", type=click.Choice(["compiled", "interpreter"]), default="compiled", show_default=True,
              help="The compiled engine, or the reference interpreter it agrees with.")
@click.option("--review-threshold", type=click.FloatRange(0, 100), default=REVIEW_THRESHOLD, show_default=True,
              help="A near match of a party name scoring at least this needs review (`needs_review`).")
@click.option("--fail-on-review", is_flag=True,
              help="Exit 3 when no case is invalid but some decision needs review (contract §7).")
@click.option("--explain", is_flag=True,
              help="Say why each clause relevant to a case did not apply: the first condition that failed.")
@click.option("--dispositions", "dispositions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A reviewer's verdicts on near matches (YAML or JSON): `match` lists the party, "
                   "`no_match` clears the near match.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per decision to FILE: the audit trail (`policylang log verify`).")
def eval_(cases: tuple[str, ...], policy_dirs: tuple[Path, ...], no_stdlib: bool, date, as_of, fmt: str | None,
          output, query: str | None, database: str | None, spark_master: str | None, jobs: int, engine: str,
          review_threshold: float, fail_on_review: bool, explain: bool, dispositions_file: Path | None,
          log_file: Path | None) -> None:
    """Decide CASES (.json, .jsonl, .csv or .parquet files, globs of them, or - for standard
    input) and explain why.

    JSON lines and tables are decided and written a chunk at a time, so any size fits in memory.
    The case format is docs/cases.md; `policylang schema` prints it as a JSON Schema."""
    from policylang.eval import runner
    from policylang.eval.report import Report

    if not cases and query is None:
        raise click.UsageError("give CASES, or rows to decide with `--query`")
    if spark_master is not None and log_file is not None:
        # Spark's executors write the decisions themselves: a log kept here would not hold them
        raise click.UsageError("`--spark` does not take `--log` yet: decide with `policylang eval` on one "
                               "machine for a logged run")
    if output is not None and output.is_dir() and spark_master is None:
        raise click.BadParameter(f"`{output}` is a folder", param_hint="'--output'")
    if fmt is None:
        fmt = "jsonl" if output is not None and output.suffix.lower() == ".jsonl" else "text"
    paths = tuple(str(p) for p in (policy_dirs or [policies_dir()]))
    program, _ = _load_or_exit(paths, with_stdlib=not no_stdlib)
    dispositions = dispositions_or_exit(dispositions_file, program) if dispositions_file else None
    records = tuple(dispositions.records()) if dispositions else ()
    deciding = make_engine(program, engine, review_threshold, dispositions, explain)
    log, log_context = None, None
    if log_file is not None:
        from policylang.audit.log import DecisionLog, LogContext
        log_context = LogContext(engine, ("policylang", *sys.argv[1:]), deciding.law.identity.to_json(), date,
                                 as_of, review_threshold, explain, records)
        try:
            log = DecisionLog(log_file)
        except OSError as exc:
            raise click.BadParameter(f"cannot append to `{log_file}`: {exc.strerror or exc}",
                                     param_hint="--log") from None
    job = runner.EvalJob(paths, not no_stdlib, engine, review_threshold, date, fmt, as_of,
                         explain=explain, dispositions=records, log=log_context,
                         colour=fmt == "text" and output is None and wants_colour(sys.stdout))
    if spark_master is not None:
        from policylang.spark import eval_command
        sys.exit(_tables_or_exit(lambda: eval_command(spark_master, cases, query, job, output, fail_on_review)))
    from policylang import tables

    table_run = None
    if tables.involves_tables(cases, output, query):
        from policylang.tables import evaluate as table_run
    table_output = tables.is_table_output(output)
    total = _tables_or_exit(lambda: table_run.total_rows(cases, query)) if table_run else None
    decider = runner.Decider(job, deciding)
    write = functools.partial(_write, log=log)
    jobs = jobs or os.cpu_count() or 1
    pool = runner.Pool(job, jobs) if jobs > 1 else None
    out = output.open("w", encoding="utf-8") if output and not table_output else sys.stdout
    report = Report(sys.stderr, total=total)
    writer = _Writer(out, fmt, one_array=fmt == "json" and len(cases) > 1, log=log)
    try:
        if table_run is not None:
            _tables_or_exit(lambda: table_run.run(cases, query, database, decider, pool, output, fmt, report, out,
                                                  write, log))
        else:
            for name in cases:
                try:
                    units, shape = runner.units_of(name)
                except OSError as exc:
                    raise click.BadParameter(f"cannot read `{name}`: {exc.strerror or exc}",
                                             param_hint="CASES") from None
                chunk = runner.STREAM_CHUNK if name == "-" else runner.CHUNK
                shape = writer.shape(shape)
                each = runner.output_format(fmt, shape)
                decided = pool.decide(units, chunk, each) if pool else (decider.decide(u, each) for u in units)
                writer.write(report.count(decided), shape, flush=name == "-")
            writer.close()
        if fmt == "text" and not table_output:
            out.write("\n" + render_library(decider.engine.law.identity) + "\n")
    finally:
        if log is not None:
            log.close()
        if pool:
            pool.close()
        if out is not sys.stdout:
            out.close()
        report.close()
    if report.invalid:
        sys.exit(EXIT_INVALID_CASE)
    sys.exit(EXIT_NEEDS_REVIEW if report.needs_review and fail_on_review else EXIT_OK)


def _tables_or_exit(action):
    """Run `action`; an input that cannot be read or a missing extra ends the command (exit 2)."""
    from policylang.tables import MissingExtra
    from policylang.tables.sources import SourceError

    try:
        return action()
    except (MissingExtra, SourceError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_RUN)


class _Writer:
    """Writes decisions as they come: JSON lines, one JSON array, one JSON object, or text. With
    `one_array` (`--format json` over several inputs) every decision of every input goes into
    one JSON array, so that the output is one JSON value. With a decision log, each decision goes
    to the log first."""

    def __init__(self, out, fmt: str, one_array: bool = False, log=None):
        self.out, self.fmt, self.one_array, self.log = out, fmt, one_array, log
        self.first = True           # nothing written yet (of the array, or of the input)

    def shape(self, shape: str) -> str:
        from policylang.eval.runner import ARRAY

        return ARRAY if self.one_array else shape

    def write(self, decided, shape: str, flush: bool) -> None:
        from policylang.eval.runner import ARRAY, LINES

        out, fmt = self.out, self.fmt
        as_lines = fmt == "jsonl" or (fmt == "json" and shape == LINES)
        if not self.one_array:
            self.first = True
        for d in decided:
            if self.log is not None:      # the decision log first (a batch at a time; at once when streaming)
                self.log.add(d.log)
                if flush:
                    self.log.flush()
            if as_lines:
                out.write(d.text + "\n")
            elif fmt == "json" and shape == ARRAY:
                out.write(("[\n" if self.first else ",\n") + _indented(d.text))
            elif fmt == "json":
                out.write(d.text + "\n")
            else:
                out.write(("" if self.first else "\n\n") + d.text)
            self.first = False
            if flush:
                out.flush()
        if not self.one_array:
            self._end(fmt == "json" and shape == ARRAY and not as_lines, fmt == "text")

    def close(self) -> None:
        if self.one_array:
            self._end(True, False)

    def _end(self, array: bool, text: bool) -> None:
        if array:
            self.out.write("[]\n" if self.first else "\n]\n")
        elif text and not self.first:
            self.out.write("\n")


def _write(out, decided, fmt: str, shape: str, flush: bool, log=None) -> None:
    """Write the decisions of one input (the service and the tables use this)."""
    writer = _Writer(out, fmt, log=log)
    writer.write(decided, shape, flush)


def dispositions_or_exit(path: Path, program):
    """A reviewer's verdicts from a file, checked against the library's lists; their stale
    verdicts are warned about on standard error; a file that cannot be used stops the command
    (exit 2)."""
    from policylang.eval.law import Law
    from policylang.semantics.dispositions import load as load_dispositions, stale

    dispositions, problems = load_dispositions(path, program.entity_lists)
    if dispositions is not None:
        problems += stale(dispositions, Law(program).screening)
    if problems:
        click.echo(D.render_text(problems), err=True)
    if dispositions is None:
        sys.exit(EXIT_CANNOT_RUN)
    return dispositions


def _indented(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


def main() -> None:
    """Entry point of the `policylang` console script."""
    try:
        cli.main(prog_name="policylang", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # an internal fault: one line, never a traceback, unless asked
        if os.environ.get("POLICYLANG_DEBUG"):
            raise
        click.echo(f"error: internal error in policylang: {exc.__class__.__name__}: {exc} "
                   "(set POLICYLANG_DEBUG=1 for details and report it)", err=True)
        sys.exit(EXIT_CANNOT_RUN)


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the completion script for SHELL (commands, options, file names).

    \b
    bash:  eval "$(policylang completion bash)"       (in ~/.bashrc)
    zsh:   eval "$(policylang completion zsh)"        (in ~/.zshrc)
    fish:  policylang completion fish > ~/.config/fish/completions/policylang.fish
    """
    from click.shell_completion import get_completion_class

    source = get_completion_class(shell)(cli, {}, "policylang", "_POLICYLANG_COMPLETE")
    click.echo(source.source())
