"""Offsets in a source file to and from protocol positions.

Takes: a `SourceFile` (or text) and code-point offsets, or protocol `Position`s, and the position
encoding the server and the editor agreed on at `initialize` (`utf-16`, the protocol's default,
`utf-8` or `utf-32`).
Returns: `lsprotocol` positions and ranges: 0-based lines, columns counted in code units of the
encoding.
Guarantees: `to_offset(text, to_position(file, o, e), e) == o` for every offset of the text and
every encoding.

>>> from policylang.source import SourceFile
>>> f = SourceFile("x.ecp", "a\\n稀土 x")
>>> [to_position(f, 5, e).character for e in ("utf-16", "utf-8", "utf-32")]
[3, 7, 3]
>>> to_offset(f.text, to_position(f, 5, "utf-8"), "utf-8")
5
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang.source import SourceFile, Span

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
        units += _units(ch, encoding)
    return start + len(line)
