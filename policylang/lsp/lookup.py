"""What stands at a position of a document, and what a dotted path there refers to.

Takes: a `Snapshot` and an offset (or the text before the cursor).
Returns: a `Target` (a clause reference, a clause, an announcement, a control code, an import,
an attribute step or a name), and for a path such as `item.parameters` or `c` in
`any c in item.contains: c.` the record or enumeration it denotes.
Guarantees: works from the AST when the document parses and from its text when it does not (as
while typing `item.`); never raises on an unknown name, it answers None.
"""

from __future__ import annotations

import re
from typing import Iterator

import attrs

from policylang import ast
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.lsp.positions import line_end, line_start
from policylang.program import CASE_RECORD, Program

CODE_RE = re.compile(r"[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*")
_WORD = re.compile(r"[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*|[A-Z]+-[0-9]{4}-[0-9]+|[A-Za-z_][A-Za-z0-9_]*")
_PATH_BEFORE = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\.(\w*)$")


@attrs.frozen
class Target:
    """What the cursor is on: `kind` is ref, clause, announcement, code, import, attribute or name.

    For an attribute, `value` is its name and the offset where the name starts.
    """
    kind: str
    value: object
    span: object = None
    home: str | None = None  # the announcement a clause reference is written in


def walk(node) -> Iterator:
    """Every AST node below `node`, itself included, depth first."""
    yield node
    for f in attrs.fields(type(node)):
        value = getattr(node, f.name)
        if isinstance(value, tuple):
            for v in value:
                if attrs.has(type(v)):
                    yield from walk(v)
        elif attrs.has(type(value)) and f.name != "span" and not f.name.endswith("_span"):
            yield from walk(value)


def target_at(module: ast.Module | None, text: str, offset: int) -> Target | None:
    """The target at `offset`: from the AST when there is one, else from the word there."""
    if module is not None:
        found = _from_ast(module, offset)
        if found is not None:
            return found
    return _from_text(text, offset)


def _inside(span, offset: int) -> bool:
    return span is not None and span.start <= offset <= span.end


def _from_ast(module: ast.Module, offset: int) -> Target | None:
    best: Target | None = None
    best_width = None
    for item in module.items:
        home = item.id if isinstance(item, ast.Announcement) else None
        for node in walk(item):
            t = _node_target(node, offset, home)
            if t is not None:
                width = t.span.end - t.span.start
                if best_width is None or width < best_width:
                    best, best_width = t, width
    return best


def _node_target(node, offset: int, home: str | None) -> Target | None:
    match node:
        case ast.Ref() if _inside(node.span, offset):
            return Target("ref", node, node.span, home)
        case ast.Clause() if _inside(node.id_span, offset):
            return Target("clause", node, node.id_span, home)
        case ast.Announcement() if _inside(node.id_span, offset):
            return Target("announcement", node.id, node.id_span)
        case ast.CodeLit() | ast.ControlScope() if _inside(node.span, offset):
            return Target("code", node.value, node.span)
        case ast.Import() if _inside(node.span, offset):
            return Target("import", node.module, node.span)
        case ast.Attribute() if _inside(node.name_span, offset):
            return Target("attribute", (node.name, node.name_span.start), node.name_span)
        case ast.Name() if _inside(node.span, offset):
            return Target("name", node.name, node.span)
        case ast.Call() if node.span is not None and node.span.start <= offset <= node.span.start + len(node.func):
            return Target("name", node.func, node.span)
    return None


def _from_text(text: str, offset: int) -> Target | None:
    start = line_start(text, offset)
    line = text[start: line_end(text, offset)]
    for m in _WORD.finditer(line):
        if m.start() <= offset - start <= m.end():
            word = m.group()
            before = line[: m.start()]
            if CODE_RE.fullmatch(word):
                return Target("code", word)
            if re.search(r"\bimport\s+$", before):
                return Target("import", word)
            if before.endswith("."):
                return Target("attribute", (word, start + m.start()))
            return Target("name", word)
    return None


def path_before(text: str, offset: int) -> tuple[list[str], str] | None:
    """The dotted path before a cursor that follows `path.` (and the part typed since).

    >>> path_before("when item.parameters.wi", 24)
    (['item', 'parameters'], 'wi')
    """
    m = _PATH_BEFORE.search(text[:offset])
    if m is None:
        return None
    return m.group(1).split("."), m.group(2)


def resolve_path(program: Program, parts: list[str], before: str, depth: int = 0) -> T.Type | None:
    """The type of `a.b.c` written at the end of `before` (the text before it)."""
    if not parts or depth > 4:
        return None
    current = _resolve_head(program, parts[0], before, depth)
    for step in parts[1:]:
        match current:
            case T.RecordT(name):
                f = program.field(name, step)
                current = ExprChecker(program).resolve_type(f.type) if f else None
            case T.EnumTypeT(name):
                current = T.EnumT(name)
            case _:
                return None
    return current


def _resolve_head(program: Program, name: str, before: str, depth: int) -> T.Type | None:
    checker = ExprChecker(program)
    bound = list(re.finditer(rf"\b(?:any|all|for)\s+{re.escape(name)}\s+in\s+([A-Za-z_][\w.]*)", before))
    if bound:
        collection = bound[-1].group(1).split(".")
        return T.element_of(resolve_path(program, collection, before[: bound[-1].start()], depth + 1) or T.ANY)
    param = list(re.finditer(rf"[(,]\s*{re.escape(name)}\s*:\s*([A-Za-z_]\w*)", before))
    if param:
        declared = param[-1].group(1)
        if declared in program.records:
            return T.RecordT(declared)
        if declared in program.enums:
            return T.EnumT(declared)
    case_field = program.field(CASE_RECORD, name)
    if case_field is not None:
        return checker.resolve_type(case_field.type)
    if name in program.definitions:
        try:
            return checker.definition_type(name)
        except (KeyError, RecursionError):
            return None
    if name in program.enums:
        return T.EnumTypeT(name)
    if name in program.records:
        return T.RecordT(name)
    return None
