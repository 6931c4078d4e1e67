"""Accepted findings: a library's `accept` statements matched with the findings of a run.

Takes: the program, the findings, and `searched(kind, keys)`, whether the run looked for findings
of that kind about those clauses.
Returns: `apply_accepts(program, findings, searched)`: the findings, those an accept matches
carrying it (`Finding.accepted`: its reason and place), and a W301 warning for each stale part of
an accept.
Guarantees: an accept matches a finding of its kind whose clauses are named by it: for a finding
about one clause, by its reference; about two, one by its reference and the other by one of its
`with` references, in either order (a reference names a clause and those numbered under it, or a
whole announcement). The first accept in file order that matches a finding is the one shown. A
part of an accept (its reference, with one `with` reference) that matches no finding is stale,
and said so at its place, but only when the run searched for such findings: a run narrowed by
`--kind` or `--clause` judges only what it looked at.

>>> from policylang.library import load
>>> import pathlib, tempfile
>>> f = pathlib.Path(tempfile.mkdtemp()) / "p.ecp"
>>> _ = f.write_text('announcement P-2025-1 { issued 2025-01-01 clause 1 { when true prohibit } '
...                  'accept vacuous clause 1 because "kept for when it is needed" }')
>>> program, _ = load([f], with_stdlib=True)
>>> findings, stale = apply_accepts(program, [], lambda kind, keys: True)
>>> [d.code for d in stale]
['W301']
"""

from __future__ import annotations

from typing import Callable

import attrs

from policylang.analysis.findings import Finding
from policylang.check.accepts import accepts_of
from policylang.diagnostics import Diagnostic, warning
from policylang.program import Program


def apply_accepts(program: Program, findings: list[Finding],
                  searched: Callable[[str, tuple], bool]) -> tuple[list[Finding], list[Diagnostic]]:
    parts = []
    for accept, home in accepts_of(program):
        first = frozenset(program.clauses_for(accept.clauses, home))
        if not accept.others:
            parts.append((accept, first, None, accept.clauses))
        for ref in accept.others:
            parts.append((accept, first, frozenset(program.clauses_for(ref, home)), ref))
    used: set[int] = set()
    out = []
    for f in findings:
        hits = [n for n, part in enumerate(parts) if _matches(part, f)]
        if hits:
            used.update(hits)
            accept = parts[hits[0]][0]
            span = accept.span
            place = f"{span.path}:{span.line}:{span.column}" if span is not None else None
            f = attrs.evolve(f, accepted={"reason": accept.reason, "at": place})
        out.append(f)
    stale = []
    for n, (accept, first, others, ref) in enumerate(parts):
        if n in used or not _was_searched(accept.kind, first, others, searched):
            continue
        named = " with ".join(_names(s) for s in (first, others) if s is not None)
        stale.append(warning("W301", ref.span or accept.span, kind=accept.kind, clauses=named,
                             help="the interaction no longer occurs: remove the accept (or this part of it)"))
    return out, stale


def _matches(part: tuple, f: Finding) -> bool:
    accept, first, others, _ = part
    if f.kind != accept.kind:
        return False
    if others is None:
        return len(f.clauses) == 1 and f.clauses[0] in first
    if len(f.clauses) != 2:
        return False
    a, b = f.clauses
    return (a in first and b in others) or (b in first and a in others)


def _was_searched(kind: str, first: frozenset, others: frozenset | None, searched) -> bool:
    if others is None:
        return any(searched(kind, (k,)) for k in first)
    return any(searched(kind, (a, b)) for a in first for b in others)


def _names(keys: frozenset) -> str:
    ordered = sorted(keys, key=lambda k: (k.policy, k.clause))
    shown = ", ".join(f"`{k}`" for k in ordered[:3])
    return shown + (f" (and {len(ordered) - 3} more)" if len(ordered) > 3 else "")


__all__ = ["apply_accepts"]
