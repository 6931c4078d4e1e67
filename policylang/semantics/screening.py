"""Screening party names against the entity lists of the library (contract §1).

Takes: the `entities` declarations of a program, and parties of a case.
Returns: whether a party counts as listed on a list on a date, and the near matches a person
should review, each with a score from 0 to 100.
Guarantees: a party is listed when its `lists` names the list or its name equals an entry after
normalisation (case, punctuation, white space and the legal-form suffixes Inc., LLC, Ltd.,
Limited, Co., Corp., GmbH, K.K., Sp. z o.o. are ignored), or, with a reviewer's dispositions
(`reviewed`, `dispositions.py`), when a `match` verdict names it with an entry in force. Near
matches alone never change an outcome; a verdict on one is reported with it. A name that equals
an entry of a list, or that a `match` lists there, gets no other near matches on that list: the
party is listed there, and nothing is left for a person to clear.
Reading (inventory C-43): only the suffixes the contract names (and their long forms) are
dropped. `plc` is not, so "BAE Systems plc" is not "BAE Systems, Inc.": it is reported as a near
match for a person to decide.

Near matching compares what tells names apart. Each name's words are sorted into distinctive
words ("Epirus", "Teledyne FLIR"), generic business words (`_GENERIC_WORDS`), place qualifiers
(`_PLACES`), and legal forms and connectors, which weigh nothing (`_UNWEIGHTED_WORDS`). A name
is a near match of an entry when
- the name's distinctive words are close to the entry's *key*, its distinctive words (or, for an
  entry made of generic and place words only, such as "USA Rare Earth", all of its words): close
  as sorted words (fuzz.ratio of the sorted words, i.e. token-sort), within one typing slip of a
  key of six letters or more, or close when the words are run together ("Aero Vironment");
- a key word of three letters or fewer ("MP", "USA") is a word of the name too, and an
  entry whose whole key is that short ("BAE", "VSE") also needs its generic words to agree
  ("BAE Industries" is not "BAE Systems");
- the name names no other place than the entry does ("TechInsights Korea" is not "TechInsights
  Europe"; either may be "TechInsights Inc.");
- a name of 1-3 letters is never a near match of a longer entry ("X" is not "Exelis").
The score is 90 % the key's closeness and 10 % the closeness of all weighted words, so of two
entries with the same key the one whose generic and place words agree comes first.
Reading: shared generic, place or legal-form words alone never make a near match, and neither
does a name that adds a distinctive word of its own ("Epirus Shipping", "MP Biomedicals"); a
name with the whole distinctive name of an entry does, even when it is a parent or sibling
("BAE Systems plc", "Cubic Corporation"), for a person to decide. "Halifax Port Authority" is
not a near match of "Halifax International Security Forum": the Forum is Halifax + Forum, and
Halifax is a city that many bodies are named after.
Limits: a former name ("FLIR Systems"), an acronym ("ATK") or a prefix of a former parent ("ITT
Exelis") is not seen; tests/screening measures precision and recall on labelled pairs.

>>> normalise("TechInsights Europe Sp. z o.o."), normalise("Teledyne FLIR, LLC")
('techinsights europe', 'teledyne flir')
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
import unicodedata
from typing import Any, Callable, Hashable

import attrs
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from policylang import ast

NEAR_MATCH_SCORE = 85.0
# A near match scoring at or above this needs a person's review (contract §4 `needs_review`).
REVIEW_THRESHOLD = 90.0

_LEGAL_FORMS = (
    ("sp", "z", "oo"), ("inc",), ("incorporated",), ("llc",), ("ltd",), ("limited",), ("co",),
    ("company",), ("corp",), ("corporation",), ("gmbh",), ("kk",),
)

# Words near matching gives no weight wherever they stand: legal forms of many countries (the
# exact rule drops only the trailing ones the contract names) and connectors. "by" also marks
# the words after it as the owner's name: "Dedrone by Axon" names Dedrone, a business of Axon.
_UNWEIGHTED_WORDS = frozenset({
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "co", "company", "corp",
    "corporation", "gmbh", "kk", "kabushiki", "kaisha", "plc", "sa", "sas", "sarl", "ag", "bv",
    "nv", "pty", "pte", "pvt", "private", "srl", "spa", "sp", "z", "oo", "ab", "oy", "kg", "ltda",
    "of", "and", "the", "for", "by",
})

# Generic business words: many unrelated companies share them, so they never make a near match
# on their own. "Rare" and "earth" are generic in this library, whose subject is rare earths.
# Kept off the list on purpose: words that carry a name ("Strategy", "Analytics", "Materials",
# "Forum", "Minerals"), since the key of an entry must keep what tells it apart.
_GENERIC_WORDS = frozenset({
    "systems", "system", "technologies", "technology", "tech", "defense", "defence",
    "international", "intl", "group", "holdings", "holding", "solutions", "consulting",
    "consultancy", "consultants", "security", "global", "services", "service", "industries",
    "industry", "industrial", "research", "management", "market", "markets", "analysis",
    "operations", "enterprise", "enterprises", "partners", "associates", "worldwide", "aerospace",
    "aviation", "engineering", "trading", "products", "resources", "ventures", "capital",
    "investment", "investments", "laboratories", "labs", "networks", "rare", "earth", "earths",
})

# Place qualifiers, each with the place it names: an affiliate's name often differs from its
# group's by one of these ("TechInsights Korea", "Elbit Systems of America").
_PLACES = {
    "us": "us", "usa": "us", "america": "us", "americas": "us", "uk": "uk", "gb": "uk",
    "britain": "uk", "europe": "europe", "eu": "europe", "emea": "europe", "asia": "asia",
    "apac": "asia", "japan": "japan", "nippon": "japan", "korea": "korea", "china": "china",
    "canada": "canada", "germany": "germany", "deutschland": "germany", "france": "france",
    "india": "india", "israel": "israel", "australia": "australia", "singapore": "singapore",
    "taiwan": "taiwan", "poland": "poland", "polska": "poland", "netherlands": "netherlands",
    "italy": "italy", "spain": "spain", "mexico": "mexico", "brazil": "brazil",
}

_SHORT = 3                  # letters: a name or key word this short is an acronym
_SLIP_KEY = 6               # letters: a key this long still matches with one typing slip
_SLIP_SCORE = 90.0          # the key score of a one-slip key ("Epiris" for "Epirus")
_SLIP_FLOOR = 80.0          # fuzz.ratio below which two keys are not one slip apart
_CLOSE_WORD = 80.0          # fuzz.ratio at which a generic word stands for an entry's key word
_CONTEXT_WEIGHT = 0.1       # the share of all weighted words in the score
_MOST_NEAR_MATCHES = 5      # near matches reported per party, best first


@functools.lru_cache(maxsize=65536)
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
    """A party name that resembles a list entry without matching it; `disposition` is a
    reviewer's verdict on the pair, when one was given (`dispositions.py`)."""
    party: str
    list: str
    entry: str
    score: float
    disposition: Any = None


