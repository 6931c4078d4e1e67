"""Diagnostics as you type: the checker's findings in the protocol's shape.

Takes: a `Snapshot`.
Returns: protocol `Diagnostic`s with the stable code (`E102`), the message and the `help:` hint,
the source `policylang`, and the span's range (the start of the file for a finding with no place).
Guarantees: one protocol diagnostic per checker diagnostic of this document, sorted and capped
as `policylang check` shows them.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang import diagnostics as D
from policylang.lsp.positions import UTF16, to_range
from policylang.lsp.workspace import Snapshot

_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning}
_NOWHERE = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))


def to_lsp(d: D.Diagnostic, encoding: str = UTF16) -> lsp.Diagnostic:
    message = d.message + (f"\nhelp: {d.help}" if d.help else "")
    where = to_range(d.span, encoding) if d.span is not None else _NOWHERE
    return lsp.Diagnostic(range=where, message=message,
                          severity=_SEVERITY.get(d.severity, lsp.DiagnosticSeverity.Information),
                          code=d.code, source="policylang")


def document_diagnostics(snapshot: Snapshot, encoding: str = UTF16) -> list[lsp.Diagnostic]:
    shown, _ = D.sort_and_cap(snapshot.diagnostics)
    return [to_lsp(d, encoding) for d in shown]
