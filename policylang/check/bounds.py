"""Bounds the checker enforces before it recurses: nesting through definitions, clause chains.

Takes: a `Program` whose files passed the parser's bounds (`syntax/bounds.py`: no expression
nested more than `expression_depth` levels as written).
Returns: diagnostics: an expression nested more than `expression_depth` levels once the
definitions it uses are counted in (E118: a chain of 300 definitions, each using the next, is
as deep as one expression 300 levels deep, and every engine recurses through it); a clause that
is an exception to or refinement of itself, directly or through others (E110); a chain of
exceptions and refinements longer than `clause_chain` (E119).
Guarantees: every walk here is iterative or bounded by the parser's depth limit, so that a
program of any shape is measured without recursion errors; when this stage reports an error the
checker stops before typing (which recurses through definitions) and combining is never asked
to recurse further than `clause_chain`.
"""

from __future__ import annotations

import typing
from typing import Iterator

import attrs

from policylang import ast, limits
from policylang.diagnostics import Diagnostic, error
from policylang.program import ClauseKey, Program

EXPRESSIONS = typing.get_args(ast.Expr)
TOO_DEEP = "E118"


def check(program: Program) -> list[Diagnostic]:
    """Every bound the program breaks, placed."""
    return _definition_depths(program) + _clause_chains(program)


# ------------------------------------------------------------------ nesting through definitions


def _children(node) -> Iterator:
    for f in attrs.fields(type(node)):
        if f.name == "span" or f.name.endswith("_span"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            yield from (v for v in value if attrs.has(type(v)))
        elif attrs.has(type(value)):
            yield value


def _used(node, definitions) -> set[str]:
    """The definitions an AST node names (parse-depth bounded, so recursion is safe)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and n.name in definitions:
            found.add(n.name)
        elif isinstance(n, ast.Call) and n.func in definitions:
            found.add(n.func)
        stack += _children(n)
    return found


def _definition_depths(program: Program) -> list[Diagnostic]:
    definitions = program.definitions
    depth: dict[str, int] = {}
    # Each definition's depth once every definition it uses is known: an iterative post-order
    # walk of the graph of uses; a definition met again while open (a cycle, E109 of the typing)
    # counts as depth 0 there, so that the walk ends.
    uses = {name: _used(d.body, definitions) for name, (d, _) in definitions.items()}
    for start in definitions:
        if start in depth:
            continue
        stack, open_ = [(start, iter(sorted(uses[start])))], {start}
        while stack:
            name, pending = stack[-1]
            nxt = next((u for u in pending if u not in depth and u not in open_), None)
            if nxt is not None:
                open_.add(nxt)
                stack.append((nxt, iter(sorted(uses[nxt]))))
                continue
            stack.pop()
            open_.discard(name)
            depth[name] = _expression_depth(definitions[name][0].body, depth, definitions)
    bound = limits.current().expression_depth
    over = {name for name, d in depth.items() if d > bound}
    used_by_over = {u for name in over for u in uses[name]}
    bodies = {id(definitions[name][0].body) for name in used_by_over}  # reported where they are used
    found = []
    for module in program.modules:
        for root in _expression_roots(module):
            if id(root) in bodies:
                continue
            total = _expression_depth(root, depth, definitions)
            if total > bound:
                found.append(error(TOO_DEEP, root.span, limit=bound, depth=total,
                                   help="a chain of definitions, each using the next, nests as deeply as "
                                        "one expression: use fewer steps, or raise `--limit expression_depth=N`"))
    return found


def _expression_roots(node) -> Iterator:
    """The outermost expressions of a node: a rule's condition, a definition's body, …"""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, EXPRESSIONS):
            yield n
        else:
            stack += _children(n)


def _expression_depth(e, depth: dict[str, int], definitions) -> int:
    """Nesting of an expression, a use of a definition counted as that definition's depth
    (bounded by the parser's depth limit, so this recursion is safe)."""
    inner = max((_expression_depth(c, depth, definitions) for c in _children(e)), default=0)
    if isinstance(e, ast.Name) and e.name in definitions:
        inner = max(inner, depth.get(e.name, 0))
    elif isinstance(e, ast.Call) and e.func in definitions:
        inner = max(inner, depth.get(e.func, 0))
    return inner + 1


# ------------------------------------------------------------------ exceptions and refinements


def _clause_chains(program: Program) -> list[Diagnostic]:
    """Cycles (E110) and over-long chains (E119) of exceptions and refinements."""
    edges: dict[ClauseKey, list[ClauseKey]] = {}
    for key, clause in program.clauses.items():
        targets: list[ClauseKey] = []
        for ref in (*clause.exception_to, *clause.refines):
            # A reference to an announcement or a clause heading (`refines clause I` from `I(1)`)
            # means the other clauses under it; a clause named exactly is named, itself included.
            targets += [k for k in program.clauses_for(ref, key.policy) if k != key or ref.clause == key.clause]
        edges[key] = list(dict.fromkeys(targets))
    found: list[Diagnostic] = []
    longest: dict[ClauseKey, int] = {}           # links of the longest chain leading from a clause
    reported: set[ClauseKey] = set()
    for start in edges:
        if start in longest:
            continue
        stack, on_path = [(start, iter(edges[start]))], [start]
        while stack:
            key, pending = stack[-1]
            nxt = next(pending, None)
            if nxt is None:
                stack.pop()
                on_path.pop()
                longest[key] = max((longest.get(t, 0) + 1 for t in edges[key] if t in longest), default=0)
                continue
            if nxt in on_path:
                if nxt in reported:
                    continue
                reported.add(nxt)
                cycle = on_path[on_path.index(nxt):] + [nxt]
                found.append(error("E110", program.clauses[nxt].id_span, clause=nxt.clause,
                                   chain=" -> ".join(f"`{k}`" for k in cycle),
                                   help="an exception or refinement must point away from itself"))
            elif nxt not in longest:
                on_path.append(nxt)
                stack.append((nxt, iter(edges[nxt])))
    bound = limits.current().clause_chain
    over = {k for k, links in longest.items() if links > bound}
    reached = {t for k in over for t in edges[k]}
    for key in sorted(over - reached, key=str):    # the head of each chain, not every clause of it
        found.append(error("E119", program.clauses[key].id_span, clause=key.clause, links=longest[key], limit=bound,
                           help="shorten the chain: an exception or refinement may name the clause it "
                                "sets aside or refines directly"))
    return _unique(found)


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    return list({(d.code, d.message, d.span.start if d.span else 0): d for d in found}.values())
