"""Built-in functions of the policy language: their signatures and their meaning, in one place.

Takes: evaluated arguments and the evaluation context (the case's date, the library's screening
and control scopes).
Returns: a value; each built-in has a signature the checker reads.
Guarantees: built-ins are the only Python a policy reaches, and they are fixed here: a `.ecp` file
names them, it cannot add to them. They read the case and the library and change nothing. This
module lies below the checker, the interpreter and the compiled engine, which all call it, so
the three cannot give a built-in two meanings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

import attrs

from policylang.check.types import BOOL, CODE, DECIMAL, EnumT, RecordT, Type
from policylang.eval.values import MISSING, RecordValue


@attrs.frozen
class Builtin:
    """A built-in function: its parameter types, result type, implementation and a sentence."""
    params: tuple[Type, ...]
    result: Type
    impl: Callable
    doc: str


def _listed(ctx, party: RecordValue, list_name) -> bool:
    if party is MISSING:
        return False
    return ctx.screening.is_listed(party, list_name.name, ctx.date)


def _controlled_by_listed(ctx, party: RecordValue, list_name, share: Decimal) -> bool:
    """Listed, or controlled `share` or more by a party that is, through a chain of such links
    (followed without recursion, so a chain of any depth is decided)."""
    seen: set[int] = set()
    stack = [party]
    while stack:
        p = stack.pop()
        if p is MISSING or id(p) in seen:
            continue
        seen.add(id(p))
        if ctx.screening.is_listed(p, list_name.name, ctx.date):
            return True
        owners = p.get("owners")
        for o in (owners if owners is not MISSING else ()):
            if o.get("share") is not MISSING and o.get("share") >= share:
                stack.append(o.get("party"))
    return False


def _controlled(ctx, code) -> bool:
    if code is MISSING:
        return False
    return ctx.is_controlled_code(code)


BUILTINS: dict[str, Builtin] = {
    "listed": Builtin(
        (RecordT("Party"), EnumT("ListName")), BOOL, _listed,
        "the party is on the list: named in its `lists`, or its name matches an entry after normalisation"),
    "controlled_by_listed": Builtin(
        (RecordT("Party"), EnumT("ListName"), DECIMAL), BOOL, _controlled_by_listed,
        "the party is listed, or is controlled at least `share` by a listed party, directly or "
        "through a chain in which every link is at least `share`"),
    "controlled": Builtin(
        (CODE,), BOOL, _controlled,
        "a control-list clause of the library in force on the case's date covers the code "
        "(the dual-use reading of contract §5)"),
}
