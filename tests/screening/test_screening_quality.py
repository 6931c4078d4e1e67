"""How well party-name screening finds list entries: precision and recall on labelled pairs.

Takes: `pairs.yaml` next to this file (the entries of the lists, and name/entry pairs labelled
`match: true|false` with the reason).
Checks: a pair is found when the name matches the entry exactly after normalisation or is
reported as a near match of that entry; precision and recall over all pairs are printed
(`pytest tests/screening -s`) and must each be at least 0.95.
The screening is built from the entries directly (every entry in force), so the measure does not
depend on the rest of the library; a second test checks that the entries are still the shipped
Unreliable Entity List.
"""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
import yaml

from policylang import ast
from policylang.semantics.screening import Screening, normalise

HERE = pathlib.Path(__file__).parent
DATA = yaml.safe_load((HERE / "pairs.yaml").read_text(encoding="utf-8"))
UEL_POLICY = HERE.parents[1] / "policies" / "UEL-2025-10.ecp"
DAY = datetime.date(2026, 7, 1)
MINIMUM = 0.95


def screening_of(entries: dict[str, list[str]]) -> Screening:
    """A screening of the given lists, every entry in force on every day."""
    lists = {name: ast.EntityList(name, tuple(ast.Entity(e, "TEST") for e in names))
             for name, names in entries.items()}
    return Screening(lists, active=lambda source, day: True)


def found(screening: Screening, pair: dict) -> bool:
    """The pair's name matches its entry exactly, or is reported as a near match of it."""
    if normalise(pair["name"]) == normalise(pair["entry"]):
        return True
    return any(m.entry == pair["entry"] and m.list == pair["list"]
               for m in screening.near_matches("end_user", pair["name"], DAY))


def describe(pair: dict) -> str:
    return f"{pair['name']!r} ~ {pair['entry']!r} ({pair['why']})"


def test_precision_and_recall():
    screening = screening_of(DATA["entries"])
    results = [(pair, found(screening, pair)) for pair in DATA["pairs"]]
    true_pos = sum(1 for p, f in results if f and p["match"])
    false_pos = [p for p, f in results if f and not p["match"]]
    false_neg = [p for p, f in results if not f and p["match"]]
    precision = true_pos / (true_pos + len(false_pos))
    recall = true_pos / (true_pos + len(false_neg))
    report = "\n".join(
        [f"screening on {len(results)} pairs: precision {precision:.3f}, recall {recall:.3f}"]
        + [f"  found, should not be: {describe(p)}" for p in false_pos]
        + [f"  missed: {describe(p)}" for p in false_neg])
    print("\n" + report)
    assert precision >= MINIMUM and recall >= MINIMUM, report


@pytest.mark.skipif(not UEL_POLICY.exists(), reason="no shipped Unreliable Entity List here")
def test_entries_are_the_shipped_unreliable_entity_list():
    text = UEL_POLICY.read_text(encoding="utf-8")
    block = re.search(r"^entities unreliable_entity_list[^{]*\{(.*?)\n\}", text, re.S | re.M)
    shipped = re.findall(r'^\s*"([^"]+)"', block.group(1), re.M)
    assert shipped == DATA["entries"]["unreliable_entity_list"]
