"""The language server: pygls wiring of the features, one handler per protocol method.

Takes: JSON-RPC over standard input and output (`policylang lsp`).
Returns: answers to `initialize`, `textDocument/hover`, `definition`, `completion`,
`documentSymbol`, `codeAction` (quick fixes from "did you mean") and `formatting`; `textDocument/publishDiagnostics` after each open, change
and save of a document (for it, and again for every other open document, which may use what
changed) and when `.ecp` files change on disk, and an empty list on close.
Guarantees: a handler never lets an exception reach the editor as a crash: a fault in one
feature is logged and answered with nothing, and the server keeps running; every open document
gets its diagnostics published, and a fault while analysing one is published as an `E000`
diagnostic (see `faults`) rather than leaving the editor with nothing. Messages are read with
`framing` (through `stdio`, in place of pygls's reader), so bad `Content-Length` framing is
answered and skipped instead of stopping the server. The library around a document is its own
folder and the workspace folders announced at `initialize` (see `neighbours`).

>>> server = build_server()
>>> server.name
'policylang'
"""

from __future__ import annotations

import functools
import logging
import threading
from importlib.metadata import PackageNotFoundError, version
from typing import BinaryIO

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from policylang.lsp.actions import quick_fixes
from policylang.lsp.completion import completions
from policylang.lsp.definition import definition
from policylang.lsp.diagnostics import document_diagnostics, to_lsp
from policylang.lsp.faults import fault
from policylang.lsp.formatting import format_document
from policylang.lsp.hover import hover
from policylang.lsp.positions import to_offset
from policylang.lsp.stdio import serve
from policylang.lsp.symbols import document_symbols
from policylang.lsp.workspace import Snapshot, Workspace
from policylang.source import SourceFile

logger = logging.getLogger(__name__)


def _version() -> str:
    try:
        return version("policylang")
    except PackageNotFoundError:
        return "0"


class PolicyServer(LanguageServer):
    """A pygls server that also remembers the library around each open document."""

    def __init__(self) -> None:
        super().__init__("policylang", _version(), text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.library = Workspace()
        self.snapshots: dict[str, Snapshot] = {}
        self._stopping = threading.Event()

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio with `framing` in place of pygls's reader (see `stdio`)."""
        serve(self, self._stopping, stdin, stdout)

    def shutdown(self) -> None:
        self._stopping.set()
        super().shutdown()

    def snapshot(self, uri: str) -> Snapshot:
        document = self.workspace.get_text_document(uri)
        cached = self.snapshots.get(uri)
        if cached is not None and cached.file.text == document.source:
            return cached
        others = {u: d.source for u, d in self.workspace.text_documents.items() if u != uri}
        self.snapshots[uri] = self.library.analyse(uri, document.source, others, self.workspace_folders)
        return self.snapshots[uri]

    @property
    def workspace_folders(self) -> list[str]:
        """The URIs of the workspace folders the editor announced (`workspaceFolders`, else `rootUri`)."""
        folders = [f.uri for f in self.workspace.folders.values()]
        return folders or [u for u in [self.workspace.root_uri] if u]

    @property
    def encoding(self) -> str:
        """The position encoding agreed at `initialize` (the editor's first choice pygls supports)."""
        return str(getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding) or "utf-16")

    def publish(self, uri: str) -> None:
        """Publish the document's diagnostics; a fault on the way is published in their place."""
        try:
            diagnostics = document_diagnostics(self.snapshot(uri), self.encoding)
        except Exception as exc:
            logger.exception("analysing %s failed", uri)
            diagnostics = [to_lsp(fault("analyse", SourceFile(uri, ""), exc))]
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))


def _guarded(empty):
    """Answer `empty` instead of failing when a feature raises; log the fault."""
    def wrap(handler):
        @functools.wraps(handler)
        def run(server: PolicyServer, params):
            try:
                return handler(server, params)
            except Exception as exc:  # one feature's fault must not take the editor's server down
                server.window_log_message(lsp.LogMessageParams(
                    type=lsp.MessageType.Error, message=f"policylang: {handler.__name__}: {exc!r}"))
                return empty
        return run
    return wrap


def _at(server: PolicyServer, params) -> tuple[Snapshot, int]:
    snapshot = server.snapshot(params.text_document.uri)
    return snapshot, to_offset(snapshot.file.text, params.position, server.encoding)


def build_server() -> PolicyServer:
    server = PolicyServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @_guarded(None)
    def changed(ls: PolicyServer, params) -> None:
        uri = params.text_document.uri
        ls.publish(uri)
        # the other open documents may use what changed here: check them again
        for other in [u for u in ls.snapshots if u != uri]:
            ls.snapshots.pop(other, None)
            ls.publish(other)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_guarded(None)
    def files_changed(ls: PolicyServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        # a `.ecp` file changed on disk (a `git pull`, another tool): check the open documents again
        for uri in list(ls.snapshots):
            ls.snapshots.pop(uri, None)
            ls.publish(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @_guarded(None)
    def closed(ls: PolicyServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.snapshots.pop(params.text_document.uri, None)
        ls.library.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @_guarded(None)
    def on_hover(ls: PolicyServer, params: lsp.HoverParams) -> lsp.Hover | None:
        text = hover(*_at(ls, params))
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @_guarded([])
    def on_definition(ls: PolicyServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        return definition(*_at(ls, params), ls.encoding)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["."]))
    @_guarded(None)
    def on_completion(ls: PolicyServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        return lsp.CompletionList(is_incomplete=False, items=completions(*_at(ls, params)))

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @_guarded([])
    def on_symbols(ls: PolicyServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        return document_symbols(ls.snapshot(params.text_document.uri), ls.encoding)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    @_guarded([])
    def on_code_action(ls: PolicyServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        return quick_fixes(document.source, params.text_document.uri, params.context.diagnostics, ls.encoding)

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    @_guarded([])
    def on_formatting(ls: PolicyServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        return format_document(document.source, document.path or document.uri, ls.encoding)

    return server
