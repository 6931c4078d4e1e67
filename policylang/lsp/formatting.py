"""Formatting through the formatter: one edit that replaces the whole document.

Takes: the document's text.
Returns: the protocol `TextEdit`s: none when the text is already formatted or does not parse
(the diagnostics already show the syntax error).
Guarantees: the same text as `policylang fmt` writes.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang.fmt import format_source
from policylang.lsp.positions import UTF16, to_position
from policylang.source import SourceFile


def format_document(text: str, path: str = "<editor>", encoding: str = UTF16) -> list[lsp.TextEdit]:
    formatted, _ = format_source(text, path)
    if formatted is None or formatted == text:
        return []
    file = SourceFile(path, text)
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=to_position(file, len(text), encoding))
    return [lsp.TextEdit(range=whole, new_text=formatted)]
