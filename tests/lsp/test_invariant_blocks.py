"""The language server on a file with `invariant` and `test` blocks next to the policies it
names: it checks clean, outlines both blocks, and answers hover, definition and completion at
every offset without failing."""

from __future__ import annotations

import shutil
from pathlib import Path

from policylang import ast
from policylang.library import policies_dir
from policylang.lsp.completion import completions
from policylang.lsp.definition import definition
from policylang.lsp.hover import hover
from policylang.lsp.symbols import document_symbols
from policylang.lsp.workspace import Workspace

SOURCES = [Path(__file__).parent.parent / "analysis" / "invariants.ecp",
           Path(__file__).parent.parent / "testing" / "sample.ecp"]


def test_blocks_beside_the_policies_they_name(tmp_path: Path) -> None:
    for policy in policies_dir().glob("*.ecp"):
        shutil.copy(policy, tmp_path)
    workspace = Workspace()
    for source in SOURCES:
        target = tmp_path / source.name
        shutil.copy(source, target)
        text = target.read_text(encoding="utf-8")
        snapshot = workspace.analyse(target.resolve().as_uri(), text)
        assert snapshot.diagnostics == ()
        blocks = [i.name for i in snapshot.module.items if isinstance(i, (ast.Invariant, ast.CaseTest))]
        assert blocks and set(blocks) <= {s.name for s in document_symbols(snapshot)}
        for offset in range(0, len(text), 7):
            found = hover(snapshot, offset)
            assert found is None or found.strip()
            definition(snapshot, offset)
            assert all(item.label for item in completions(snapshot, offset))
