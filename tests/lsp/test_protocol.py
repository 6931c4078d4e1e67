"""The language server, spoken to over stdio as an editor does (JSON-RPC to `policylang lsp`).

The documents live in a temporary folder with a neighbour module, so that the server's library
is the shipped stdlib, the neighbour and the open document.
"""

from __future__ import annotations

import pytest

from policylang.fmt import format_source

HELPERS = '''# a neighbour module of the open document
def my_helper: bool = destination == US "a helper defined next door"
'''

POLICY = '''import attributes
import helpers

announcement MOFCOM-2099-1 {
  title en "A test announcement"
  issued 2099-01-01

  clause 1 "Micropowder" {
    text en "Synthetic diamond micropowder shall not be exported without a licence."
    controls 2C902.a
    classify synthetic_diamond_micropowder as 2C902.a
      when item.parameters.average_particle_size <= 50 um
    when code within 2C902.a and my_helper require license
  }

  clause 2 "Military end users" {
    text en "Exports to military end users are denied in principle."
    refines clause 1
    when item.origin == CN and end_user.military deny in principle
  }
}
'''


SUSPENSION = '''announcement MOFCOM-2099-2 {
  issued 2099-02-01
  clause 1 { suspend MOFCOM-2099-1 clause 1 from 2099-02-01 through 2099-03-01 }
}
'''


def position(text: str, needle: str, into: int = 0) -> dict:
    """The protocol position `into` characters into the first occurrence of `needle`."""
    offset = text.index(needle) + into
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("policies")
    (root / "helpers.ecp").write_text(HELPERS, encoding="utf-8")
    (root / "MOFCOM-2099-1.ecp").write_text(POLICY, encoding="utf-8")
    (root / "MOFCOM-2099-2.ecp").write_text(SUSPENSION, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def doc(client, folder):
    uri = client.open(folder / "MOFCOM-2099-1.ecp")
    first = client.notification("textDocument/publishDiagnostics", uri)
    assert first["diagnostics"] == []
    return uri


def change(client, uri: str, text: str, version: int) -> dict:
    client.discard("textDocument/publishDiagnostics", uri)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})
    return client.notification("textDocument/publishDiagnostics", uri)


def test_initialize_announces_the_features(client):
    result = client.initialize_result
    caps = result["capabilities"]
    assert result["serverInfo"]["name"] == "policylang"
    assert caps["hoverProvider"] and caps["definitionProvider"]
    assert caps["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
    assert caps["documentSymbolProvider"] and caps["documentFormattingProvider"]
    assert "." in caps["completionProvider"]["triggerCharacters"]
    assert caps["textDocumentSync"]["openClose"] is True


def test_an_unknown_attribute_is_published_with_its_code_place_and_hint(client, doc):
    broken = POLICY.replace("item.origin == CN", "item.orign == CN")
    published = change(client, doc, broken, 2)
    assert [d["code"] for d in published["diagnostics"]] == ["E102"]
    d = published["diagnostics"][0]
    assert d["message"].startswith("unknown attribute `orign` on `Item`")
    assert "did you mean `origin`?" in d["message"]
    assert d["severity"] == 1 and d["source"] == "policylang"
    assert d["range"]["start"] == position(broken, "orign")
    assert d["range"]["end"] == position(broken, "orign", len("orign"))
    assert change(client, doc, POLICY, 3)["diagnostics"] == []


def test_a_did_you_mean_hint_is_offered_as_a_quick_fix(client, doc):
    broken = POLICY.replace("item.origin == CN", "item.orign == CN")
    [diagnostic] = change(client, doc, broken, 30)["diagnostics"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": doc}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}})
    assert [(a["title"], a["kind"]) for a in actions] == [("replace `orign` with `origin`", "quickfix")]
    [edit] = actions[0]["edit"]["changes"][doc]
    assert edit == {"range": diagnostic["range"], "newText": "origin"}
    change(client, doc, POLICY, 31)


def test_a_syntax_error_is_published_while_typing(client, doc):
    published = change(client, doc, POLICY.replace("deny in principle", "deny in"), 4)
    assert [d["code"] for d in published["diagnostics"]] == ["E015"]
    assert published["diagnostics"][0]["message"].startswith("`deny in` needs `principle`")
    assert change(client, doc, POLICY, 5)["diagnostics"] == []


def test_every_syntax_error_of_the_document_is_published(client, doc):
    broken = (POLICY.replace("average_particle_size <= 50 um", "average_particle_size <= <= 50 um")
              .replace("deny in principle", "deny"))
    published = change(client, doc, broken, 6)
    assert [(d["code"], d["range"]["start"]["line"]) for d in published["diagnostics"]] == [("E001", 11), ("E015", 18)]
    assert change(client, doc, POLICY, 7)["diagnostics"] == []


def hover(client, uri: str, text: str, needle: str, into: int = 0) -> str:
    result = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": position(text, needle, into)})
    assert result is not None, needle
    assert result["contents"]["kind"] == "markdown"
    return result["contents"]["value"]


def test_hover_on_a_control_code_shows_its_clauses_and_parameters(client, doc):
    text = hover(client, doc, POLICY, "within 2C902.a", len("within ") + 2)
    assert text.startswith("**2C902.a** — control code")
    assert "**Controlled by**\n- MOFCOM-2099-1 clause 1 — Micropowder" in text
    assert "`synthetic_diamond_micropowder` is `2C902.a` when `item.parameters.average_particle_size <= 50 um`" in text
    assert "**Used in the conditions of**\n- MOFCOM-2099-1 clause 1" in text


def test_hover_on_a_clause_reference_quotes_the_legal_text(client, doc):
    text = hover(client, doc, POLICY, "refines clause 1", len("refines clause "))
    assert text.startswith("**MOFCOM-2099-1 clause 1** — Micropowder")
    assert "> Synthetic diamond micropowder shall not be exported without a licence." in text
    assert "in force from 2099-01-01; suspended 2099-02-01 through 2099-03-01 by MOFCOM-2099-2 clause 1" in text


def test_hover_on_an_attribute_gives_its_schema_type(client, doc):
    text = hover(client, doc, POLICY, "item.origin", len("item.o"))
    assert text.startswith("```ecp\nItem.origin: Country?")
    assert "Party.military: bool = false" in hover(client, doc, POLICY, "end_user.military", len("end_user.m"))


def definition(client, uri: str, text: str, needle: str, into: int = 0) -> list[dict]:
    return client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                      "position": position(text, needle, into)})


