"""Expected decisions: how a test's `expect` is matched against a decision (the YAML test format).

Takes: an expectation (a mapping, as in `tests/eval/*.yaml`) and a decision in the contract's JSON.
Returns: `mismatches`, the list of reasons the decision does not meet the expectation (empty when
it does).
Guarantees: for `outcome` (and any other value that is not a list, such as `date` or `id`) the
decision must be equal, compared as text so that a YAML date matches its ISO form. For each list named (`reasons`,
`obligations`, `suspended`, `not_in_force`, `overridden`, `classification`, `errors`,
`warnings`, `screening`), the decision must hold exactly as many entries, and each expected entry
must match a distinct actual entry on every key it gives (values compared as text, so a YAML date
matches its ISO form). Lists not named are not checked.

>>> mismatches({"outcome": "license_required"}, {"outcome": "license_required", "reasons": []})
[]
>>> mismatches({"reasons": [{"clause": "I(3)"}]}, {"reasons": []})
['reasons: expected 1, got []']
"""

from __future__ import annotations

import json
from typing import Any


def matches(expected: dict, actual: dict) -> bool:
    """An entry matches when every key the expectation gives has the same value (as text)."""
    return all(str(actual.get(k)) == str(v) if not isinstance(v, (dict, list)) else actual.get(k) == v
               for k, v in expected.items())


def list_mismatch(name: str, expected: list[dict], actual: list[dict]) -> str | None:
    shown = json.dumps(actual, ensure_ascii=False)
    if len(actual) != len(expected):
        return f"{name}: expected {len(expected)}, got {shown}"
    remaining = list(actual)
    for want in expected:
        hit = next((a for a in remaining if matches(want, a)), None)
        if hit is None:
            return f"{name}: no entry matches {json.dumps(want, ensure_ascii=False, default=str)} in {shown}"
        remaining.remove(hit)
    return None


def mismatches(expect: dict[str, Any], decision: dict[str, Any]) -> list[str]:
    """Why the decision does not meet the expectation; empty when it does."""
    found = []
    for key, want in expect.items():
        if not isinstance(want, list):
            if str(decision.get(key)) != str(want):
                found.append(f"{key}: expected {want}, got {decision.get(key)}")
        else:
            problem = list_mismatch(key, want, decision.get(key, []))
            if problem:
                found.append(problem)
    return found
