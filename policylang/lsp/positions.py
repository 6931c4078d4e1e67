"""Offsets in a source file to and from protocol positions.

Takes: a `SourceFile` (or text) and code-point offsets, or protocol `Position`s.
Returns: `lsprotocol` positions and ranges: 0-based lines, columns counted in UTF-16 code units
(the protocol's default encoding, which this server announces).
Guarantees: `to_offset(text, to_position(file, o)) == o` for every offset of the text.

>>> from policylang.source import SourceFile
>>> f = SourceFile("x.ecp", "a\\n稀土 x")
>>> p = to_position(f, 5); (p.line, p.character), to_offset(f.text, p)
((1, 3), 5)
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang.source import SourceFile, Span


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_position(file: SourceFile, offset: int) -> lsp.Position:
    line, column = file.line_col(min(offset, len(file.text)))
    before = file.line_text(line)[: column - 1]
    return lsp.Position(line=line - 1, character=_utf16_len(before))


def to_range(span: Span) -> lsp.Range:
    return lsp.Range(start=to_position(span.file, span.start), end=to_position(span.file, span.end))


def to_offset(text: str, position: lsp.Position) -> int:
    """The code-point offset of a position; past the end of a line means its end."""
    start = 0
    for _ in range(position.line):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    units = 0
    for i, ch in enumerate(line):
        if units >= position.character:
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(line)