def test_definition_of_a_clause_reference_is_the_clause(client, doc):
    [location] = definition(client, doc, POLICY, "refines clause 1", len("refines clause "))
    assert location["uri"] == doc
    assert location["range"]["start"] == position(POLICY, 'clause 1 "Micropowder"', len("clause "))


def test_definition_of_an_import_and_a_neighbour_name_is_in_the_neighbour_file(client, doc, folder):
    helpers = (folder / "helpers.ecp").resolve().as_uri()
    [module] = definition(client, doc, POLICY, "import helpers", len("import h"))
    assert module["uri"] == helpers
    [name] = definition(client, doc, POLICY, "my_helper require", 3)
    assert name["uri"] == helpers
    assert name["range"]["start"] == position(HELPERS, "my_helper")


def completion_labels(client, uri: str, text: str, version: int) -> list[str]:
    change(client, uri, text, version)
    end = position(text, text.rstrip("\n}\n "), len(text.rstrip("\n}\n ")))
    result = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": end})
    return [item["label"] for item in result["items"]]


def test_completion_after_item_dot_gives_the_fields_of_item_while_the_text_does_not_parse(client, doc):
    typing = POLICY.replace("deny in principle\n  }\n}\n", "deny in principle\n    when item.")
    labels = completion_labels(client, doc, typing, 6)
    assert {"origin", "control_code", "made_in", "parameters", "contains"} <= set(labels)
    assert "and" not in labels and "CN" not in labels


def test_completion_follows_the_record_types_of_paths_and_bound_variables(client, doc):
    assert {"average_particle_size", "wire_diameter"} <= set(completion_labels(
        client, doc, POLICY + "def x: bool = item.parameters.", 7))
    assert {"value_ratio", "origin"} <= set(completion_labels(
        client, doc, POLICY + "def y: bool = any c in item.contains: c.", 8))
    assert {"lists", "owners", "military"} <= set(completion_labels(
        client, doc, POLICY + "def z: bool = end_user.", 9))


def test_completion_after_clause_offers_the_clauses_of_the_announcement(client, doc):
    typing = POLICY.replace("    refines clause 1\n", "    refines clause \n")
    change(client, doc, typing, 20)
    at = position(typing, "refines clause ", len("refines clause "))
    result = client.request("textDocument/completion", {"textDocument": {"uri": doc}, "position": at})
    assert [(i["label"], i.get("detail")) for i in result["items"]] == [("1", "Micropowder"), ("2", "Military end users")]
    change(client, doc, POLICY, 21)


