"""LALR error recovery: every independent syntax error of a file in one run, none made up.

The fixtures under `tests/check/syntax/` pin the diagnostics of small files; here the shipped
policies are broken in several places far apart, and each break must come out exactly once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylang.library import load, policies_dir
from policylang.lsp.diagnostics import document_diagnostics
from policylang.lsp.workspace import Workspace
from policylang.source import SourceFile
from policylang.syntax import recovery
from policylang.syntax.parser import parse

POLICIES = sorted(policies_dir().glob("*.ecp"))
HERE = Path(__file__).parent / "check" / "syntax"
BREAKS = {            # a correct phrase -> a broken one, and the code it must get
    "require license": ("require permit", "E001"),
    "deny in principle": ("deny", "E015"),
}


def _lines_of(text: str, phrase: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.search(rf"\b{phrase}\b", line)]


def _break(text: str, phrase: str, broken: str, lines: list[int]) -> str:
    out = text.splitlines(keepends=True)
    for n in lines:
        out[n - 1] = out[n - 1].replace(phrase, broken, 1)
    return "".join(out)


@pytest.mark.parametrize("path", POLICIES, ids=[p.stem for p in POLICIES])
def test_each_of_several_breaks_in_a_shipped_policy_is_reported_once(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for phrase, (broken, code) in BREAKS.items():
        lines = _lines_of(text, phrase)
        chosen = [n for i, n in enumerate(lines) if i % 3 == 0][:5]   # far apart, in order
        if not chosen:
            continue
        _, diags = parse(SourceFile(path.name, _break(text, phrase, broken, chosen)))
        assert [(d.span.line, d.code) for d in diags] == [(n, code) for n in chosen], \
            [f"{d.span.line}: {d.code} {d.message}" for d in diags]


def test_the_first_diagnostic_is_the_one_a_plain_parse_gives() -> None:
    text = (HERE / "three_errors.ecp").read_text(encoding="utf-8")
    _, diags = parse(SourceFile("three.ecp", text))
    _, alone = parse(SourceFile("three.ecp", text.split("announcement")[0]))
    assert [d.code for d in diags] == ["E002", "E001", "E001"]
    assert (diags[0].code, diags[0].message, diags[0].help) == (alone[0].code, alone[0].message, alone[0].help)


def test_a_brace_too_many_is_named_and_the_clauses_after_it_are_still_read() -> None:
    text = (HERE / "brace_too_many.ecp").read_text(encoding="utf-8")
    _, diags = parse(SourceFile("brace.ecp", text))
    assert [(d.span.line, d.code) for d in diags] == [(11, "E001"), (16, "E001")]
    assert "is a `}` above it one too many" in diags[0].help
    # the same clauses inside their announcement: only clause 3's error
    _, whole = parse(SourceFile("brace.ecp", text.replace("  }\n  }\n", "  }\n", 1)))
    assert [(d.span.line, d.code) for d in whole] == [(15, "E001")]


def test_errors_are_sorted_and_capped() -> None:
    clauses = "".join(f"  clause {n} {{ when origin == CN require permit }}\n" for n in range(1, 31))
    _, diags = parse(SourceFile("many.ecp", "announcement TEST-2025-1 {\n" + clauses + "}\n"))
    assert len(diags) == recovery.CAP
    assert [d.span.line for d in diags] == list(range(2, 2 + recovery.CAP))


def test_the_checker_does_not_run_on_a_file_with_syntax_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.ecp"
    path.write_text("def a: bool = no_such_name\ndef b = (\ndef c: bool = other_unknown\n", encoding="utf-8")
    program, diags = load([path])
    assert program is None
    assert all(d.code.startswith("E0") for d in diags), [d.code for d in diags]


def test_the_language_server_shows_every_syntax_error() -> None:
    path = HERE / "three_errors.ecp"
    snapshot = Workspace().analyse(path.as_uri(), path.read_text(encoding="utf-8"))
    shown = document_diagnostics(snapshot)
    assert [(d.code, d.range.start.line + 1) for d in shown] == [("E002", 4), ("E001", 10), ("E001", 18)]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(POLICIES), st.lists(st.tuples(st.floats(0, 1), st.sampled_from(
    ["}", "{", "(", ")", ",", "$", "==", "", "clause", "when"]), st.integers(0, 4)), min_size=1, max_size=4))
def test_a_mangled_policy_gets_diagnostics_never_an_exception(path: Path, edits) -> None:
    text = path.read_text(encoding="utf-8")
    for where, insert, cut in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    module, diags = parse(SourceFile(path.name, text))
    assert (module is None) == bool(diags)
    assert len(diags) <= recovery.CAP
    assert diags == sorted(diags, key=lambda d: (d.span.start, d.code))
