"""Comment attachment: which `# …` comment belongs before or after which line of the output.

Takes: a parsed module, the spans of its comments (`parse_with_comments`) and its source text.
Returns: `Trivia`, a table from anchor keys to the comments before an anchor, the comment at the
end of its last line, and whether a blank line preceded it; plus the comments left at the end of
each block.
Guarantees: every comment is attached exactly once. An anchor is something the printer puts on
lines of its own: a declaration, an enum member, a record field, an entity, an announcement's or
a clause's property, a clause, an accept. A comment in the middle of an anchor (inside a condition broken
over lines, say) is moved to the lines before that anchor; every other comment keeps its place
relative to the anchors around it.

Keys: an AST node is keyed by `id(node)`; a property that has no node of its own (an
announcement's `issued`, a clause's `refines`) by `(id(parent), "issued")`.
"""

from __future__ import annotations

import re
from typing import Iterator

import attrs

from policylang import ast
from policylang.source import Span

_STRING = re.compile(r'"""(.|\n)*?"""|"([^"\\\n]|\\.)*"')

ANNOUNCEMENT_PROPS = ("authority", "issued", "effective", "until", "source", "url", "provenance")
CLAUSE_PROPS = {"source": "source", "url": "url", "provenance": "provenance", "disputed": "disputed",
                "effective": "effective", "until": "until", "exception_to": "exception",
                "refines": "refines", "controls": "controls"}


@attrs.define
class Comment:
    """One comment line: its text and whether a blank line stood before it."""
    text: str
    blank_before: bool


@attrs.define
class Attached:
    """The comments of one anchor."""
    leading: list[Comment] = attrs.Factory(list)
    trailing: str | None = None
    blank_before: bool = False


@attrs.define
class Anchor:
    key: object
    start: int
    end: int = 0


@attrs.define
class Block:
    """A container's body: its anchors in source order and the offsets of the body."""
    key: object
    start: int
    end: int
    anchors: list[Anchor]


@attrs.define
class Trivia:
    """Comments and blank lines, by anchor key; `dangling` by block key (comments before `}`)."""
    attached: dict = attrs.Factory(dict)
    dangling: dict = attrs.Factory(dict)

    def left_over(self, key) -> list[Comment]:
        return self.dangling.get(key, [])


def masked_text(text: str, comments: tuple[Span, ...]) -> str:
    """The text with comments blanked and string contents replaced, lengths kept.

    >>> masked_text('a "{#}" # c', ())
    'a "xxx" # c'
    """
    chars = list(text)
    for c in comments:
        chars[c.start:c.end] = " " * (c.end - c.start)
    blanked = "".join(chars)
    for m in _STRING.finditer(blanked):
        chars[m.start() + 1:m.end() - 1] = re.sub(r"[^\n]", "x", m.group()[1:-1])
    return "".join(chars)


def attach(module: ast.Module, comments: tuple[Span, ...], text: str) -> Trivia:
    """Attach each comment to an anchor of the module (see the module's contract)."""
    masked = masked_text(text, comments)
    blocks = list(_blocks(module, masked))
    for b in blocks:
        _finish(b, masked)
    trivia = Trivia()
    for b in blocks:
        for a in b.anchors:
            trivia.attached.setdefault(a.key, Attached(blank_before=_blank_before(text, a.start, b)))
    for c in comments:
        _attach_one(trivia, _innermost(blocks, c.start), c, text)
    return trivia


def _blank_before(text: str, offset: int, block: Block) -> bool:
    """Whether an empty line stands between `offset` and the text before it in its block."""
    i, newlines = offset, 0
    while i > 0 and text[i - 1].isspace():
        i -= 1
        newlines += text[i] == "\n"
    if i == 0 or (block.start > 0 and i <= block.start):
        return False  # the first thing of the file, or the first after `{`
    return newlines >= 2


def _attach_one(trivia: Trivia, block: Block, c: Span, text: str) -> None:
    comment = Comment(c.text().rstrip(), _blank_before(text, c.start, block))
    line = c.file.line_col(c.start)[0]
    for a in block.anchors:
        if a.start <= c.start < a.end:  # inside the anchor: moved to the lines before it
            owner = trivia.attached[a.key]
            comment.blank_before = owner.blank_before if not owner.leading else False
            owner.blank_before = False
            owner.leading.append(comment)
            return
    before = [a for a in block.anchors if a.end <= c.start]
    if before and c.file.line_col(max(before[-1].start, before[-1].end - 1))[0] == line:
        owner = trivia.attached[before[-1].key]
        if owner.trailing is None:
            owner.trailing = comment.text
            return
    after = [a for a in block.anchors if a.start > c.start]
    if after:
        trivia.attached[after[0].key].leading.append(comment)
    else:
        trivia.dangling.setdefault(block.key, []).append(comment)


