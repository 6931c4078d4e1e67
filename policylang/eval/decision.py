"""Decisions: what `policylang eval` says about one case (contract §4).

Takes: the findings of the interpreter for one case.
Returns: a `Decision`, its JSON object (`to_json`) and its text for people (`render_text`).
Guarantees: the JSON shape is the published contract: `id`, `date`, `outcome`, `reasons`,
`needs_review`, `obligations`, `suspended`, `not_in_force`, `overridden`, `screening`,
`classification`, `errors`, `warnings`, `library`; lists are always present, empty when there is
nothing to say; a reason carries `url` when the official page is known. What only an option asks
for is added only then, so every other decision keeps its bytes: `as_of` (`--as-of`),
`explanation` (`--explain`), a near match's `disposition` and a reason's `listed_by`
(`--dispositions`).
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from policylang.diagnostics import Diagnostic
from policylang.program import ClauseKey


@attrs.frozen
class Reason:
    """A clause that applies to the case, with its effect and its legal text."""
    key: ClauseKey
    effect: str
    source: str
    title: str | None = None
    text: dict[str, str] = attrs.field(factory=dict)
    url: str | None = None
    # The reviewer's `match` verdicts the clause rests on: (the party's name, the `Disposition`).
    listed_by: tuple = ()


@attrs.frozen
class Duty:
    """An obligation of an applicable clause in force."""
    kind: str
    key: ClauseKey
    due: datetime.date | None = None
    detail: str | None = None


@attrs.frozen
class Suspended:
    """A clause that would apply but is suspended."""
    key: ClauseKey
    by: ClauseKey | None
    start: datetime.date
    end: datetime.date


@attrs.frozen
class NotInForce:
    """A clause that would apply but is not yet, or no longer, in force."""
    key: ClauseKey
    state: str
    start: datetime.date | None
    end: datetime.date | None


@attrs.frozen
class Overridden:
    """A clause that applies but is set aside by an exception."""
    key: ClauseKey
    by: tuple[ClauseKey, ...]


@attrs.frozen
class Classified:
    """The control code an item given by category was classified to, and the clause that did it."""
    code: str
    key: ClauseKey


@attrs.frozen
class WhyNot:
    """Why a clause relevant to the case did not apply (`--explain`): the first condition that
    failed, in words, with the case's value and the law's bound (as policylang writes them) and
    the field of the case it read; `classifies` names the code of a classification that failed."""
    key: ClauseKey
    failed: str
    value: str | None = None
    bound: str | None = None
    path: str | None = None
    classifies: str | None = None

    def to_json(self) -> dict:
        code = {"classifies": self.classifies} if self.classifies else {}
        return {**_k(self.key), **code, "failed": self.failed, "value": self.value, "bound": self.bound,
                "path": self.path}

    def __str__(self) -> str:
        code = f" ({self.classifies})" if self.classifies else ""
        return f"{self.key}{code}: {self.failed}"


@attrs.frozen
class Decision:
    """The decision for one case."""
    id: Any
    date: datetime.date | None
    outcome: str
    reasons: tuple[Reason, ...] = ()
    obligations: tuple[Duty, ...] = ()
    suspended: tuple[Suspended, ...] = ()
    not_in_force: tuple[NotInForce, ...] = ()
    overridden: tuple[Overridden, ...] = ()
    screening: tuple[Any, ...] = ()
    classification: tuple[Classified, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    library: Any = None             # the `LibraryIdentity` of the library that decided
    needs_review: bool = False
    as_of: datetime.date | None = None  # decided as of this date, not the case's own (`--as-of`)
    explanation: tuple[WhyNot, ...] | None = None   # asked for by `--explain` only

    def to_json(self) -> dict:
        found = self._json()
        if self.explanation is not None:     # only then, so that every other decision stays as it was
            found = _after(found, "reasons", "explanation", [w.to_json() for w in self.explanation])
        if self.as_of is not None:
            found = _after(found, "date", "as_of", _d(self.as_of))
        return found

    def _json(self) -> dict:
        return {
            "id": self.id,
            "date": _d(self.date),
            "outcome": self.outcome,
            "needs_review": self.needs_review,
            "reasons": [_reason(r) for r in self.reasons],
            "obligations": [_drop_none({"kind": o.kind, **_k(o.key), "due": _d(o.due), "detail": o.detail})
                            for o in self.obligations],
            "suspended": [{**_k(s.key), "by": str(s.by) if s.by else None, "from": _d(s.start),
                           "through": _d(s.end)} for s in self.suspended],
            "not_in_force": [{**_k(n.key), "state": n.state, "from": _d(n.start), "through": _d(n.end)}
                             for n in self.not_in_force],
            "overridden": [{**_k(o.key), "by": [_k(b) for b in o.by]} for o in self.overridden],
            "screening": [_near_match(s) for s in self.screening],
            "classification": [{"code": c.code, **_k(c.key)} for c in self.classification],
            "errors": [_diag(e) for e in self.errors],
            "warnings": [_diag(w) for w in self.warnings],
            "library": self.library.to_json() if self.library is not None else None,
        }


def _after(found: dict, key: str, new: str, value: Any) -> dict:
    """The object with `new` inserted right after `key`."""
    out = {}
    for k, v in found.items():
        out[k] = v
        if k == key:
            out[new] = value
    return out


def _near_match(s) -> dict:
    found = {"party": s.party, "list": s.list, "entry": s.entry, "score": s.score}
    if s.disposition is not None:
        found["disposition"] = s.disposition.to_json()
    return found


def _reason(r: Reason) -> dict:
    """A reason in JSON: made once per reason (reasons are shared between decisions), copied out."""
    found = _REASONS.get(id(r))
    if found is None or found[0] is not r:
        url = {"url": r.url} if r.url else {}
        found = (r, {**_k(r.key), "effect": r.effect, "source": r.source, **url, "title": r.title, "text": r.text})
        if r.listed_by:
            found[1]["listed_by"] = [{"party": name, "list": d.list, "entry": d.entry, **d.to_json()}
                                     for name, d in r.listed_by]
        if len(_REASONS) < 4096:
            _REASONS[id(r)] = found     # the reason itself is kept too, so its id is not reused
    return dict(found[1])


_REASONS: dict[int, tuple[Reason, dict]] = {}


def _k(key: ClauseKey) -> dict:
    return {"policy": key.policy, "clause": key.clause}


def _d(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _diag(d: Diagnostic) -> dict:
    return _drop_none({"code": d.code, "message": d.message, "path": d.path, "help": d.help})


# ------------------------------------------------------------------ text for people

_OUTCOME_STYLE = {"prohibited": "bold red", "denied_in_principle": "bold red", "error": "bold red",
                  "case_by_case": "bold yellow", "license_required": "bold yellow",
                  "report_only": "bold cyan", "not_controlled": "bold green"}


def render_text(decision: Decision, origin: str | None = None, paint=None) -> str:
    """The outcome first, then each reason with its article and quoted text, then duties and dates;
    an error decision also says where the case was read (`cases.jsonl:17`, `cases.json[3]`).
    `paint` (see `colour.py`) colours the outcome without changing the text."""
    paint = paint or (lambda text, style: text)
    dates = f"{decision.date or ''}" + (f" (decided as of {decision.as_of})" if decision.as_of else "")
    head = (f"{decision.id or '(no id)'}  {dates}  "
            + paint(decision.outcome.upper(), _OUTCOME_STYLE.get(decision.outcome, "bold")))
    if origin and decision.outcome == "error":
        head += f"  ({origin})"
    lines = [head.rstrip()]
    for e in decision.errors:
        lines.append(f"  error[{e.code}] {e.path or '(case)'}: {e.message}" + (f" ({e.help})" if e.help else ""))
    if decision.needs_review:
        lines.append("  NEEDS REVIEW: a party name is close to a listed name; a person must clear it")
    for r in decision.reasons:
        lines.append(f"  because {r.key} ({r.title or 'untitled'}): {r.effect}")
        lines.append(f"    {r.source}")
        if r.url:
            lines.append(f"    {r.url}")
        for name, d in r.listed_by:
            lines.append(f"    listed by a reviewer's verdict: `{name}` is `{d.entry}` on {d.list} "
                         f"({d.reviewer}, {d.date}{': ' + d.note if d.note else ''})")
    for c in decision.classification:
        lines.append(f"  classified as {c.code} by {c.key}")
    for o in decision.obligations:
        due = f", due {o.due}" if o.due else ""
        detail = f": {o.detail}" if o.detail else ""
        lines.append(f"  duty {o.kind.replace('_', ' ')} under {o.key}{due}{detail}")
    for o in decision.overridden:
        lines.append(f"  set aside {o.key} by exception " + ", ".join(str(b) for b in o.by))
    for s in decision.suspended:
        lines.append(f"  suspended {s.key} by {s.by} from {s.start} through {s.end}")
    for n in decision.not_in_force:
        when = {"not_yet": f"in force from {n.start}", "expired": f"in force through {n.end}",
                "repealed": f"repealed after {n.end}"}.get(n.state, n.state)
        lines.append(f"  not in force {n.key}: {when}")
    for s in decision.screening:
        verdict = ""
        if s.disposition is not None:
            d = s.disposition
            said = "cleared" if d.verdict == "no_match" else "confirmed as a match"
            verdict = f", {said} by {d.reviewer} on {d.date}" + (f": {d.note}" if d.note else "")
        lines.append(f"  screening {s.party}: near `{s.entry}` on {s.list} (score {s.score}){verdict}")
    for w in decision.explanation or ():
        lines.append(f"  why not {w}")
    for w in decision.warnings:
        lines.append(f"  warning[{w.code}] {w.path or ''}: {w.message}")
    return "\n".join(lines)


def render_library(identity) -> str:
    """The line that says which law decided, under the decisions of a text report."""
    checked = identity.checked_through.isoformat() if identity.checked_through else "not stated"
    return (f"library: policylang {identity.version}, {identity.digest[:19]}…, "
            f"sources checked through {checked}")
