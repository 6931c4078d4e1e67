"""Line breaks as the protocol counts them: `\\r\\n`, `\\r` and `\\n` each end one line.

The same document written with each of the three line endings gets its diagnostic, its hover and
its completion at the same protocol positions; `SourceFile` numbers lines the same way.
"""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp

from policylang.lsp.positions import to_offset, to_position
from policylang.source import SourceFile

LINES = ["def a: bool = true", "def x: bool = item.orign == CN", "def y: bool = end_user.military", ""]
ENDINGS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_diagnostic_hover_and_completion_are_on_the_right_line(client, ending):
    text = ENDINGS[ending].join(LINES)
    uri = f"untitled:line-breaks-{ending}"
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ecp", "version": 1,
                                                            "text": text}})
    [d] = client.notification("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert d["code"] == "E102"
    assert d["range"] == {"start": {"line": 1, "character": 19}, "end": {"line": 1, "character": 24}}
    on_military = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 26}}
    assert client.request("textDocument/hover", on_military)["contents"]["value"].startswith(
        "```ecp\nParty.military: bool")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"text": text.replace("end_user.military", "end_user.")}]})
    after_dot = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 23}}
    labels = {item["label"] for item in client.request("textDocument/completion", after_dot)["items"]}
    assert {"military", "lists", "owners"} <= labels
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


# text, offset -> the 1-based (line, column) and the text of that line
SOURCE_CASES = [
    ("a\rb", 2, (2, 1), "b"),
    ("a\r\nb", 3, (2, 1), "b"),
    ("a\n\rb", 3, (3, 1), "b"),
    ("a\r\rb", 3, (3, 1), "b"),
    ("a\r\n", 1, (1, 2), "a"),
    ("a\r\n", 2, (1, 3), "a"),   # between the `\r` and the `\n`: still the first line
    ("a\r\n\r\n", 5, (3, 1), ""),
    ("a\u2028b", 2, (1, 3), "a\u2028b"),   # not a break for the protocol, nor here
]


@pytest.mark.parametrize("text, offset, place, line", SOURCE_CASES)
def test_source_lines_end_at_each_kind_of_break(text, offset, place, line):
    file = SourceFile("x.ecp", text)
    assert file.line_col(offset) == place
    assert file.line_text(place[0]) == line


def test_an_offset_inside_a_crlf_has_the_position_of_the_line_end():
    file = SourceFile("x.ecp", "ab\r\ncd")
    assert to_position(file, 3) == lsp.Position(line=0, character=2)
    assert to_offset(file.text, lsp.Position(line=0, character=9)) == 2
    assert to_offset(file.text, lsp.Position(line=1, character=1)) == 5
