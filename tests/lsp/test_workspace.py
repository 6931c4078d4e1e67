"""The server's analysis of a document in its library, called directly (no protocol)."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from policylang.library import policies_dir, stdlib_dir
from policylang.lsp.completion import completions
from policylang.lsp.definition import definition
from policylang.lsp.symbols import document_symbols
from policylang.lsp.hover import hover
from policylang.lsp.positions import to_offset, to_position
from policylang.lsp.workspace import Workspace
from policylang.source import SourceFile


def test_an_unsaved_buffer_is_checked_against_the_stdlib_only():
    snapshot = Workspace().analyse("untitled:Untitled-1", "def x: bool = item.orign == CN\n")
    assert [d.code for d in snapshot.diagnostics] == ["E102"]
    assert {m.name for m in snapshot.program.modules} >= {"schema", "countries"}


def test_a_broken_neighbour_does_not_hide_the_documents_own_diagnostics(tmp_path):
    (tmp_path / "broken.ecp").write_text("def y = \n", encoding="utf-8")
    doc = tmp_path / "doc.ecp"
    doc.write_text("def x: bool = destinaton == CN\n", encoding="utf-8")
    snapshot = Workspace().analyse(doc.as_uri(), doc.read_text(encoding="utf-8"))
    assert [(d.code, d.help) for d in snapshot.diagnostics] == [("E101", "did you mean `destination`?")]


def test_the_editors_text_of_another_open_document_wins_over_the_file(tmp_path):
    (tmp_path / "helpers.ecp").write_text("def old_name: bool = true\n", encoding="utf-8")
    doc = tmp_path / "doc.ecp"
    text = "import helpers\ndef x: bool = new_name\n"
    unsaved = {(tmp_path / "helpers.ecp").as_uri(): "def new_name: bool = true\n"}
    assert Workspace().analyse(doc.as_uri(), text, unsaved).diagnostics == ()
    assert [d.code for d in Workspace().analyse(doc.as_uri(), text).diagnostics] == ["E101"]


def test_while_the_document_does_not_parse_its_last_good_version_serves_completion(tmp_path):
    doc = tmp_path / "doc.ecp"
    workspace = Workspace()
    workspace.analyse(doc.as_uri(), "def mine: bool = true\n")
    typing = "def mine: bool = true\ndef other: bool = end_user.\n"
    snapshot = workspace.analyse(doc.as_uri(), typing)
    assert snapshot.module is None and [d.code for d in snapshot.diagnostics] == ["E004"]
    assert "mine" in snapshot.program.definitions
    assert {"name", "lists", "owners"} <= {c.label for c in completions(snapshot, len(typing) - 1)}


CODEC = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}
UNIT = {"utf-8": 1, "utf-16": 2, "utf-32": 4}
LINE_BREAK = re.compile(r"\r\n|\r|\n")   # the protocol's: each of these ends one line
TEXTS = st.lists(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(["\n", "\r", "\r\n"])),
                 max_size=40).map("".join)


@given(TEXTS, st.sampled_from(sorted(CODEC)), st.data())
def test_positions_and_offsets_round_trip_in_each_encoding(text, encoding, data):
    file = SourceFile("x.ecp", text)
    offset = data.draw(st.integers(0, len(text)))
    assume(not (offset > 0 and text[offset - 1: offset + 1] == "\r\n"))   # inside one break: no position
    position = to_position(file, offset, encoding)
    assert isinstance(position, lsp.Position)
    assert to_offset(text, position, encoding) == offset
    *lines, line_text = LINE_BREAK.split(text[:offset])
    assert position.line == len(lines)
    assert position.character == len(line_text.encode(CODEC[encoding])) // UNIT[encoding]


def test_hover_on_a_bound_variable_gives_its_element_type():
    text = "def x: bool = any c in item.contains: c.origin == CN\n"
    snapshot = Workspace().analyse("untitled:x", text)
    assert hover(snapshot, text.index("c.origin")) == "`c`: a `Component`, bound here"
    assert hover(snapshot, text.index("origin ==")).startswith("```ecp\nComponent.origin: Country?")


LIBRARY = sorted([*policies_dir().glob("*.ecp"), *stdlib_dir().glob("*.ecp")])
_WORKSPACE = Workspace()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(LIBRARY), st.data())
def test_every_feature_answers_anywhere_in_a_library_file(path, data):
    text = path.read_text(encoding="utf-8")
    snapshot = _WORKSPACE.analyse(path.resolve().as_uri(), text)
    assert snapshot.diagnostics == ()
    offset = data.draw(st.integers(0, len(text)))
    found = hover(snapshot, offset)
    assert found is None or found.strip()
    for location in definition(snapshot, offset):
        assert location.uri.startswith("file://")
    assert all(item.label for item in completions(snapshot, offset))
    assert [s.name for s in document_symbols(snapshot)]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(LIBRARY), st.data())
def test_every_feature_answers_while_a_file_is_half_typed(path, data):
    text = path.read_text(encoding="utf-8")
    cut = data.draw(st.integers(0, len(text)))
    typing = text[:cut] + data.draw(st.sampled_from(["", "item.", " c.", "clause ", "1C9", " and ", "(", '"']))
    snapshot = _WORKSPACE.analyse(path.resolve().as_uri(), typing)
    assert snapshot.program is not None
    offset = data.draw(st.integers(0, len(typing)))
    hover(snapshot, offset)
    definition(snapshot, offset)
    assert all(item.label for item in completions(snapshot, len(typing)))
    document_symbols(snapshot)


def test_a_name_declared_twice_in_two_neighbours_does_not_stop_checking_this_document(tmp_path):
    (tmp_path / "a.ecp").write_text("def twice: bool = true\n", encoding="utf-8")
    (tmp_path / "b.ecp").write_text("def twice: bool = false\n", encoding="utf-8")
    doc = tmp_path / "doc.ecp"
    snapshot = Workspace().analyse(doc.as_uri(), "def x: bool = item.orign == CN\n")
    assert [d.code for d in snapshot.diagnostics] == ["E102"]
    mine = Workspace().analyse((tmp_path / "b.ecp").as_uri(), "def twice: bool = item.orign == CN\n")
    assert [d.code for d in mine.diagnostics] == ["E106"]
