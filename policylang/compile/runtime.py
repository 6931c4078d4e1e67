"""What generated code runs with: the case it reads, and the semantics it calls.

Takes: nothing at import; `CaseContext` is made once per case by the engine.
Returns: the names every generated module sees (`RUNTIME`): `M` (missing), the shared semantic
functions of `eval/expressions.py` (`compare`, `arith`, `aggregate`, `items`, `member`, `within`,
`negate`), the built-ins of `semantics/builtins.py`, and small helpers for attribute reads.
Guarantees: generated code decides nothing of its own where the interpreter has a rule: missing
values, units, arithmetic, aggregation, membership and the built-ins are these very functions, so
the compiled engine and the interpreter cannot give them two meanings. Only reading names and
walking the tree are compiled away.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

from policylang.eval import expressions as X
from policylang.eval.values import MISSING, RecordValue
from policylang.semantics.builtins import BUILTINS


class CaseContext:
    """One case being decided: its record, the memo of its definitions, and what the built-ins
    read (the date, the screening, whether a code is controlled on the date). It stands in for
    the interpreter's `Context` when a built-in is called."""

    __slots__ = ("case", "cf", "memo", "date", "screening", "is_controlled_code")

    def __init__(self, case: RecordValue | None, day: datetime.date, screening: Any,
                 is_controlled_code: Callable[[str], bool]):
        self.case = case
        self.cf = case.values if case is not None else {}
        self.memo: dict[str, Any] = {}
        self.date = day
        self.screening = screening
        self.is_controlled_code = is_controlled_code


def get(record: Any, name: str) -> Any:
    """`record.name`, missing when the record is."""
    return MISSING if record is MISSING else record.values.get(name, MISSING)


def within_any(code: Any, scopes: tuple[tuple[str, str], ...]) -> bool:
    """`code within` a constant set of codes, each given with its `code.` prefix."""
    if code is MISSING:
        return False
    return any(code == s or code.startswith(dotted) for s, dotted in scopes)


# The names generated modules are compiled with (besides their own constants).
RUNTIME: dict[str, Any] = {
    "M": MISSING,
    "compare": X.compare,
    "arith": X._arith,
    "aggregate": X.aggregate,
    "items": X.items,
    "member": X.member,
    "within": X.within,
    "within_any": within_any,
    "negate": X.negate,
    "get": get,
    **{f"builtin_{name}": b.impl for name, b in BUILTINS.items()},
}
