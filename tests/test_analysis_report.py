"""The text report groups the overlaps of a clause with many partners; JSON keeps each finding."""

from __future__ import annotations

import datetime
import json

from policylang.analysis.findings import Finding
from policylang.analysis.report import COLLAPSE_AT, to_json, to_text
from policylang.program import ClauseKey

DAY = datetime.date(2026, 11, 11)
BLANKET = ClauseKey("UEL-2025-10", "I")


def overlap(*keys: ClauseKey) -> Finding:
    return Finding("overlap", keys, ((DAY, DAY),), {"date": DAY.isoformat()}, {"outcome": "prohibited"},
                   "apply together")


def test_a_clause_with_many_overlaps_is_shown_once_with_its_partners() -> None:
    partners = [ClauseKey("MOFCOM-2025-56", f"I({i})") for i in range(1, COLLAPSE_AT + 2)]
    findings = [overlap(BLANKET, p) for p in partners] + [overlap(ClauseKey("A-2025-1", "1"), ClauseKey("A-2025-1", "2"))]
    text = to_text(findings, {})
    assert text.count("overlap: UEL-2025-10 I with") == 1
    assert all(str(p) in text for p in partners)
    assert "overlap: A-2025-1 1, A-2025-1 2" in text              # a pair with few partners stays as it is
    assert text.splitlines()[-1].startswith(f"{len(findings)} finding(s)")
    assert len(json.loads(to_json(findings, {}))["findings"]) == len(findings)


def test_below_the_threshold_nothing_is_grouped() -> None:
    findings = [overlap(BLANKET, ClauseKey("B-2025-1", str(i))) for i in range(COLLAPSE_AT - 1)]
    assert "with" not in to_text(findings, {}).splitlines()[0]
