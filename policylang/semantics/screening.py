"""Screening party names against the entity lists of the library (contract §1).

Takes: the `entities` declarations of a program, and parties of a case.
Returns: whether a party counts as listed on a list on a date, and the near matches a person
should review, each with a score from 0 to 100.
Guarantees: a party is listed when its `lists` names the list or its name equals an entry after
normalisation (case, punctuation, white space and the legal-form suffixes Inc., LLC, Ltd.,
Limited, Co., Corp., GmbH, K.K., Sp. z o.o. are ignored). Near matches never change an outcome.
Reading (inventory C-43): only the suffixes the contract names (and their long forms) are
dropped. `plc` is not, so "BAE Systems plc" is not "BAE Systems, Inc.": it is reported as a near
match for a person to decide.

>>> normalise("TechInsights Europe Sp. z o.o."), normalise("Teledyne FLIR, LLC")
('techinsights europe', 'teledyne flir')
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from typing import Callable

import attrs
from rapidfuzz import fuzz, process

from policylang import ast

NEAR_MATCH_SCORE = 85.0

_LEGAL_FORMS = (
    ("sp", "z", "oo"), ("inc",), ("incorporated",), ("llc",), ("ltd",), ("limited",), ("co",),
    ("company",), ("corp",), ("corporation",), ("gmbh",), ("kk",),
)


def normalise(name: str) -> str:
    """A name as screening compares it."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[.'’]", "", text)
    text = re.sub(r"[^\w]+", " ", text)
    tokens = text.split()
    stripped = True
    while stripped and tokens:
        stripped = False
        for form in _LEGAL_FORMS:
            if len(tokens) > len(form) and tuple(tokens[-len(form):]) == form:
                del tokens[-len(form):]
                stripped = True
    return " ".join(tokens)


@attrs.frozen
class Entry:
    """One list entry: the name as written, its normal form, and the announcement that listed it."""
    list: str
    name: str
    normal: str
    source: str | None


@attrs.frozen
class NearMatch:
    """A party name that resembles a list entry without matching it."""
    party: str
    list: str
    entry: str
    score: float


class Screening:
    """The entity lists of a library, ready for look-ups on a given date."""

    def __init__(self, lists: dict[str, ast.EntityList], active: Callable[[str, datetime.date], bool]):
        self.entries = [Entry(l.name, e.name, normalise(e.name), e.source)
                        for l in lists.values() for e in l.entries]
        self._active = active
        # the entries in force depend on the date alone: computed once per date and list
        self._entries_on = functools.lru_cache(maxsize=1024)(self._entries_in_force)

    def _entries_in_force(self, day: datetime.date, list_name: str | None = None) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries
                     if (list_name is None or e.list == list_name)
                     and (e.source is None or self._active(e.source, day)))

    def matches(self, name: str, list_name: str, day: datetime.date) -> Entry | None:
        """The entry a name matches exactly after normalisation, if any."""
        normal = normalise(name)
        return next((e for e in self._entries_on(day, list_name) if e.normal == normal), None)

    def is_listed(self, party, list_name: str, day: datetime.date) -> bool:
        """Listed: the party's `lists` names the list, or its name matches an entry in force on `day`."""
        lists = party.get("lists") or frozenset()
        if any(getattr(l, "name", None) == list_name for l in lists):
            return True
        name = party.get("name")
        return bool(name) and self.matches(name, list_name, day) is not None

    def near_matches(self, role: str, name: str, day: datetime.date) -> list[NearMatch]:
        """Entries close to a name but not equal to it after normalisation."""
        normal = normalise(name)
        entries = self._entries_on(day)
        if not normal or not entries:
            return []
        found = process.extract(normal, [e.normal for e in entries], scorer=fuzz.WRatio,
                                score_cutoff=NEAR_MATCH_SCORE, limit=5)
        return [NearMatch(role, entries[i].list, entries[i].name, round(score, 1))
                for _, score, i in found
                if entries[i].normal != normal and _alike(normal, entries[i].normal)]


def _alike(a: str, b: str) -> bool:
    """A guard on WRatio's partial matching, which scores `x` against `exelis` at 90: a near
    match must also share a word of three or more letters, or be close as a whole string.

    >>> _alike("x", "exelis"), _alike("epirus holdings", "epirus"), _alike("recorded futures", "recorded future")
    (False, True, True)
    """
    shared = {w for w in a.split() if len(w) >= 3} & {w for w in b.split() if len(w) >= 3}
    return bool(shared) or fuzz.ratio(a, b) >= NEAR_MATCH_SCORE
