"""Offsets in a source file to and from protocol positions.

Takes: a `SourceFile` (or text) and code-point offsets, or protocol `Position`s, and the position
encoding the server and the editor agreed on at `initialize` (`utf-16`, the protocol's default,
`utf-8` or `utf-32`).
Returns: `lsprotocol` positions and ranges: 0-based lines, columns counted in code units of the
encoding.
Guarantees: lines are counted as the protocol counts them: `\\r\\n`, `\\r` and `\\n` each end one
line (`policylang.source.LINE_BREAK`), in both directions; `to_offset(text, to_position(file, o,
e), e) == o` for every offset of the text and every encoding, except an offset between the `\\r`
and the `\\n` of one break, which has no position of its own (it maps to the end of its line).

>>> from policylang.source import SourceFile
>>> f = SourceFile("x.ecp", "a\\n稀土 x")
>>> [to_position(f, 5, e).character for e in ("utf-16", "utf-8", "utf-32")]
[3, 7, 3]
>>> to_offset(f.text, to_position(f, 5, "utf-8"), "utf-8")
5
>>> g = SourceFile("x.ecp", "a\\rb\\r\\nc")
>>> to_position(g, 5).line, to_offset(g.text, lsp.Position(line=2, character=0))
(2, 5)
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang.source import LINE_BREAK, SourceFile, Span

UTF16 = "utf-16"


def _units(ch: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(ch.encode("utf-8"))
    if encoding == "utf-32":
        return 1
    return 2 if ord(ch) > 0xFFFF else 1


def to_position(file: SourceFile, offset: int, encoding: str = UTF16) -> lsp.Position:
    line, column = file.line_col(min(offset, len(file.text)))
    before = file.line_text(line)[: column - 1]
    return lsp.Position(line=line - 1, character=sum(_units(ch, encoding) for ch in before))


def to_range(span: Span, encoding: str = UTF16) -> lsp.Range:
    return lsp.Range(start=to_position(span.file, span.start, encoding),
                     end=to_position(span.file, span.end, encoding))


def to_offset(text: str, position: lsp.Position, encoding: str = UTF16) -> int:
    """The code-point offset of a position; past the end of a line means its end."""
    start = 0
    breaks = LINE_BREAK.finditer(text)
    for _ in range(position.line):
        found = next(breaks, None)
        if found is None:
            return len(text)
        start = found.end()
    line = text[start: line_end(text, start)]
    units = 0
    for i, ch in enumerate(line):
        if units >= position.character:
            return start + i
        units += _units(ch, encoding)
    return start + len(line)


def line_start(text: str, offset: int) -> int:
    """The offset where the line holding `offset` starts.

    >>> line_start("ab\\rcd", 4), line_start("ab\\r\\ncd", 4)
    (3, 4)
    """
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def line_end(text: str, offset: int) -> int:
    """The offset where the line holding `offset` ends (its line break, or the end of the text)."""
    found = LINE_BREAK.search(text, offset)
    return len(text) if found is None else found.start()
