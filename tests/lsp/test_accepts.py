"""The language server on a policy with `accept` statements: it checks clean, a reference in an
accept goes to the clause it names, completion offers the statement, and a wrong accept is a
diagnostic at its place (whether an accept is stale is `policylang analyze`'s to say)."""

from __future__ import annotations

import shutil
from pathlib import Path

from policylang.library import policies_dir
from policylang.lsp.completion import completions
from policylang.lsp.definition import definition
from policylang.lsp.workspace import Workspace


def _snapshot(tmp_path: Path, name: str):
    for policy in policies_dir().glob("*.ecp"):
        shutil.copy(policy, tmp_path)
    target = tmp_path / name
    text = target.read_text(encoding="utf-8")
    return Workspace().analyse(target.resolve().as_uri(), text), text


def test_accepts_in_a_shipped_policy(tmp_path: Path) -> None:
    snapshot, text = _snapshot(tmp_path, "MOFCOM-2025-61.ecp")
    assert snapshot.diagnostics == ()
    at = text.index("accept conflict clause V with MOFCOM-2024-46 clause 1")
    to_46 = definition(snapshot, text.index("MOFCOM-2024-46 clause 1", at) + 3)
    assert [Path(loc.uri).name for loc in to_46] == ["MOFCOM-2024-46.ecp"]
    to_v = definition(snapshot, text.index("clause V", at) + 7)
    assert [loc.range.start.line for loc in to_v] == [text[:text.index('clause V "Humanitarian')].count("\n")]
    labels = {item.label for item in completions(snapshot, at)}
    assert {"accept conflict", "accept shadowed", "with"} <= labels


def test_a_wrong_accept_is_a_diagnostic_at_its_place(tmp_path: Path) -> None:
    for policy in policies_dir().glob("*.ecp"):
        shutil.copy(policy, tmp_path)
    target = tmp_path / "extra.ecp"
    text = 'accept conflct MOFCOM-2025-61 clause V with UEL-2025-10 clause I because "x"\n'
    target.write_text(text, encoding="utf-8")
    snapshot = Workspace().analyse(target.resolve().as_uri(), text)
    assert [(d.code, d.span.column) for d in snapshot.diagnostics] == [("E121", 8)]
