"""The files read with an open document: its own folder and the workspace folders, no deeper, never
the file system root, never a link that leaves them; over the protocol, a document at `file:///`
and a name defined in a workspace folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policylang.lsp import neighbours as neighbours_module
from policylang.lsp.neighbours import neighbours, shipped
from policylang.lsp.workspace import Workspace

DEF = "def {name}: bool = true\n"


def uses(*names: str) -> str:
    """A document that imports the modules named and uses the definition of each."""
    return "".join(f"import {n}\n" for n in names) + "def x: bool = " + " and ".join(names) + "\n"


LEAKED = [("E103", "unknown module `leaked`"), ("E101", "unknown name `leaked`")]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """doc/ (the document's folder), doc/sub/, ws/ (a workspace folder), ws/deep/, outside/."""
    for folder, name in [("doc", "near"), ("doc/sub", "below"), ("ws", "wide"), ("ws/deep", "deeper"),
                         ("outside", "leaked")]:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / f"{name}.ecp").write_text(DEF.format(name=name), encoding="utf-8")
    return tmp_path.resolve()


def found(tree: Path, workspace: list[str] = ()) -> list[str]:
    return [str(p.relative_to(tree)) for p in neighbours(str(tree / "doc" / "doc.ecp"), workspace)
            if p.is_relative_to(tree)]


def test_the_documents_folder_and_the_workspace_folders_are_searched_but_not_below(tree):
    assert found(tree) == ["doc/near.ecp"]
    assert found(tree, [str(tree / "ws")]) == ["doc/near.ecp", "ws/wide.ecp"]


def test_the_stdlib_comes_first_and_the_document_is_left_out(tree):
    (tree / "doc" / "doc.ecp").write_text("", encoding="utf-8")
    all_found = neighbours(str(tree / "doc" / "doc.ecp"))
    assert all_found[: len(shipped())] == list(shipped()) and len(all_found) == len(shipped()) + 1
    stdlib_file = str(shipped()[0])
    assert stdlib_file not in map(str, neighbours(stdlib_file))


@pytest.mark.parametrize("document, workspace", [("/x.ecp", []), ("untitled:1", ["/"]), ("/x.ecp", ["file:///"]),
                                                 ("untitled:1", ["untitled:folder", "relative/folder"])])
def test_the_file_system_root_is_never_searched(document, workspace):
    assert neighbours(document, workspace) == list(shipped())


def link(at: Path, to: Path) -> None:
    try:
        at.symlink_to(to)
    except OSError:
        pytest.skip("symbolic links are not available here")


def test_a_link_that_leaves_the_folders_is_not_read(tree):
    link(tree / "doc" / "out.ecp", tree / "outside" / "leaked.ecp")
    link(tree / "doc" / "env.ecp", Path("/proc/self/environ"))
    link(tree / "doc" / "dangling.ecp", tree / "nowhere.ecp")
    link(tree / "doc" / "in_ws.ecp", tree / "ws" / "deep" / "deeper.ecp")
    assert found(tree) == ["doc/near.ecp"]
    assert sorted(found(tree, [str(tree / "ws")])) == ["doc/near.ecp", "ws/deep/deeper.ecp", "ws/wide.ecp"]


def test_a_link_out_is_not_read_by_the_analysis_either(tree, monkeypatch):
    link(tree / "doc" / "out.ecp", tree / "outside" / "leaked.ecp")
    opened = []
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: opened.append(self) or real_read(self, *a, **k))
    snapshot = Workspace().analyse((tree / "doc" / "doc.ecp").as_uri(), uses("near", "leaked"))
    assert [(d.code, d.message) for d in snapshot.diagnostics] == LEAKED
    assert not [p for p in opened if "outside" in str(p)]


def test_only_regular_files_of_a_sensible_size_are_read(tree, monkeypatch):
    (tree / "doc" / "folder.ecp").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(tree / "doc" / "fifo.ecp")   # opening it would block the server
    (tree / "doc" / "big.ecp").write_text(DEF.format(name="big") + "#" * 100, encoding="utf-8")
    monkeypatch.setattr(neighbours_module, "MAX_FILE", 50)
    assert found(tree) == ["doc/near.ecp"]


def test_a_name_from_a_workspace_folder_resolves(tree):
    doc = (tree / "doc" / "doc.ecp").as_uri()
    text = uses("near", "wide")
    assert [d.code for d in Workspace().analyse(doc, text).diagnostics] == ["E103", "E101"]
    assert Workspace().analyse(doc, text, None, [(tree / "ws").as_uri()]).diagnostics == ()


def test_over_the_protocol_a_workspace_folder_is_used_and_the_root_is_not_searched(tree, new_client):
    client = new_client()
    client.request("initialize", {"processId": None, "rootUri": (tree / "outside").as_uri(), "capabilities": {},
                                  "workspaceFolders": [{"uri": (tree / "ws").as_uri(), "name": "ws"}]})
    client.notify("initialized", {})
    uri = client.open(tree / "doc" / "doc.ecp", uses("near", "wide", "leaked"))
    published = client.notification("textDocument/publishDiagnostics", uri)["diagnostics"]
    assert [(d["code"], d["message"].split("\n")[0]) for d in published] == LEAKED
    client.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///x.ecp", "languageId": "ecp",
                                                            "version": 1, "text": "def x: bool = destinaton\n"}})
    published = client.notification("textDocument/publishDiagnostics", "file:///x.ecp")["diagnostics"]
    assert [d["code"] for d in published] == ["E101"]


def test_over_the_protocol_the_root_uri_counts_when_there_are_no_workspace_folders(tree, new_client):
    client = new_client()
    client.request("initialize", {"processId": None, "rootUri": (tree / "ws").as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    uri = client.open(tree / "doc" / "doc.ecp", uses("near", "wide"))
    assert client.notification("textDocument/publishDiagnostics", uri)["diagnostics"] == []
