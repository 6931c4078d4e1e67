"""Golden files: `tests/fmt/<name>.ecp` formats to `tests/fmt/<name>.ecp.formatted`.

Each golden is also a fixed point: formatting the expected output changes nothing, and it
parses to the same AST as the input.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylang.fmt import format_source
from policylang.source import SourceFile
from policylang.syntax.parser import parse, parse_with_comments

HERE = Path(__file__).parent
CASES = sorted(HERE.glob("*.ecp"), key=lambda p: p.name)


def test_there_are_goldens():
    assert len(CASES) >= 4


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_golden(source: Path, update_goldens: bool):
    text = source.read_text(encoding="utf-8")
    formatted, diags = format_source(text, source.name)
    assert formatted is not None, [d.message for d in diags]
    golden = source.with_name(source.name + ".formatted")
    if update_goldens:
        golden.write_text(formatted, encoding="utf-8")
    assert golden.exists(), f"no golden for {source.name}: run pytest tests/fmt --update-goldens"
    assert formatted == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_golden_is_a_fixed_point_with_the_same_meaning(source: Path):
    text = source.read_text(encoding="utf-8")
    golden = source.with_name(source.name + ".formatted").read_text(encoding="utf-8")
    assert format_source(golden, source.name)[0] == golden
    before, _ = parse(SourceFile(source.name, text))
    after, _ = parse(SourceFile(source.name, golden))
    assert after.items == before.items


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_every_comment_is_kept(source: Path):
    text = source.read_text(encoding="utf-8")
    _, _, comments = parse_with_comments(SourceFile(source.name, text))
    _, _, kept = parse_with_comments(SourceFile(source.name, format_source(text)[0]))
    assert sorted(c.text().rstrip() for c in kept) == sorted(c.text().rstrip() for c in comments)


def test_a_syntax_error_gives_diagnostics_not_text():
    formatted, diags = format_source("def x = \n", "broken.ecp")
    assert formatted is None
    assert [d.code for d in diags] == ["E004"]
