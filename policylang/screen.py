"""`policylang screen`: names alone, screened against every list in force on a date, for the
review desk.

Takes: party names (arguments, or `--file F` with one name a line, `-` for standard input), a
date (default today), the library (`--policies`, `--no-stdlib`), a reviewer's verdicts
(`--dispositions`), the review threshold.
Returns: for each name, in order: the lists it is on (an exact match after normalisation, or a
reviewer's `match`), its near matches with their scores (and the verdict on each, if any), and
whether a person must review it; as text or JSON (`--format json`: one array). Exit 0; 3 with
`--fail-on-review` when some name needs review; 2 when the command cannot run.
Guarantees: the same screening as `eval`'s (`Law.screening`: the same normalisation, near
matching, entries in force on the date and verdicts), so a name screened here is treated alike
in a case's `exporter`, `importer` or `end_user`.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import attrs
import click

from policylang.options import DATE
from policylang.semantics.screening import REVIEW_THRESHOLD

MAX_NAME = 1000         # characters of a name; a longer line is no party name


@attrs.frozen
class Screened:
    """One name screened: the lists it is on and its near matches."""
    name: str
    date: datetime.date
    listed: tuple[dict, ...]
    near_matches: tuple
    needs_review: bool

    def to_json(self) -> dict:
        near = []
        for m in self.near_matches:
            found = {"list": m.list, "entry": m.entry, "score": m.score}
            if m.disposition is not None:
                found["disposition"] = m.disposition.to_json()
            near.append(found)
        return {"name": self.name, "date": self.date.isoformat(), "listed": list(self.listed),
                "near_matches": near, "needs_review": self.needs_review}

    def text(self) -> str:
        lines = [self.name + ("  NEEDS REVIEW" if self.needs_review else "")]
        for entry in self.listed:
            by = entry.get("disposition")
            how = f" by a reviewer's verdict ({by['reviewer']}, {by['date']})" if by else ""
            lines.append(f"  LISTED on {entry['list']} as `{entry['entry']}`{how}")
        for m in self.near_matches:
            verdict = ""
            if m.disposition is not None:
                said = "cleared" if m.disposition.verdict == "no_match" else "confirmed as a match"
                verdict = f", {said} by {m.disposition.reviewer} on {m.disposition.date}"
            lines.append(f"  near `{m.entry}` on {m.list} (score {m.score}){verdict}")
        if len(lines) == 1:
            lines.append("  no entry of a list in force is close")
        return "\n".join(lines)


def screen_name(screening, lists, name: str, day: datetime.date, threshold: float) -> Screened:
    """One name against every list in force on the day."""
    listed = []
    for list_name in lists:
        exact = screening.matches(name, list_name, day)
        if exact is not None:
            listed.append({"list": list_name, "entry": exact.name})
            continue
        verdict = screening.listing(name, list_name, day)
        if verdict is not None:
            listed.append({"list": list_name, "entry": verdict.entry, "disposition": verdict.to_json()})
    near = tuple(screening.near_matches("", name, day))
    review = any(m.score >= threshold and m.disposition is None for m in near)
    return Screened(name, day, tuple(listed), near, review)


def _names(names: tuple[str, ...], names_file: str | None) -> list[str]:
    found = list(names)
    if names_file is not None:
        stream = sys.stdin if names_file == "-" else Path(names_file).open(encoding="utf-8-sig")
        try:
            for line in stream:
                name = line.strip()
                if name:
                    found.append(name)
        finally:
            if stream is not sys.stdin:
                stream.close()
    too_long = [n for n in found if len(n) > MAX_NAME]
    if too_long:
        raise click.BadParameter(f"a name of {len(too_long[0])} characters: names are at most {MAX_NAME}",
                                 param_hint="NAMES")
    return found


@click.command("screen")
@click.argument("names", nargs=-1)
@click.option("--file", "names_file", type=click.Path(exists=True, dir_okay=False, allow_dash=True),
              help="Read the names from FILE, one a line (- for standard input).")
@click.option("--date", "day", type=DATE, help="Screen against the lists in force on this date (default today).")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib.")
@click.option("--dispositions", "dispositions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A reviewer's verdicts on near matches (YAML or JSON).")
@click.option("--review-threshold", type=click.FloatRange(0, 100), default=REVIEW_THRESHOLD, show_default=True,
              help="A near match scoring at least this needs review.")
@click.option("--fail-on-review", is_flag=True, help="Exit 3 when some name needs review.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def screen(names, names_file, day, policy_dirs, no_stdlib, dispositions_file, review_threshold, fail_on_review,
           fmt) -> None:
    """Screen NAMES against every entity list in force on a date, with scores, for review."""
    from policylang.cli import EXIT_NEEDS_REVIEW, _load_or_exit, dispositions_or_exit
    from policylang.eval.law import Law
    from policylang.library import policies_dir

    wanted = _names(names, names_file)
    if not wanted:
        raise click.UsageError("give names to screen, or `--file F`")
    program, _ = _load_or_exit([str(p) for p in (policy_dirs or [policies_dir()])], with_stdlib=not no_stdlib)
    dispositions = dispositions_or_exit(dispositions_file, program) if dispositions_file else None
    screening = Law(program, dispositions).screening
    day = day or datetime.date.today()
    found = [screen_name(screening, program.entity_lists, name, day, review_threshold) for name in wanted]
    if fmt == "json":
        click.echo(json.dumps([s.to_json() for s in found], ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(s.text() for s in found))
    if fail_on_review and any(s.needs_review for s in found):
        sys.exit(EXIT_NEEDS_REVIEW)
