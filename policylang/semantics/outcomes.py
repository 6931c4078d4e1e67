"""Outcomes and how clause effects combine (contract §4).

Takes: the effects of the clauses that apply to a case.
Returns: the outcome, the most restrictive of them.
Guarantees: one ladder, in one place: `prohibited` > `denied_in_principle` > `case_by_case` >
`license_required` > `report_only` > `not_controlled`. The effect `excluded` (a clause that takes
the case out of scope) contributes `not_controlled`.

>>> most_restrictive(["report_only", "license_required"])
'license_required'
>>> most_restrictive([])
'not_controlled'
"""

from __future__ import annotations

from typing import Iterable

OUTCOMES = ("prohibited", "denied_in_principle", "case_by_case", "license_required", "report_only",
            "not_controlled")
# What an effect contributes to the outcome.
EFFECT_OUTCOME = {o: o for o in OUTCOMES} | {"excluded": "not_controlled"}
PERMISSIVE_EFFECTS = ("report_only", "excluded")


def rank(effect: str) -> int:
    """0 for the most restrictive; larger is more permissive."""
    return OUTCOMES.index(EFFECT_OUTCOME[effect])


def requires_license(effect: str | None) -> bool:
    """Whether an effect needs a licence or is stricter (what a refinement of a clause needs)."""
    return effect is not None and rank(effect) <= rank("license_required")


def most_restrictive(effects: Iterable[str]) -> str:
    ranked = sorted((rank(e) for e in effects))
    return OUTCOMES[ranked[0]] if ranked else "not_controlled"
