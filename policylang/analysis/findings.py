"""Findings of `policylang analyze`: what each says, and its JSON form (renderings: `report.py`).

Takes: what the search found (`search.py`, `verdicts.py`, `gaps.py`, `invariants.py`).
Returns: `Finding`, its `to_json()` and `Finding.from_json(...)` (the result cache reads findings
back), and the helpers for windows and clause order.
Guarantees: every finding names its clauses (`{"policy", "clause"}`), the date windows in which it
occurs (`from`, `through`: the first and last day of them; `windows`: each one; an end the law
leaves open is `null`, "onwards" in text: the search's own first and last days are never shown),
a witness case in the contract format with the decision `policylang eval` gives it, its status
(`confirmed`, or `unconfirmed` with the `reason` the interpreter disagrees; `proven`, `refuted`
or `unknown` for invariants), whether an `accept` statement accepts it (its reason and place),
and one plain sentence. `from_json(to_json())` gives the finding back.

>>> f = Finding("vacuous", (ClauseKey("P-2025-1", "2"),), ((FIRST_DAY, LAST_DAY),), None, None, "never")
>>> f.to_json()["clauses"], f.to_json()["windows"], Finding.from_json(f.to_json()) == f
([{'policy': 'P-2025-1', 'clause': '2'}], [[None, None]], True)
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import attrs

from policylang.program import ClauseKey

# The first and last day the search considers: every date the law can mean lies between them.
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2040, 12, 31)

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
    accepted: dict | None = None     # the accept that accepts it: {"reason", "at"}

    @property
    def first(self) -> datetime.date | None:
        return min((w[0] for w in self.windows), default=None)

    @property
    def last(self) -> datetime.date | None:
        return max((w[1] for w in self.windows), default=None)

    @property
    def fails(self) -> bool:
        """Whether the finding fails the run: a conflict (confirmed or not) that no accept
        accepts, or an invariant that does not hold."""
        if self.kind == "invariant":
            return self.status != "proven"
        return self.kind == "conflict" and self.accepted is None

    def sort_key(self) -> tuple:
        return (KINDS.index(self.kind), [natural(k) for k in self.clauses], self.name or "")

    def fingerprint(self) -> str:
        """What identifies the finding from one run to the next, whatever its witness or the
        lines of the files: its kind, its clauses, and an invariant's name."""
        ident = "\n".join([self.kind, *(str(k) for k in self.clauses), self.name or ""])
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]

    def to_json(self) -> dict:
        out = {"kind": self.kind, "clauses": [{"policy": k.policy, "clause": k.clause} for k in self.clauses],
               "from": _start(self.first), "through": _end(self.last),
               "windows": [[_start(a), _end(b)] for a, b in self.windows],
               "status": self.status, "accepted": self.accepted,
               "witness": self.witness, "decision": self.decision, "message": self.message}
        if self.reason is not None:
            out["reason"] = self.reason
        if self.kind == "invariant":
            out["name"] = self.name
        return out

    @classmethod
    def from_json(cls, data: dict, span: Any = None) -> "Finding":
        def day(text: str | None, open_end: datetime.date) -> datetime.date:
            return datetime.date.fromisoformat(text) if text else open_end
        return cls(data["kind"], tuple(ClauseKey(c["policy"], c["clause"]) for c in data["clauses"]),
                   tuple((day(a, FIRST_DAY), day(b, LAST_DAY)) for a, b in data["windows"]),
                   data["witness"], data["decision"], data["message"], data["status"], data.get("name"),
                   span, data.get("reason"), data.get("accepted"))


def _start(day: datetime.date | None) -> str | None:
    """A window's first day, None when it is the search's first (the window has no start)."""
    return day.isoformat() if day and day > FIRST_DAY else None


def _end(day: datetime.date | None) -> str | None:
    """A window's last day, None when it is the search's last (the window is open-ended)."""
    return day.isoformat() if day and day < LAST_DAY else None


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
