"""Testing policies: the `policylang test` runner, the pytest plugin, and Hypothesis strategies.

`cases(...)` (a strategy of valid cases, biased towards the library's boundaries) and
`decide(case)` (the decision `policylang eval` prints) are imported on first use, so that the
pytest plugin does not need Hypothesis; `NeverApplies`, which `cases(applying=…)` raises for a
clause that cannot apply, so that the plugin does not need z3.
"""

from __future__ import annotations

__all__ = ["cases", "decide", "NeverApplies"]


def __getattr__(name: str):
    if name == "NeverApplies":
        from policylang.analysis.reach import NeverApplies
        return NeverApplies
    if name in __all__:
        from policylang.testing import strategies
        return getattr(strategies, name)
    raise AttributeError(name)
