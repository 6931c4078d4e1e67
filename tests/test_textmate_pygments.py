"""The Pygments lexer (`policylang.highlight`), beside the TextMate grammar: registered for
`.ecp`, and no character of the shipped library is left to the `Error` token."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Error, Keyword, Name, Number

from policylang.highlight import EcpLexer
from policylang.library import ecp_files, policies_dir, stdlib_dir


def test_the_lexer_is_registered_by_name_and_by_file_name():
    assert isinstance(get_lexer_by_name("ecp"), EcpLexer)
    assert isinstance(get_lexer_for_filename("MOFCOM-2025-61.ecp"), EcpLexer)


@pytest.mark.parametrize("path", ecp_files([stdlib_dir(), policies_dir()]), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_library_text_is_an_error_token(path: Path):
    text = path.read_text(encoding="utf-8")
    tokens = list(EcpLexer().get_tokens(text))
    assert [v for t, v in tokens if t in Error] == []
    assert "".join(v for _, v in tokens) == (text if text.endswith("\n") else text + "\n")


def test_text_outside_the_language_is_an_error_token():
    assert [v for t, v in EcpLexer().get_tokens("def x = 1 @ 2") if t in Error] == ["@"]


def test_the_tokens_of_a_clause():
    tokens = [(t, v) for t, v in EcpLexer().get_tokens(
        "clause I(1) {\n  controls 1C902.a\n  when origin == CN deny in principle\n}") if v.strip()]
    assert (Name.Label, "I(1)") in tokens
    assert (Number.Other, "1C902.a") in tokens
    assert (Keyword.Reserved, "deny in principle") in tokens
    assert (Name.Constant, "CN") in tokens
