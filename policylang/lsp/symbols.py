"""Document symbols: the outline of a file, an announcement with its clauses.

Takes: a `Snapshot`.
Returns: protocol `DocumentSymbol`s: each announcement (its clauses as children, titled), and
each definition, record, enumeration, entity list and import of the file.
Guarantees: an empty outline, not an error, for a file that does not parse; a kind of item the
outline does not name (`checked through …`, a declaration newer than this module) is shown by the
start of its source text, cut to `LABEL` characters, rather than failing the whole outline.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang import ast
from policylang.lsp.positions import UTF16, to_range
from policylang.lsp.workspace import Snapshot
from policylang.source import LINE_BREAK, Span

LABEL = 60

_KINDS = {
    ast.Definition: lsp.SymbolKind.Function, ast.RecordDecl: lsp.SymbolKind.Struct,
    ast.EnumDecl: lsp.SymbolKind.Enum, ast.EntityList: lsp.SymbolKind.Array,
    ast.Import: lsp.SymbolKind.Module, ast.InvalidRule: lsp.SymbolKind.Event,
    ast.Invariant: lsp.SymbolKind.Boolean, ast.CaseTest: lsp.SymbolKind.Method,
}


def document_symbols(snapshot: Snapshot, encoding: str = UTF16) -> list[lsp.DocumentSymbol]:
    if snapshot.module is None:
        return []

    def _symbol(name: str, kind, span: Span, selection: Span | None = None, detail=None, children=None):
        return lsp.DocumentSymbol(name=name, kind=kind, range=to_range(span, encoding), detail=detail,
                                  selection_range=to_range(selection or span, encoding), children=children)

    out = []
    for item in snapshot.module.items:
        if isinstance(item, ast.Announcement):
            clauses = [_symbol(f"clause {c.id}", lsp.SymbolKind.Class, c.span, c.id_span, c.title)
                       for c in item.clauses]
            title = next((t.text for t in item.titles if t.lang == "en"), None) or \
                next((t.text for t in item.titles), None)
            out.append(_symbol(item.id, lsp.SymbolKind.Namespace, item.span, item.id_span, title, clauses))
        elif isinstance(item, ast.InvalidRule):
            out.append(_symbol("invalid at " + ".".join(item.path), _KINDS[ast.InvalidRule], item.span))
        elif item.span is not None and type(item) in _KINDS:
            name = item.module if isinstance(item, ast.Import) else item.name
            out.append(_symbol(name, _KINDS[type(item)], item.span, detail=getattr(item, "doc", None)))
        elif item.span is not None:
            out.append(_symbol(_label(item.span) or type(item).__name__, lsp.SymbolKind.Key, item.span,
                               detail=getattr(item, "doc", None)))
    return out


def _label(span: Span) -> str:
    """The start of an item's source text, on one line: `checked through 2026-08-31`."""
    words = " ".join(LINE_BREAK.split(span.text(), 1)[0].split())
    return words if len(words) <= LABEL else words[: LABEL - 1] + "…"
