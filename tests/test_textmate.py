"""The VS Code extension's TextMate grammar, run by a small TextMate tokenizer in Python.

The grammar keeps to the regular-expression subset that Oniguruma (VS Code) and Python's `re`
share, so the rules can be compiled and applied here line by line as TextMate does: at each
position the leftmost match of the rules in force wins, the first rule on a tie; `begin`/`end`
rules (strings) carry across lines. Every non-blank character of every library file must be
covered by a rule: nothing is left unmatched, so no text shows up uncoloured in the editor.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policylang.library import ecp_files, policies_dir, stdlib_dir

EXTENSION = Path(__file__).resolve().parents[1] / "editor-support" / "vscode"
GRAMMAR = json.loads((EXTENSION / "syntaxes" / "ecp.tmLanguage.json").read_text(encoding="utf-8"))
LIBRARY = ecp_files([stdlib_dir(), policies_dir()])


def _leaves(patterns: list[dict], seen: tuple = ()) -> list[dict]:
    """The `match` and `begin`/`end` rules of a pattern list, with `include`s expanded."""
    out = []
    for p in patterns:
        if "include" in p:
            name = p["include"].lstrip("#")
            assert name not in seen, f"include cycle through {name}"
            out += _leaves([GRAMMAR["repository"][name]], seen + (name,))
        elif "match" in p or "begin" in p:
            out.append(p)
        else:
            out += _leaves(p["patterns"], seen)
    return out


def _compiled(rule: dict, key: str) -> re.Pattern:
    cache = rule.setdefault("_compiled", {})
    if key not in cache:
        cache[key] = re.compile(rule[key])
    return cache[key]


def tokenize(text: str) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The tokens `(text, scope)` of the matched rules, and the unmatched non-blank pieces `(line, text)`."""
    top = _leaves(GRAMMAR["patterns"])
    tokens, unmatched, stack = [], [], []
    for number, line in enumerate(text.split("\n"), start=1):
        pos = 0
        while pos <= len(line):
            inside = stack[-1] if stack else None
            candidates = ([("end", inside)] + [("rule", r) for r in _leaves(inside.get("patterns", []))]
                          if inside else [("rule", r) for r in top])
            best = None
            for kind, rule in candidates:
                m = _compiled(rule, "end" if kind == "end" else ("match" if "match" in rule else "begin")).search(line, pos)
                if m and (best is None or m.start() < best[2].start()):
                    best = (kind, rule, m)
            if best is None:
                if not inside and line[pos:].strip():
                    unmatched.append((number, line[pos:].strip()))
                break
            kind, rule, m = best
            if not inside and line[pos:m.start()].strip():
                unmatched.append((number, line[pos:m.start()].strip()))
            if kind == "end":
                stack.pop()
            elif "begin" in rule:
                stack.append(rule)
            else:
                captured = [c["name"] for c in rule.get("captures", {}).values()]
                tokens.append((m.group(), rule.get("name") or " ".join(captured)))
            if m.end() == pos and kind != "end" and "begin" not in rule:
                pos += 1
            elif m.end() == pos and m.end() == len(line):
                break
            else:
                pos = m.end()
    return tokens, unmatched


def test_the_grammar_names_the_language():
    assert GRAMMAR["scopeName"] == "source.ecp"
    assert "ecp" in GRAMMAR["fileTypes"]


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_library_file_is_tokenised_without_unmatched_text(path: Path):
    _, unmatched = tokenize(path.read_text(encoding="utf-8"))
    assert unmatched == []


def test_text_outside_the_language_is_reported_unmatched():
    _, unmatched = tokenize('def x = 1 @ 2\nwhen a ; b')
    assert unmatched == [(1, "@"), (2, ";")]


@pytest.mark.parametrize("source, token, scope", [
    ("controls 1C902.a.4", "1C902.a.4", "constant.other.control-code.ecp"),
    ("when x deny in principle", "deny in principle", "keyword.other.effect.ecp"),
    ("  report", "report", "support.function.obligation.ecp"),
    ("x >= 0.1 %", "0.1 %", "constant.numeric.ecp keyword.other.unit.ecp"),
    ("issued 2025-10-09", "2025-10-09", "constant.numeric.date.ecp"),
    ("suspend MOFCOM-2025-61 from", "MOFCOM-2025-61", "entity.name.namespace.announcement.ecp"),
    ("  clause I(1) \"x\" {", "  clause I(1)", "storage.type.clause.ecp entity.name.section.clause.ecp"),
    ("def origin: Country = item.origin", "def origin", "storage.type.function.ecp entity.name.function.ecp"),
    ("x in {CN, HK}", "CN", "constant.other.country.ecp"),
    ("a  # why", "# why", "comment.line.number-sign.ecp"),
    ("accept conflict clause V with UEL-2025-10 clause I because \"x\"", "accept", "keyword.other.ecp"),
    ("accept conflict clause V with UEL-2025-10 clause I because \"x\"", "with", "keyword.other.ecp"),
])
def test_tokens_get_their_scopes(source, token, scope):
    tokens, unmatched = tokenize(source)
    assert (token, scope) in tokens
    assert unmatched == []


def test_strings_run_across_lines_and_hide_what_is_in_them():
    tokens, unmatched = tokenize('text zh """第一行 @\n第二行 ;""" when x')
    assert unmatched == []
    assert ("when", "keyword.control.ecp") in tokens
    assert not any(t == "@" for t, _ in tokens)


def test_the_extension_declares_grammar_configuration_and_snippets():
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    contributes = package["contributes"]
    assert contributes["languages"][0]["extensions"] == [".ecp"]
    for entry in ("grammars", "snippets"):
        assert (EXTENSION / contributes[entry][0]["path"]).is_file()
    configuration = json.loads((EXTENSION / contributes["languages"][0]["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"]["lineComment"] == "#"
    snippets = json.loads((EXTENSION / contributes["snippets"][0]["path"]).read_text(encoding="utf-8"))
    assert {"announcement", "clause"} <= {s["prefix"] for s in snippets.values()}