@attrs.frozen
class _Words:
    """A normalised name's words, sorted by what they tell apart (places as the place they name).

    >>> w = _words_of("dedrone by axon"); w.distinctive, w.generic
    (('dedrone',), ('axon',))
    >>> w = _words_of("elbit systems of america"); w.distinctive, w.generic, w.places, w.compact
    (('elbit',), ('systems',), frozenset({'us'}), 'elbitsystemsus')
    """
    normal: str
    distinctive: tuple[str, ...]    # in the name's order
    key: str                        # the distinctive words, sorted and joined by spaces
    generic: tuple[str, ...]        # sorted; the owner's words after "by" included
    places: frozenset[str]
    weighted: frozenset[str]        # every weighted word
    compact: str                    # every weighted word in the name's order, run together
    sorted: str                     # every weighted word, sorted and joined by spaces


def _words_of(normal: str) -> _Words:
    """The words of a normal form, sorted; after "by" that follows a distinctive word, the owner's.

    >>> _words_of("by design").distinctive
    ('design',)
    """
    distinctive, generic, places, weighted = [], [], set(), []
    owner = False
    for word in normal.split():
        owner = owner or (word == "by" and bool(distinctive))
        if word in _UNWEIGHTED_WORDS:
            continue
        if word in _PLACES:
            word = _PLACES[word]
            places.add(word)
        elif owner or word in _GENERIC_WORDS:
            generic.append(word)
        else:
            distinctive.append(word)
        weighted.append(word)
    return _Words(normal, tuple(distinctive), " ".join(sorted(distinctive)),
                  tuple(sorted(generic)), frozenset(places), frozenset(weighted),
                  "".join(weighted), " ".join(sorted(weighted)))


@attrs.frozen
class _Target:
    """An entry with what near matching compares, computed once per library."""
    entry: Entry
    words: _Words
    generic_only: bool              # no distinctive word: the key is every weighted word
    owned: bool                     # the entry names an owner after "by"
    key_words: frozenset[str]
    key: str                        # the key words, sorted and joined by spaces
    key_compact: str                # the key words in the name's order, run together
    acronyms: frozenset[str]        # key words of 3 letters or fewer


