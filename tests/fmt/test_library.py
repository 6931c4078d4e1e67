"""Every file of the shipped library, formatted twice in memory: the second pass changes nothing,
the AST is the input's, and every comment survives. The files on disk are never written."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylang.fmt import format_source
from policylang.library import ecp_files, policies_dir, stdlib_dir
from policylang.source import SourceFile
from policylang.syntax.parser import parse, parse_with_comments

LIBRARY = ecp_files([stdlib_dir(), policies_dir()])


def test_the_library_is_found():
    names = {p.name for p in LIBRARY}
    assert {"schema.ecp", "countries.ecp", "MOFCOM-2025-61.ecp"} <= names


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_library_file_formats_idempotently_and_keeps_its_meaning(path: Path):
    text = path.read_text(encoding="utf-8")
    once, diags = format_source(text, path.name)
    assert once is not None, [d.message for d in diags]
    twice, _ = format_source(once, path.name)
    assert twice == once
    original, _ = parse(SourceFile(path.name, text))
    formatted, _ = parse(SourceFile(path.name, once))
    assert formatted.items == original.items
    comments = parse_with_comments(SourceFile(path.name, text))[2]
    kept = parse_with_comments(SourceFile(path.name, once))[2]
    # a clause's properties are put in one order, so comments may change places, never number
    assert sorted(c.text().rstrip() for c in kept) == sorted(c.text().rstrip() for c in comments)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_library_file_is_in_canonical_form(path: Path):
    """What `policylang fmt --check policies stdlib` asserts: the shipped files are formatted."""
    text = path.read_text(encoding="utf-8")
    formatted, _ = format_source(text, path.name)
    assert formatted == text, f"run `policylang fmt {path.parent.name}/{path.name}`"
