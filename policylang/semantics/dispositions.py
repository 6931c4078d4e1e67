"""A reviewer's verdicts on near matches: the dispositions of `eval --dispositions FILE`.

Takes: a YAML or JSON file of dispositions, each `{party, entry, list?, verdict, reviewer, date,
note?}` (a list of them, or `{"dispositions": [...]}`), and the library's entity lists
(`Program.entity_lists`; for `stale`, its `Screening`).
Returns: `Dispositions`: each verdict on a pair (a party's name, a list entry), found by the
name's normal form (`screening.normalise`) and the entry; the file's errors (E601-E606) when it
cannot be used; and `stale` warnings (W601) for verdicts on a name that no longer near-matches
its entry.
Guarantees:
- a `match` makes every party of that name (after normalisation) listed on the entry's list, on
  every date the entry is in force there (`Screening.is_listed` asks `listing`); a `no_match`
  clears that near match, which is still reported, with the verdict (`verdict_on`). A verdict
  identifies a name with an entry whatever the case's date; the entry's own dates still decide
  whether it is in force;
- for one pair the latest verdict (by date) counts; two opposite verdicts on one date are an
  error, for the review desk to settle;
- an entry is named as the library writes it (case, punctuation and legal forms aside), on its
  own list; an entry the library does not have is an error, with the closest entry as a hint;
- the verdicts never depend on the order of the file beyond the rule above, and a file read
  twice gives equal `Dispositions` (the engines and workers rebuild it from `records`).

Reading (issue 12): a verdict on a pair that is no longer a near match (the matcher changed, or
the name matches the entry exactly now) is reported as stale and still counts: a person's
identification outlives a score, and dropping a `match` silently would loosen outcomes.

>>> import datetime
>>> from policylang import ast
>>> uel = ast.EntityList("unreliable_entity_list", (ast.Entity("Epirus, Inc."),))
>>> found, problems = from_records([{"party": "Epirus Holdings", "entry": "Epirus Inc",
...     "verdict": "match", "reviewer": "J. Doe", "date": "2026-01-05"}], {"unreliable_entity_list": uel})
>>> problems, found.listing("epirus holdings", "unreliable_entity_list").entry
([], 'Epirus, Inc.')
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import attrs
from rapidfuzz import fuzz, process

from policylang import ast
from policylang.diagnostics import Diagnostic, error, warning
from policylang.semantics.screening import Screening, normalise

MATCH, NO_MATCH = "match", "no_match"
VERDICTS = (MATCH, NO_MATCH)
FIELDS = ("party", "entry", "list", "verdict", "reviewer", "date", "note")
REQUIRED = ("party", "entry", "verdict", "reviewer", "date")
MAX_FILE_BYTES = 16 * 1024 * 1024     # far beyond any review desk's file; a bound on reading


@attrs.frozen
class Disposition:
    """One verdict: the party's name and the entry as the file gives them, the entry's list, who
    decided and when, and why; `number` is its place in the file (1 for the first)."""
    party: str
    entry: str                  # as the library writes it
    list: str
    verdict: str
    reviewer: str
    date: datetime.date
    note: str | None = None
    number: int = attrs.field(default=0, eq=False)

    def to_json(self) -> dict:
        """The verdict as a decision cites it."""
        found = {"verdict": self.verdict, "reviewer": self.reviewer, "date": self.date.isoformat()}
        return {**found, "note": self.note} if self.note else found

    def record(self) -> dict:
        """The disposition as the file writes it (what a decision log keeps)."""
        found = {"party": self.party, "entry": self.entry, "list": self.list, "verdict": self.verdict,
                 "reviewer": self.reviewer, "date": self.date.isoformat()}
        return {**found, "note": self.note} if self.note else found


class Dispositions:
    """The verdicts that count, by (normal name, list, entry)."""

    def __init__(self, verdicts: Iterable[Disposition]):
        self.all = tuple(verdicts)
        latest: dict[tuple[str, str, str], Disposition] = {}
        for d in self.all:
            key = (normalise(d.party), d.list, d.entry)
            if key not in latest or latest[key].date <= d.date:
                latest[key] = d
        self._by_pair = latest
        self._matches: dict[tuple[str, str], tuple[Disposition, ...]] = {}
        self._by_name: dict[str, list[Disposition]] = {}
        for (name, list_name, _), d in sorted(latest.items()):
            self._by_name.setdefault(name, []).append(d)
            if d.verdict == MATCH:
                self._matches[(name, list_name)] = self._matches.get((name, list_name), ()) + (d,)
        self.names = frozenset(self._by_name)

    def __bool__(self) -> bool:
        return bool(self._by_pair)

    def counting(self) -> list[Disposition]:
        """The verdicts that count (the latest on each pair), in a fixed order."""
        return [d for _, d in sorted(self._by_pair.items())]

    def verdict_on(self, normal: str, list_name: str, entry: str) -> Disposition | None:
        """The verdict that counts on a name (in normal form) and an entry of a list."""
        return self._by_pair.get((normal, list_name, entry))

    def matches(self, normal: str, list_name: str) -> tuple[Disposition, ...]:
        """The `match` verdicts that count on a name (in normal form) for entries of a list."""
        return self._matches.get((normal, list_name), ())

    def listing(self, normal: str, list_name: str, in_force: frozenset[str] | None = None) -> Disposition | None:
        """The first `match` verdict that lists the name on the list: on an entry in force
        (`in_force`: the entries' names on the day; None: any entry)."""
        for d in self.matches(normal, list_name):
            if in_force is None or d.entry in in_force:
                return d
        return None

    def concerning(self, names: Iterable[str]) -> "Dispositions":
        """The verdicts that count on these names (as a case gives them): what a decision of a
        case with those names can depend on."""
        wanted = sorted({normalise(n) for n in names if isinstance(n, str)} & self.names)
        return Dispositions(d for name in wanted for d in self._by_name[name])

    def without(self, dropped: Disposition) -> "Dispositions":
        return Dispositions(d for d in self._by_pair.values() if d != dropped)

    def records(self) -> list[dict]:
        """The verdicts that count, as the file writes them, in a fixed order."""
        return [d.record() for d in self.counting()]

    def digest(self) -> str:
        text = json.dumps(self.records(), ensure_ascii=False, sort_keys=True)
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ reading a file

def load(path: str | Path, lists: Mapping[str, ast.EntityList]) -> tuple[Dispositions | None, list[Diagnostic]]:
    """The dispositions of a YAML (`.yaml`, `.yml`) or JSON file, checked against the library's
    lists; None and the errors when it cannot be used."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [error("E601", file=str(path), detail=f"it is larger than {MAX_FILE_BYTES} bytes")]
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [error("E601", file=str(path), detail=getattr(exc, "strerror", None) or str(exc))]
    try:
        data = _parse(text, path.suffix.lower())
    except _Unreadable as exc:
        return None, [error("E601", file=str(path), detail=exc.detail, help=exc.help)]
    if isinstance(data, dict) and set(data) == {"dispositions"}:
        data = data["dispositions"]
    if data is None:
        data = []
    if not isinstance(data, list):
        return None, [error("E601", file=str(path), detail="it holds no list of dispositions",
                            help="write a list of `{party, entry, verdict, reviewer, date, note}`, "
                                 "or `dispositions:` followed by one")]
    return from_records(data, lists)


class _Unreadable(Exception):
    def __init__(self, detail: str, help: str | None = None):
        super().__init__(detail)
        self.detail, self.help = detail, help


def _parse(text: str, suffix: str) -> Any:
    if suffix == ".json":
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _Unreadable(f"not JSON: {getattr(exc, 'msg', exc)}") from None
    try:
        import yaml
    except ImportError:
        raise _Unreadable("reading YAML needs the PyYAML package",
                          help="`pip install pyyaml`, or write the dispositions as a `.json` file") from None
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise _Unreadable(f"not YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def from_records(records: list, lists: Mapping[str, ast.EntityList]) -> tuple[Dispositions | None, list[Diagnostic]]:
    """Dispositions from their records (as a file or a decision log holds them), checked against
    the library's entity lists."""
    entries: dict[str, dict[str, str]] = {}      # normal form of an entry -> list -> entry
    for list_name, declared in lists.items():
        for e in declared.entries:
            entries.setdefault(normalise(e.name), {}).setdefault(list_name, e.name)
    found, problems = [], []
    for number, record in enumerate(records, 1):
        d = _disposition(number, record, entries, problems)
        if d is not None:
            found.append(d)
    problems += _conflicts(found)
    if any(p.is_error for p in problems):
        return None, problems
    return Dispositions(found), problems


def from_checked(records: Iterable[dict]) -> list[Disposition]:
    """The dispositions of records checked before (`records()` of `Dispositions`), as they are."""
    return [Disposition(r["party"], r["entry"], r["list"], r["verdict"], r["reviewer"],
                        datetime.date.fromisoformat(r["date"]), r.get("note"), n)
            for n, r in enumerate(records, 1)]


def _disposition(number: int, record: Any, entries: dict, problems: list) -> Disposition | None:
    if not isinstance(record, dict):
        problems.append(error("E603", number=number, field="(the disposition)", why="is not a mapping of fields"))
        return None
    before = len(problems)
    for key in REQUIRED:
        if record.get(key) in (None, ""):
            problems.append(error("E602", number=number, field=key))
    for key in record:
        if key not in FIELDS:
            problems.append(error("E603", number=number, field=str(key), why="is no field of a disposition",
                                  help=_close(str(key), FIELDS)))
    verdict = record.get("verdict")
    if verdict is not None and verdict not in VERDICTS:
        problems.append(error("E603", number=number, field="verdict", why=f"is `{verdict}`, not `match` or `no_match`"))
    day = _day(record.get("date"))
    if record.get("date") is not None and day is None:
        problems.append(error("E603", number=number, field="date", why="is not a date written YYYY-MM-DD"))
    for key in ("party", "entry", "list", "reviewer", "note"):
        if record.get(key) is not None and not isinstance(record[key], str):
            problems.append(error("E603", number=number, field=key, why="is not text"))
    if len(problems) > before:
        return None
    on_lists = entries.get(normalise(record["entry"]), {})
    wanted = record.get("list")
    if wanted is not None:
        on_lists = {wanted: on_lists[wanted]} if wanted in on_lists else {}
    if not on_lists:
        problems.append(error("E604", number=number, entry=record["entry"],
                              where=f" on `{wanted}`" if wanted else "", help=_closest_entry(record["entry"], entries)))
        return None
    if len(on_lists) > 1:
        problems.append(error("E605", number=number, entry=record["entry"], lists=", ".join(sorted(on_lists)),
                              help="name the list with `list:`"))
        return None
    (list_name, entry), = on_lists.items()
    return Disposition(record["party"], entry, list_name, verdict, record["reviewer"], day, record.get("note"), number)


def _conflicts(found: list[Disposition]) -> list[Diagnostic]:
    seen: dict[tuple, Disposition] = {}
    problems = []
    for d in found:
        key = (normalise(d.party), d.list, d.entry, d.date)
        other = seen.setdefault(key, d)
        if other.verdict != d.verdict:
            problems.append(error("E606", first=other.number, second=d.number, party=d.party, entry=d.entry,
                                  date=d.date.isoformat(), help="keep the verdict that stands, or date the later one"))
    return problems


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value            # YAML reads an unquoted date as a date
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _closest_entry(entry: str, entries: dict[str, dict[str, str]]) -> str | None:
    """The entry of the library closest to one a disposition names, as a hint."""
    found = process.extractOne(normalise(entry), list(entries), scorer=fuzz.token_set_ratio, score_cutoff=80)
    if found is None:
        return None
    return f"did you mean `{next(iter(entries[found[0]].values()))}`?"


def _close(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


# ------------------------------------------------------------------ stale verdicts

def stale(dispositions: Dispositions, screening: Screening) -> list[Diagnostic]:
    """W601 for each verdict that counts on a pair that is no near match any more, on any date:
    the name now matches the entry exactly, or the matcher no longer finds it close."""
    found = []
    for d in dispositions.counting():
        entry = d.entry
        score = screening.score(d.party, d.list, entry)
        if score is None:
            why = "match exactly now" if normalise(d.party) == normalise(entry) else "are no near match any more"
            found.append(warning("W601", number=d.number, party=d.party, entry=entry, why=why,
                                 help="review the pair again, or remove the disposition"))
    return found