def _target_of(entry: Entry) -> _Target:
    """An entry ready for near matching: its key is its distinctive words, or all its words.

    >>> t = _target_of(Entry("control_list", "USA Rare Earth", "usa rare earth", None))
    >>> t.generic_only, t.key, t.key_compact, t.acronyms
    (True, 'earth rare us', 'usrareearth', frozenset({'us'}))
    """
    words = _words_of(entry.normal)
    generic_only = not words.distinctive
    key = ([_PLACES.get(w, w) for w in entry.normal.split() if w not in _UNWEIGHTED_WORDS]
           if generic_only else list(words.distinctive))
    owned = bool(words.distinctive) and "by" in entry.normal.split()
    return _Target(entry, words, generic_only, owned, frozenset(key), " ".join(sorted(key)),
                   "".join(key), frozenset(w for w in key if len(w) <= _SHORT))


@attrs.frozen
class _Targets:
    """The entries in force on a day, with the strings `process.extract` compares, in one order."""
    targets: tuple[_Target, ...]
    keys: tuple[str, ...]
    compacts: tuple[str, ...]
    always: tuple[int, ...]         # entries whose key depends on the name: owned, generic only

    @classmethod
    def of(cls, targets: tuple[_Target, ...]) -> _Targets:
        return cls(targets, tuple(t.key for t in targets), tuple(t.words.compact for t in targets),
                   tuple(i for i, t in enumerate(targets) if t.owned or t.generic_only))

    def candidates(self, name: _Words) -> list[_Target]:
        """The entries that can be near matches of a name, in list order: those whose key is
        within `_SLIP_FLOOR` of the name's, or whose run-together form is within the cutoff, or
        whose key depends on the name. The comparisons run in rapidfuzz's C loop; every entry
        left out would fail `_near_match_score`'s first test."""
        found = set(self.always)
        for query, choices, cutoff in ((name.key, self.keys, _SLIP_FLOOR),
                                       (name.compact, self.compacts, NEAR_MATCH_SCORE)):
            found.update(i for _, _, i in process.extract(query, choices, scorer=fuzz.ratio,
                                                          score_cutoff=cutoff, limit=None))
        return [self.targets[i] for i in sorted(found)]


