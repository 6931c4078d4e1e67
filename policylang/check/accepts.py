"""Checks of `accept` statements: the findings of `policylang analyze` that authors intend.

Takes: a `Program`.
Returns: `accepts_of(program)`, every accept with the announcement it stands in (None at module
level), in file order; `check_accepts(program)`, the diagnostics: a kind that is no finding kind,
or one that cannot be accepted (E121), a clause or announcement that does not exist (E104,
E105), a kind about two clauses without `with`, or about one clause with it (E122), no reason
(E123).
Guarantees: an accept that checks clean names clauses that exist and a kind of finding with as
many clauses as such findings have. Whether it matches a finding is `policylang analyze`'s to
say: an accept that matches none is reported there as stale (W301).
"""

from __future__ import annotations

from typing import Iterator

from policylang import ast
from policylang.check.refs import check_reference
from policylang.check.typecheck import did_you_mean
from policylang.diagnostics import Diagnostic, error
from policylang.program import Program

# How many clauses a finding of each kind names (a gap: one or two classifying clauses).
ARITY = {"conflict": (2,), "overlap": (2,), "silenced": (2,), "redundant": (2,), "gap": (1, 2),
         "shadowed": (1,), "vacuous": (1,)}


def accepts_of(program: Program) -> Iterator[tuple[ast.Accept, str | None]]:
    """Every accept of the program, with the announcement it stands in, in file order."""
    for module in program.modules:
        for item in module.items:
            if isinstance(item, ast.Accept):
                yield item, None
            elif isinstance(item, ast.Announcement):
                for accept in item.accepts:
                    yield accept, item.id


def check_accepts(program: Program) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for accept, home in accepts_of(program):
        if accept.kind not in ARITY:
            why = ("an invariant is proven or refuted, never accepted: change the invariant"
                   if accept.kind == "invariant" else
                   did_you_mean(accept.kind, ARITY) or "kinds are " + ", ".join(f"`{k}`" for k in ARITY))
            diags.append(error("E121", accept.kind_span, name=accept.kind, help=why))
        elif accept.others and 2 not in ARITY[accept.kind]:
            diags.append(error("E122", accept.span, kind=accept.kind, problem="is about one clause",
                               help="leave out `with` and what follows it"))
        elif not accept.others and 1 not in ARITY[accept.kind]:
            diags.append(error("E122", accept.span, kind=accept.kind, problem="is about two clauses",
                               help="name the other clause after `with`"))
        for ref in (accept.clauses, *accept.others):
            check_reference(program, ref, home, diags)
        if not accept.reason.strip():
            diags.append(error("E123", accept.span, help="say, as the law reads, why the interaction is intended"))
    return diags