def test_completion_elsewhere_offers_keywords_countries_and_codes(client, doc):
    labels = set(completion_labels(client, doc, POLICY + "def w: bool = destination == ", 10))
    assert {"deny in principle", "CN", "US", "2C902.a", "my_helper"} <= labels
    change(client, doc, POLICY, 11)


def test_document_symbols_outline_the_announcement_by_clause(client, doc):
    change(client, doc, POLICY, 12)
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": doc}})
    announcement = next(s for s in symbols if s["name"] == "MOFCOM-2099-1")
    assert [(c["name"], c["detail"]) for c in announcement["children"]] == [
        ("clause 1", "Micropowder"), ("clause 2", "Military end users")]
    assert announcement["detail"] == "A test announcement"


def test_formatting_returns_the_formatters_text(client, doc):
    messy = POLICY.replace("  issued 2099-01-01", "issued    2099-01-01")
    change(client, doc, messy, 13)
    [edit] = client.request("textDocument/formatting", {"textDocument": {"uri": doc},
                                                        "options": {"tabSize": 2, "insertSpaces": True}})
    assert edit["newText"] == format_source(messy)[0]
    assert edit["range"]["start"] == {"line": 0, "character": 0}
    change(client, doc, POLICY, 14)


def test_a_change_in_a_neighbour_is_checked_in_the_open_documents_that_use_it(client, doc, folder):
    helpers = client.open(folder / "helpers.ecp", HELPERS)
    # the server publishes for the document that changed, then for the other open ones, in order
    assert client.notification("textDocument/publishDiagnostics", helpers)["diagnostics"] == []
    assert client.notification("textDocument/publishDiagnostics", doc)["diagnostics"] == []
    change(client, helpers, HELPERS.replace("my_helper", "renamed_helper"), 2)
    published = client.notification("textDocument/publishDiagnostics", doc)
    assert [(d["code"], d["message"].split("\n")[0]) for d in published["diagnostics"]] == [
        ("E101", "unknown name `my_helper`")]
    change(client, helpers, HELPERS, 3)
    assert client.notification("textDocument/publishDiagnostics", doc)["diagnostics"] == []


def test_a_file_changed_on_disk_is_checked_again_in_the_open_documents(client, doc, folder):
    suspension = folder / "MOFCOM-2099-2.ecp"
    client.discard("textDocument/publishDiagnostics", doc)
    suspension.write_text(SUSPENSION.replace("through 2099-03-01", "through 2099-04-30"), encoding="utf-8")
    try:
        client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": suspension.as_uri(), "type": 2}]})
        assert client.notification("textDocument/publishDiagnostics", doc)["diagnostics"] == []
        text = hover(client, doc, POLICY, "refines clause 1", len("refines clause "))
        assert "suspended 2099-02-01 through 2099-04-30 by MOFCOM-2099-2 clause 1" in text
    finally:
        suspension.write_text(SUSPENSION, encoding="utf-8")


def test_closing_a_document_clears_its_diagnostics(client, folder):
    uri = (folder / "helpers.ecp").resolve().as_uri()
    published = change(client, uri, HELPERS.replace("destination", "destinaton"), 4)
    assert [d["code"] for d in published["diagnostics"]] == ["E101"]
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.notification("textDocument/publishDiagnostics", uri)["diagnostics"] == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_positions_are_counted_in_the_encoding_the_editor_chose(tmp_path, new_client, encoding):
    text = 'def x: text = "稀土𠀀" + item.orign\n'
    doc = tmp_path / "doc.ecp"
    doc.write_text(text, encoding="utf-8")
    client = new_client()
    result = client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {
        "general": {"positionEncodings": [encoding]}}})
    assert result["capabilities"]["positionEncoding"] == encoding
    client.notify("initialized", {})
    uri = client.open(doc)
    [d] = client.notification("textDocument/publishDiagnostics", uri)["diagnostics"]
    before = text[: text.index("orign")]
    width = {"utf-8": len(before.encode("utf-8")), "utf-16": len(before.encode("utf-16-le")) // 2,
             "utf-32": len(before)}[encoding]
    assert d["range"]["start"] == {"line": 0, "character": width}
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 0, "character": width + 2}})
    assert hover is None  # `orign` is no field: nothing to say, and no fault
    at_item = {"line": 0, "character": width - 3}
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": at_item})
    assert hover["contents"]["value"].startswith("```ecp\nCase.item: Item?")