class Screening:
    """The entity lists of a library, ready for look-ups on a given date.

    The entries in force depend on the date alone, and change only on the days some announcement
    does: `period(day)` names the stretch of days a day lies in (by default the day itself), and
    what depends on the entries in force (the entries, the near matches of a name) is computed
    once per period."""

    def __init__(self, lists: dict[str, ast.EntityList], active: Callable[[str, datetime.date], bool],
                 period: Callable[[datetime.date], Hashable] | None = None):
        self.entries = [Entry(l.name, e.name, normalise(e.name), e.source)
                        for l in lists.values() for e in l.entries]
        self._targets = {e: _target_of(e) for e in self.entries}
        self._active = active
        self._period = period or (lambda day: day)
        self._day_of: dict[Hashable, datetime.date] = {}
        self._key_of: dict[datetime.date, Hashable] = {}
        self._key_of_period: dict[Hashable, Hashable] = {}
        self._sources = tuple(dict.fromkeys(e.source for e in self.entries if e.source is not None))
        self._entries_in = functools.lru_cache(maxsize=1024)(self._entries_in_force)
        self._targets_in = functools.lru_cache(maxsize=1024)(self._targets_in_force)
        self._near_in = functools.lru_cache(maxsize=65536)(self._near_matches_in)
        self._matches_in = functools.lru_cache(maxsize=65536)(self._matches_exactly)
        self.dispositions = None        # a reviewer's verdicts (`reviewed`)
        self._names_in = functools.lru_cache(maxsize=1024)(self._entry_names_in)

    def reviewed(self, dispositions) -> "Screening":
        """The same lists with a reviewer's verdicts (`dispositions.Dispositions`): a `match`
        lists the party, a `no_match` clears its near match. What depends on the lists alone
        (entries in force, near matches, exact matches) is shared with this screening."""
        found = copy.copy(self)
        found.dispositions = dispositions if dispositions else None
        return found

    def _key(self, day: datetime.date) -> Hashable:
        """What the entries in force depend on: which listing announcements are in force (a few
        states over all time, far fewer than the days or the periods of the law)."""
        key = self._key_of.get(day)
        if key is None:
            period = self._period(day)
            key = self._key_of_period.get(period)
            if key is None:
                key = self._key_of_period[period] = tuple(s for s in self._sources if self._active(s, day))
            self._key_of[day] = key
            self._day_of.setdefault(key, day)
        return key

    def _entries_on(self, day: datetime.date, list_name: str | None = None) -> tuple[Entry, ...]:
        return self._entries_in(self._key(day), list_name)

    def _targets_on(self, day: datetime.date) -> "_Targets":
        return self._targets_in(self._key(day))

    def _entries_in_force(self, key: Hashable, list_name: str | None = None) -> tuple[Entry, ...]:
        day = self._day_of[key]
        return tuple(e for e in self.entries
                     if (list_name is None or e.list == list_name)
                     and (e.source is None or self._active(e.source, day)))

    def _targets_in_force(self, key: Hashable) -> _Targets:
        return _Targets.of(tuple(self._targets[e] for e in self._entries_in(key)))

    def matches(self, name: str, list_name: str, day: datetime.date) -> Entry | None:
        """The entry a name matches exactly after normalisation, if any (once per name, list and
        period)."""
        return self._matches_in(name, list_name, self._key(day))

    def _matches_exactly(self, name: str, list_name: str, key: Hashable) -> Entry | None:
        normal = normalise(name)
        return next((e for e in self._entries_in(key, list_name) if e.normal == normal), None)

    def is_listed(self, party, list_name: str, day: datetime.date) -> bool:
        """Listed: the party's `lists` names the list, or its name matches an entry in force on `day`."""
        lists = party.get("lists")
        if lists:
            for named in lists:
                if getattr(named, "name", None) == list_name:
                    return True
        name = party.get("name")
        if not name:
            return False
        if self.matches(name, list_name, day) is not None:
            return True
        return self.dispositions is not None and self.listing(name, list_name, day) is not None

    def listing(self, name: str, list_name: str, day: datetime.date):
        """The reviewer's `match` verdict that lists a name on a list on the day (its entry in
        force then), if any: the disposition a listing by verdict cites."""
        if self.dispositions is None:
            return None
        normal = normalise(name)
        if normal not in self.dispositions.names:
            return None
        return self.dispositions.listing(normal, list_name, self._names_in(self._key(day), list_name))

    def _entry_names_in(self, key: Hashable, list_name: str) -> frozenset[str]:
        return frozenset(e.name for e in self._entries_in(key, list_name))

    def near_matches(self, role: str, name: str, day: datetime.date) -> list[NearMatch]:
        """Entries close to a name but not equal to it after normalisation, best first (computed
        once per name and period, see `_near`), each with the reviewer's verdict on it, if any."""
        found = [NearMatch(role, list_name, entry, score)
                 for list_name, entry, score in self._near_in(name, self._key(day))]
        if self.dispositions is not None and found:
            normal = normalise(name)
            if normal in self.dispositions.names:
                found = [attrs.evolve(m, disposition=self.dispositions.verdict_on(normal, m.list, m.entry))
                         for m in found]
                # As for a name that equals an entry: where a `match` lists the party, its other
                # near matches on that list are no question for a person to clear.
                listed = {m.list for m in found if self.listing(name, m.list, day) is not None}
                found = [m for m in found if m.disposition is not None or m.list not in listed]
        return found

    def score(self, name: str, list_name: str, entry: str) -> float | None:
        """The near-match score of a name against one entry of a list, whatever the date; None
        when it is no near match (or matches exactly).

        >>> from policylang import ast
        >>> uel = ast.EntityList("uel", (ast.Entity("Epirus, Inc."),))
        >>> screening = Screening({"uel": uel}, lambda source, day: True)
        >>> screening.score("Epirus Holdings", "uel", "Epirus, Inc."), screening.score("Epirus", "uel", "Epirus, Inc.")
        (95.7, None)
        """
        normal = normalise(name)
        target = next((t for e, t in self._targets.items() if e.list == list_name and e.name == entry), None)
        if not normal or target is None or target.entry.normal == normal:
            return None
        score = _near_match_score(_words_of(normal), target)
        return None if score is None else round(score, 1)

    def _near_matches_in(self, name: str, key: Hashable) -> tuple[tuple[str, str, float], ...]:
        return tuple((m.list, m.entry, m.score) for m in self._near(name, self._day_of[key]))

    def _near(self, name: str, day: datetime.date) -> list[NearMatch]:
        """Entries close to a name but not equal to it after normalisation, best first.

        >>> from policylang import ast
        >>> uel = ast.EntityList("uel", tuple(ast.Entity(n) for n in
        ...     ("BAE Systems, Inc.", "Epirus, Inc.", "Cubic Global Defense", "Exelis Inc.")))
        >>> screening = Screening({"uel": uel}, lambda source, day: True)
        >>> def near(name):
        ...     return [(m.entry, m.score) for m in screening.near_matches("end_user", name, None)]
        >>> near("Epirus Holdings"), near("Epiris Inc."), near("BAE Systems plc")
        ([('Epirus, Inc.', 95.7)], [('Epirus, Inc.', 89.3)], [('BAE Systems, Inc.', 100.0)])
        >>> near("Naval Sea Systems Command"), near("Global Defense Consulting"), near("X")
        ([], [], [])
        """
        normal = normalise(name)
        if not normal:
            return []
        words = _words_of(normal)
        candidates = self._targets_on(day).candidates(words)
        # A name that equals an entry is listed on that list: its siblings there are no question
        # for a person to clear (the outcome already treats the party as listed).
        listed_on = {t.entry.list for t in candidates if t.entry.normal == normal}
        scored = []
        for target in candidates:
            if target.entry.list in listed_on:
                continue
            score = _near_match_score(words, target)
            if score is not None:
                scored.append((score, target.entry))
        scored.sort(key=lambda found: -found[0])
        return [NearMatch("", e.list, e.name, round(score, 1)) for score, e in scored[:_MOST_NEAR_MATCHES]]