def _innermost(blocks: list[Block], offset: int) -> Block:
    inside = [b for b in blocks if b.start <= offset < b.end]
    return min(inside, key=lambda b: b.end - b.start)


def _finish(block: Block, masked: str) -> None:
    """Sort the anchors and end each where its text ends, before the next one starts."""
    block.anchors.sort(key=lambda a: a.start)
    for a, nxt in zip(block.anchors, block.anchors[1:] + [None]):
        limit = nxt.start if nxt else block.end
        a.end = a.start + len(masked[a.start:limit].rstrip())


def _body(masked: str, header_end: int) -> tuple[int, int]:
    """The offsets just inside the braces of the block whose `{` follows `header_end`."""
    start = masked.index("{", header_end) + 1
    depth = 1
    for i in range(start, len(masked)):
        ch = masked[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return start, i
    return start, len(masked)


def _keywords(masked: str, start: int, end: int, word: str, skip: list[tuple[int, int]]) -> list[int]:
    """Where `word` stands as a keyword in [start, end), outside the ranges of `skip`."""
    found = []
    for m in re.finditer(rf"(?<![\w.-]){word}(?![\w-])", masked[start:end]):
        at = start + m.start()
        if not any(a <= at < b for a, b in skip):
            found.append(at)
    return found


def _blocks(module: ast.Module, masked: str) -> Iterator[Block]:
    top = Block(id(module), 0, len(masked), [])
    for item in module.items:
        top.anchors.append(Anchor(id(item), _start(item, masked)))
        yield from _item_blocks(item, masked)
    yield top


def _start(item, masked: str) -> int:
    match item:
        case ast.Definition():
            return masked.rfind("def", 0, item.span.start)
        case ast.EntityList():
            return masked.rfind("entities", 0, item.span.start)
    return item.span.start


def _item_blocks(item, masked: str) -> Iterator[Block]:
    match item:
        case ast.EnumDecl(members=children) | ast.RecordDecl(fields=children):
            start, end = _body(masked, item.span.start)
            yield Block(id(item), start, end, [Anchor(id(c), c.span.start) for c in children])
        case ast.EntityList(entries=children):
            start, end = _body(masked, item.span.end)
            yield Block(id(item), start, end, [Anchor(id(c), c.span.start) for c in children])
        case ast.Announcement():
            yield from _announcement_blocks(item, masked)
        case ast.Invariant():
            # anchored at their keywords, so a comment between two parts goes with the next one
            start, end = _body(masked, item.span.start)
            anchors = [Anchor(id(a), masked.rfind("assume", start, a.span.start)) for a in item.assumptions]
            anchors += [Anchor(id(c), masked.rfind("expect", start, c.span.start)) for c in item.claims]
            yield Block(id(item), start, end, anchors)
        case ast.CaseTest():
            start, end = _body(masked, item.span.start)
            anchors = [Anchor((id(item), "case"), masked.find("case", start))]
            anchors += [Anchor((id(item), i), at)
                        for i, at in enumerate(_keywords(masked, start, end, "expect", []))]
            yield Block(id(item), start, end, anchors)


def _announcement_blocks(ann: ast.Announcement, masked: str) -> Iterator[Block]:
    start, end = _body(masked, ann.id_span.end)
    anchors = [Anchor(id(t), t.span.start) for t in ann.titles]
    anchors += [Anchor(id(c), c.span.start) for c in (*ann.clauses, *ann.accepts)]
    skip = [(c.span.start, c.span.end) for c in (*ann.clauses, *ann.accepts)]
    for prop in ANNOUNCEMENT_PROPS:
        anchors += [Anchor((id(ann), prop), at) for at in _keywords(masked, start, end, prop, skip)]
    yield Block(id(ann), start, end, anchors)
    for clause in ann.clauses:
        yield _clause_block(clause, masked)


def _clause_block(clause: ast.Clause, masked: str) -> Block:
    start, end = _body(masked, clause.id_span.end)
    spanned = [*clause.texts, *clause.classifications, *clause.suspensions, *clause.repeals, *clause.rules]
    anchors = [Anchor(id(n), n.span.start) for n in spanned]
    skip = [(n.span.start, n.span.end) for n in spanned]
    for prop, word in CLAUSE_PROPS.items():
        anchors += [Anchor((id(clause), prop), at) for at in _keywords(masked, start, end, word, skip)]
    return Block(id(clause), start, end, anchors)
