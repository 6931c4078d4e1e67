"""The renderings of a run of `policylang analyze`: JSON, SARIF 2.1.0, and text for people.

Takes: the findings (accepted ones marked, see `accepts.py`), the run's stats, the warnings of the
run (stale accepts), and for SARIF the place of each clause.
Returns: `to_json`, `to_sarif`, `to_text`.
Guarantees: every finding is rendered in every form, accepted and unconfirmed ones too, with the
reason; SARIF gives each result `partialFingerprints` (kind and clauses: stable while the finding
stands, whatever its witness or line numbers) and an accepted finding a `suppressions` entry
(`inSource`, with the accept's reason and place); a stale accept is a `stale-accept` result at
its place. The text report shows a clause with many overlaps once, with its partners.
"""

from __future__ import annotations

import json
from typing import Any

from policylang import diagnostics as D
from policylang.analysis.findings import DESCRIPTIONS, KINDS, LEVEL, Finding, windows_text
from policylang.program import ClauseKey

FINGERPRINT = "policylangFinding/v1"
STALE = "stale-accept"

# A clause that overlaps this many others or more (a prohibition whatever the item, say) is
# shown once in the text report, with its partners listed; JSON and SARIF keep every finding.
COLLAPSE_AT = 5


def to_json(findings: list[Finding], stats: dict, warnings: list[D.Diagnostic] = ()) -> str:
    return json.dumps({"findings": [f.to_json() for f in findings],
                       "warnings": [D.to_json(w) for w in warnings], "stats": stats},
                      ensure_ascii=False, indent=2)


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


def _tags(f: Finding) -> str:
    tags = [t for t in (f.status if f.status not in (None, "confirmed") else None,
                        "accepted" if f.accepted else None) if t]
    return f" [{', '.join(tags)}]" if tags else ""


def to_text(findings: list[Finding], stats: dict, warnings: list[D.Diagnostic] = ()) -> str:
    lines = []
    shown, groups = _collapsed(findings)
    for f in shown:
        where = ", ".join(str(k) for k in f.clauses)
        when = f" ({windows_text(f.windows)})" if f.windows else ""
        lines.append(f"{f.kind}{_tags(f)}: {where}{when}")
        lines.append(f"  {f.message}")
        if f.reason:
            lines.append(f"  not confirmed: {f.reason}")
        if f.accepted:
            lines.append(f"  accepted ({f.accepted['at']}): {f.accepted['reason']}")
        if f.witness is not None:
            outcome = (f.decision or {}).get("outcome")
            lines.append(f"  witness ({outcome}): {json.dumps(f.witness, ensure_ascii=False)}")
    for clause, group in groups:
        partners = [str(k) + (" (accepted)" if f.accepted else "") for f in group for k in f.clauses if k != clause]
        unconfirmed = [f for f in group if f.status == "unconfirmed"]
        lines.append(f"overlap: {clause} with {len(group)} clauses (each a finding in --format json)")
        lines.append("  " + ", ".join(partners))
        for f in unconfirmed:
            lines.append(f"  not confirmed ({', '.join(map(str, f.clauses))}): {f.reason}")
        example = group[0]
        if example.witness is not None:
            outcome = (example.decision or {}).get("outcome")
            lines.append(f"  for example ({outcome}): {json.dumps(example.witness, ensure_ascii=False)}")
    if warnings:
        lines.append(D.render_text(list(warnings)))

    def count(kind: str) -> str:
        of = [f for f in findings if f.kind == kind]
        accepted = sum(1 for f in of if f.accepted)
        return f"{len(of)} {kind}" + (f" ({accepted} accepted)" if accepted else "") if of else ""
    counts = ", ".join(c for k in KINDS if (c := count(k)))
    unconfirmed = sum(f.status == "unconfirmed" for f in findings)
    timing = f" in {stats['seconds']} s" if "seconds" in stats else ""
    lines.append(f"{len(findings)} finding(s){': ' + counts if counts else ''}"
                 f"{f'; {unconfirmed} unconfirmed' if unconfirmed else ''}; "
                 f"{stats.get('queries', 0)} solver queries{timing}")
    return "\n".join(lines)


def to_sarif(findings: list[Finding], stats: dict, sources: dict[str, Any],
             warnings: list[D.Diagnostic] = ()) -> str:
    """SARIF 2.1.0: one rule per kind, one result per finding, located at the first clause."""
    rules = [{"id": k, "name": k, "shortDescription": {"text": DESCRIPTIONS[k]},
              "defaultConfiguration": {"level": LEVEL[k]}} for k in KINDS]
    rules.append({"id": STALE, "name": STALE,
                  "shortDescription": {"text": "an accept statement that matches no finding"},
                  "defaultConfiguration": {"level": "warning"}})
    results = [_result(f, sources) for f in findings]
    for w in warnings:
        result: dict[str, Any] = {"ruleId": STALE, "ruleIndex": len(KINDS), "level": "warning",
                                  "message": {"text": w.message + (f" ({w.help})" if w.help else "")}}
        if w.span is not None:
            result["locations"] = [_at(w.span)]
        results.append(result)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "policylang analyze", "informationUri":
                                         "https://github.com/policylang/policylang", "rules": rules}},
                     "results": results, "properties": {"stats": stats}}]}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _result(f: Finding, sources: dict[str, Any]) -> dict:
    found = f.to_json()
    text = f.message + (f" (not confirmed: {f.reason})" if f.reason else "")
    result: dict[str, Any] = {
        "ruleId": f.kind, "ruleIndex": KINDS.index(f.kind),
        "level": "note" if f.kind == "invariant" and f.status == "proven" else LEVEL[f.kind],
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT: f.fingerprint()},
        "properties": {"clauses": [str(k) for k in f.clauses], "from": found["from"],
                       "through": found["through"], "status": f.status, "witness": f.witness,
                       "outcome": (f.decision or {}).get("outcome"),
                       **({"reason": f.reason} if f.reason else {})},
    }
    span = f.span or (sources.get(str(f.clauses[0])) if f.clauses else None)
    if span is not None:
        result["locations"] = [_at(span)]
    if f.accepted:
        suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted",
                                       "justification": f.accepted["reason"]}
        if f.accepted.get("at"):
            path, line, column = f.accepted["at"].rsplit(":", 2)
            suppression["location"] = {"physicalLocation": {"artifactLocation": {"uri": path},
                                                            "region": {"startLine": int(line),
                                                                       "startColumn": int(column)}}}
        result["suppressions"] = [suppression]
    return result


def _at(span) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": span.path},
                                 "region": {"startLine": span.line, "startColumn": span.column}}}


__all__ = ["to_json", "to_text", "to_sarif", "COLLAPSE_AT"]