def _near_match_score(name: _Words, target: _Target) -> float | None:
    """The score of a name against an entry, or None when it is no near match (module docstring).
    The key is compared first: most entries fail there, and it is the cheapest test."""
    key_score = max(_key_score(_key_of_name(name, target), target.key),
                    _run_together_score(name, target))
    if len(target.key) <= _SHORT and key_score >= NEAR_MATCH_SCORE:
        key_score = min(key_score, _generic_agreement(name, target))
    if (key_score < NEAR_MATCH_SCORE
            or len(name.normal) <= _SHORT < len(target.entry.normal)
            or _names_other_place(name, target)
            or not target.acronyms <= name.weighted):
        return None
    context = fuzz.ratio(name.sorted, target.words.sorted)
    score = (1 - _CONTEXT_WEIGHT) * key_score + _CONTEXT_WEIGHT * context
    return score if score >= NEAR_MATCH_SCORE else None


def _names_other_place(name: _Words, target: _Target) -> bool:
    """Both names carry a place qualifier and none of the name's is the entry's."""
    places = target.words.places
    return (not target.generic_only and bool(name.places and places)
            and name.places.isdisjoint(places))


def _key_of_name(name: _Words, target: _Target) -> str:
    """The name's words that must agree with the entry's key, sorted and joined: its distinctive
    words, less the entry's owner words ("Axon"), and for a key of generic and place words, the
    name's generic and place words close to one of the key's."""
    if not target.owned and not target.generic_only:
        return name.key
    words = [w for w in name.distinctive if w not in target.words.generic]
    if target.generic_only:
        words += [w for w in (*name.generic, *name.places)
                  if any(fuzz.ratio(w, k) >= _CLOSE_WORD for k in target.key_words)]
    return " ".join(sorted(words))


def _key_score(name_key: str, key: str) -> float:
    """How close two keys are: their sorted words' fuzz.ratio, or `_SLIP_SCORE` when a key of six
    letters or more is one typing slip away (a letter added, dropped, replaced or swapped).

    >>> _key_score("futur recorded", "future recorded"), _key_score("epiris", "epirus")
    (96.55172413793103, 90.0)
    >>> _key_score("excelis", "exelis"), _key_score("exelon", "exelis"), _key_score("", "bae")
    (92.3076923076923, 0.0, 0.0)
    """
    if not name_key:
        return 0.0
    score = fuzz.ratio(name_key, key, score_cutoff=_SLIP_FLOOR)
    if score and len(key) >= _SLIP_KEY and OSA.distance(name_key, key, score_cutoff=1) <= 1:
        score = max(score, _SLIP_SCORE)
    return score


def _run_together_score(name: _Words, target: _Target) -> float:
    """How close the names are with their words run together, when the entry's key is in the
    name so written ("Aero Vironment", "Alliant Tech Systems Operations"); else 0."""
    score = fuzz.ratio(name.compact, target.words.compact, score_cutoff=NEAR_MATCH_SCORE)
    if not score or fuzz.partial_ratio(target.key_compact, name.compact) < NEAR_MATCH_SCORE:
        return 0.0
    return score


def _generic_agreement(name: _Words, target: _Target) -> float:
    """How close the generic words are (100 when neither name has any): for acronym keys."""
    if not name.generic and not target.words.generic:
        return 100.0
    return fuzz.token_set_ratio(" ".join(name.generic), " ".join(target.words.generic))
