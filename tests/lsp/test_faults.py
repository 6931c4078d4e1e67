"""Every document gets diagnostics, also one on which the parser or the checker raises.

Over the protocol: documents that made the parser raise (deep nesting, bad escapes) each get a
published diagnostic with a code and a place, whatever the parser says about them once it is
fixed. Directly: a stage that raises becomes one `E000` at the place the exception names, and a
fault in publishing is published in place of the diagnostics.
"""

from __future__ import annotations

import types

import pytest
from lsprotocol import types as lsp

from policylang.lsp import workspace as workspace_module
from policylang.lsp.faults import FAULT_CODE, fault
from policylang.lsp.server import build_server
from policylang.lsp.workspace import Workspace
from policylang.source import SourceFile

DEEP = 1000

# name: (the text, the 0-based line of the first diagnostic, when it is known)
CASES = {
    "an `and` chain of 1,000 terms": ("def x: bool = " + " and ".join(["true"] * DEEP) + "\ndef y: bool = q\n", None),
    "an `or` chain of 1,000 terms": ("def x: bool = " + " or ".join(["false"] * DEEP) + "\ndef y: bool = q\n", None),
    "a `+` chain of 1,000 terms": ("def x: bool = " + " + ".join(["1"] * DEEP) + " > 0\ndef y: bool = q\n", None),
    "sets nested 1,000 deep": ("def x: bool = destination in " + "{" * DEEP + "CN" + "}" * DEEP + "\n", None),
    "a `\\x` escape": ('def a: bool = true\ndef x: text = "\\x"\n', 1),
    "a `\\N{…}` escape with no such name": ('def a: bool = true\ndef x: text = "\\N{NO SUCH NAME}"\n', 1),
}


@pytest.mark.parametrize("name", CASES)
def test_a_document_the_parser_raises_on_still_gets_diagnostics(client, name):
    text, line = CASES[name]
    uri = f"untitled:fault-{sorted(CASES).index(name)}"
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ecp", "version": 1,
                                                            "text": text}})
    published = client.notification("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert published, "no diagnostics for a document that cannot be read"
    for d in published:
        assert d["code"] and d["range"]["start"]["line"] >= 0 and d["severity"] == 1
        assert "internal error" not in d["message"]
    if line is not None:
        assert published[0]["range"]["start"]["line"] == line
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.notification("textDocument/publishDiagnostics", uri)["diagnostics"] == []


class _Meta:
    start_pos, end_pos = 22, 26


class FakeVisitError(Exception):
    """Shaped as lark's `VisitError`: the node being transformed, and the exception it raised."""

    def __init__(self, orig_exc: Exception) -> None:
        super().__init__("Error trying to process rule")
        self.obj, self.orig_exc = types.SimpleNamespace(meta=_Meta()), orig_exc


TEXT = 'def a: bool = true\nx: "\\x"\n'

# name: (what the stage raises, the message, the place (line, column) it is reported at)
FAULTS = {
    "recursion": (RecursionError("maximum recursion depth exceeded"),
                  "an expression in this file is nested too deeply to be parsed", (1, 1)),
    "a transformer's fault, at its node": (
        FakeVisitError(UnicodeDecodeError("unicodeescape", b"\\x", 0, 2, "truncated")),
        "policylang could not parse this file: `UnicodeDecodeError: 'unicodeescape' codec can't decode bytes in "
        "position 0-1: truncated`", (2, 4)),
    "recursion inside a transformer": (FakeVisitError(RecursionError()),
                                       "an expression in this file is nested too deeply to be parsed", (2, 4)),
    "anything else": (ValueError("x" * 500), None, (1, 1)),
}


@pytest.mark.parametrize("name", FAULTS)
def test_a_stage_that_raises_becomes_one_diagnostic_at_the_best_place_known(monkeypatch, name):
    raised, message, place = FAULTS[name]

    def parse(file):
        raise raised

    monkeypatch.setattr(workspace_module, "parse", parse)
    snapshot = Workspace().analyse("untitled:x", TEXT)
    [d] = snapshot.diagnostics
    assert d.code == FAULT_CODE and d.severity == "error" and d.help
    assert (d.span.line, d.span.column) == place
    if message is not None:
        assert d.message == message
    assert len(d.message) < 260 and "\n" not in d.message


def test_a_checker_that_raises_keeps_the_program_for_navigation(monkeypatch):
    def check_program(program):
        raise RecursionError()

    monkeypatch.setattr(workspace_module, "check_program", check_program)
    snapshot = Workspace().analyse("untitled:x", "def a: bool = true\n")
    assert [(d.code, d.message) for d in snapshot.diagnostics] == [
        (FAULT_CODE, "an expression in this file is nested too deeply to be checked")]
    assert "a" in snapshot.program.definitions


def test_a_fault_while_publishing_is_published_in_place_of_the_diagnostics(monkeypatch):
    server = build_server()
    published = []
    monkeypatch.setattr(server, "snapshot", lambda uri: (_ for _ in ()).throw(RecursionError()))
    monkeypatch.setattr(server, "text_document_publish_diagnostics", published.append)
    server.publish("untitled:x")
    [params] = published
    [d] = params.diagnostics
    assert params.uri == "untitled:x" and d.code == FAULT_CODE
    assert d.range == lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))


def test_a_place_outside_the_file_falls_back_to_its_start():
    assert fault("check", SourceFile("x", ""), FakeVisitError(KeyError("`odd`"))).span.start == 0


def test_a_change_publishes_every_open_document_even_when_one_faults(monkeypatch):
    server = build_server()
    good = Workspace().analyse("untitled:good", "def x: bool = destinaton\n")
    published = []

    def snapshot(uri):
        if uri == "untitled:bad":
            raise RecursionError()
        return good

    monkeypatch.setattr(server, "snapshot", snapshot)
    monkeypatch.setattr(server, "text_document_publish_diagnostics", published.append)
    monkeypatch.setattr(type(server), "encoding", "utf-16")   # as agreed at an `initialize` this test skips
    server.snapshots = {"untitled:bad": good, "untitled:good": good}
    changed = server.protocol.fm.features[lsp.TEXT_DOCUMENT_DID_CHANGE]
    changed(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri="untitled:bad", version=2), content_changes=[]))
    assert [(p.uri, [d.code for d in p.diagnostics]) for p in published] == [
        ("untitled:bad", [FAULT_CODE]), ("untitled:good", ["E101"])]
