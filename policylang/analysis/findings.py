"""Findings of `policylang analyze`, and their renderings: JSON, SARIF 2.1.0, text for people.

Takes: findings from `search.py` (and invariant results from `invariants.py`) and the run's stats.
Returns: `to_json`, `to_sarif` and `to_text`.
Guarantees: every finding names its clauses (`{"policy", "clause"}`), the date windows in which it
occurs (`from`, `through`: the first and last day of them; `windows`: each one; an end the law
leaves open is `null`, "onwards" in text: the search's own first and last days are never shown),
a witness case in the contract format with the decision `policylang eval` gives it, its status
(`confirmed`, or `unconfirmed` with the `reason` the interpreter disagrees; `proven`, `refuted`
or `unknown` for invariants) and one plain sentence. Findings are sorted by kind, then clauses,
and no figure of time is printed unless asked, so two runs print the same bytes.

>>> f = Finding("vacuous", (ClauseKey("P-2025-1", "2"),), (), None, None, "clause 2 can never apply")
>>> f.to_json()["clauses"]
[{'policy': 'P-2025-1', 'clause': '2'}]
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import attrs

from policylang.analysis.decide import FIRST_DAY, LAST_DAY
from policylang.program import ClauseKey

KINDS = ("conflict", "overlap", "silenced", "shadowed", "redundant", "vacuous", "gap", "invariant")
LEVEL = {"conflict": "error", "invariant": "error", "vacuous": "warning", "gap": "warning",
         "shadowed": "warning", "redundant": "warning", "overlap": "note", "silenced": "note"}
DESCRIPTIONS = {
    "conflict": "a permissive and a restrictive clause apply to the same case on the same date, and "
                "neither is declared an exception to or a refinement of the other",
    "overlap": "restrictive clauses apply together; the most restrictive decides",
    "silenced": "an exception sets aside a clause it does not name, through the clause that clause refines",
    "shadowed": "a clause that never changes any outcome",
    "redundant": "two clauses that decide the same cases the same way",
    "vacuous": "a clause that can never apply",
    "gap": "values between adjacent entries of one item family that neither covers",
    "invariant": "an invariant of the policies: proven, or refuted by a counterexample",
}


@attrs.frozen
class Finding:
    """One finding: what, which clauses, when, a witness case and its decision, one sentence."""
    kind: str
    clauses: tuple[ClauseKey, ...]
    windows: tuple[tuple[datetime.date, datetime.date], ...]
    witness: dict | None
    decision: dict | None
    message: str
    status: str | None = None        # `confirmed` or `unconfirmed`; for invariants `proven`, `refuted`, `unknown`
    name: str | None = None          # for invariants: their name
    span: Any = attrs.field(default=None, eq=False)
    reason: str | None = None        # why the interpreter does not confirm the finding

    @property
    def first(self) -> datetime.date | None:
        return min((w[0] for w in self.windows), default=None)

    @property
    def last(self) -> datetime.date | None:
        return max((w[1] for w in self.windows), default=None)

    def sort_key(self) -> tuple:
        return (KINDS.index(self.kind), [natural(k) for k in self.clauses], self.name or "")

    def to_json(self) -> dict:
        out = {"kind": self.kind, "clauses": [{"policy": k.policy, "clause": k.clause} for k in self.clauses],
               "from": _start(self.first), "through": _end(self.last),
               "windows": [[_start(a), _end(b)] for a, b in self.windows],
               "status": self.status, "witness": self.witness, "decision": self.decision, "message": self.message}
        if self.reason is not None:
            out["reason"] = self.reason
        if self.kind == "invariant":
            out["name"] = self.name
        return out


def _start(day: datetime.date | None) -> str | None:
    """A window's first day, None when it is the search's first (the window has no start)."""
    return day.isoformat() if day and day > FIRST_DAY else None


def _end(day: datetime.date | None) -> str | None:
    """A window's last day, None when it is the search's last (the window is open-ended)."""
    return day.isoformat() if day and day < LAST_DAY else None


def to_json(findings: list[Finding], stats: dict) -> str:
    return json.dumps({"findings": [f.to_json() for f in findings], "stats": stats},
                      ensure_ascii=False, indent=2)


def windows_text(windows) -> str:
    """Each window as `first – last`; one that the law leaves open "onwards" or "through".

    >>> import datetime as dt
    >>> windows_text([(FIRST_DAY, dt.date(2023, 7, 31)), (dt.date(2025, 10, 9), dt.date(2025, 11, 6)),
    ...               (dt.date(2026, 11, 11), LAST_DAY)])
    'through 2023-07-31, 2025-10-09 – 2025-11-06, 2026-11-11 onwards'
    """
    def one(a, b) -> str:
        first, last = _start(a), _end(b)
        if first is None:
            return f"through {last}" if last else "on every date"
        return f"{first} onwards" if last is None else f"{first} – {last}"
    return ", ".join(one(a, b) for a, b in windows)


# A clause that overlaps this many others or more (a prohibition whatever the item, say) is
# shown once in the text report, with its partners listed; JSON and SARIF keep every finding.
COLLAPSE_AT = 5


def _collapsed(findings: list[Finding]) -> tuple[list[Finding], list[tuple[ClauseKey, list[Finding]]]]:
    """The overlaps of clauses with many partners, taken out of the list and grouped by clause.

    A clause is chosen greedily, the one in the most remaining overlaps first, so each overlap is
    shown in one place.
    """
    rest = list(findings)
    groups: list[tuple[ClauseKey, list[Finding]]] = []
    while True:
        counts: dict[ClauseKey, int] = {}
        for f in rest:
            if f.kind == "overlap":
                for k in f.clauses:
                    counts[k] = counts.get(k, 0) + 1
        best = max(counts, key=lambda k: (counts[k], str(k)), default=None)
        if best is None or counts[best] < COLLAPSE_AT:
            return rest, groups
        group = [f for f in rest if f.kind == "overlap" and best in f.clauses]
        groups.append((best, group))
        rest = [f for f in rest if f not in group]


def to_text(findings: list[Finding], stats: dict) -> str:
    lines = []
    shown, groups = _collapsed(findings)
    for f in shown:
        where = ", ".join(str(k) for k in f.clauses)
        when = f" ({windows_text(f.windows)})" if f.windows else ""
        head = f"{f.kind}" + (f" [{f.status}]" if f.status and f.status != "confirmed" else "")
        lines.append(f"{head}: {where}{when}")
        lines.append(f"  {f.message}")
        if f.reason:
            lines.append(f"  not confirmed: {f.reason}")
        if f.witness is not None:
            outcome = (f.decision or {}).get("outcome")
            lines.append(f"  witness ({outcome}): {json.dumps(f.witness, ensure_ascii=False)}")
    for clause, group in groups:
        partners = [str(k) for f in group for k in f.clauses if k != clause]
        lines.append(f"overlap: {clause} with {len(group)} clauses (each a finding in --format json)")
        lines.append("  " + ", ".join(partners))
        example = group[0]
        if example.witness is not None:
            outcome = (example.decision or {}).get("outcome")
            lines.append(f"  for example ({outcome}): {json.dumps(example.witness, ensure_ascii=False)}")
    counts = ", ".join(f"{n} {k}" for k in KINDS if (n := sum(f.kind == k for f in findings)))
    unconfirmed = sum(f.status == "unconfirmed" for f in findings)
    timing = f" in {stats['seconds']} s" if "seconds" in stats else ""
    lines.append(f"{len(findings)} finding(s){': ' + counts if counts else ''}"
                 f"{f' ({unconfirmed} unconfirmed)' if unconfirmed else ''}; "
                 f"{stats.get('queries', 0)} solver queries{timing}")
    return "\n".join(lines)


def to_sarif(findings: list[Finding], stats: dict, sources: dict[str, str]) -> str:
    """SARIF 2.1.0: one rule per kind, one result per finding, located at the first clause."""
    rules = [{"id": k, "name": k, "shortDescription": {"text": DESCRIPTIONS[k]},
              "defaultConfiguration": {"level": LEVEL[k]}} for k in KINDS]
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.kind, "ruleIndex": KINDS.index(f.kind),
            "level": "note" if f.kind == "invariant" and f.status == "proven" else LEVEL[f.kind],
            "message": {"text": f.message},
            "properties": {"clauses": [str(k) for k in f.clauses], "from": _start(f.first),
                           "through": _end(f.last), "status": f.status, "witness": f.witness,
                           "outcome": (f.decision or {}).get("outcome"),
                           **({"reason": f.reason} if f.reason else {})},
        }
        location = _location(f, sources)
        if location:
            result["locations"] = [location]
        results.append(result)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "policylang analyze", "informationUri":
                                         "https://github.com/policylang/policylang", "rules": rules}},
                     "results": results, "properties": {"stats": stats}}]}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _location(f: Finding, sources: dict[str, Any]) -> dict | None:
    span = f.span or (sources.get(str(f.clauses[0])) if f.clauses else None)
    if span is None:
        return None
    return {"physicalLocation": {"artifactLocation": {"uri": span.path},
                                 "region": {"startLine": span.line, "startColumn": span.column}}}


def natural(k: ClauseKey) -> tuple:
    """A clause's place in reading order: `FIXTURE-2025-9` before `FIXTURE-2025-10`."""
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"(\d+)", f"{k.policy} {k.clause}"))


def merge_windows(ranges) -> tuple:
    """Sorted date windows, adjacent ones joined."""
    out: list[list] = []
    for a, b in sorted(set(ranges)):
        if out and a <= out[-1][1] + datetime.timedelta(days=1):
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)
