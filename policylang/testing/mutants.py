"""Mutated policy files, and the harness that runs them as `check` and `eval` would (issue 11).

Takes: a `random.Random`, the shipped `.ecp` files (`shipped_sources`, `parsed_library`) and the
grammar's words (`grammar_words`).
Returns: `mutate_policy`: a shipped file mutated, half the time in ways that keep it in the
grammar, else in ways that break it (see its docstring); `run_policy`: reading, parsing, checking
and formatting it among the library's other files and, when the library checks, deciding a few
cases with both engines, counting into a `hostile.Tally` faults, diagnostics without a place,
engines that disagree, and time (checking and deciding each timed on its own, as each is a
command of its own).
Guarantees: uses nothing but the `Random` it is given; never raises on account of the input.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from policylang.testing.hostile import Tally, damage



def policy_tokens(text: str) -> list[str]:
    """The text cut into tokens and the space between them (joined, they give the text back)."""
    import re
    return [t for t in re.findall(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|\s+|[A-Za-z_][A-Za-z0-9_.]*|'
                                  r"[0-9][0-9A-Za-z.]*|\S", text) if t]


def grammar_words() -> list[str]:
    """The grammar's keywords and punctuation, as its terminals spell them."""
    from lark.lexer import PatternStr

    from policylang.syntax.parser import _parser
    words = sorted({t.pattern.value for t in _parser().terminals if isinstance(t.pattern, PatternStr)})
    return words + ["1C902.a", "2025-10-09", "MOFCOM-2025-61", "I(1)", "50", "um", '"text"', "CN", "item.origin"]


def mutate_policy(rng: random.Random, text: str, words: list[str]) -> bytes:
    """A shipped file, mutated: half the files by edits that keep it in the grammar (a token
    replaced by another of its kind from the same file, a deep or huge condition put before a
    rule's own, a clause made an exception to itself or others), the other half by edits that
    break it (tokens dropped, doubled, swapped, cut, replaced by the grammar's words, bad escapes,
    limits broken), half of those with byte-level damage too."""
    tokens = policy_tokens(text)
    solid = [i for i, t in enumerate(tokens) if not t.isspace()]
    keywords = frozenset(w for w in words if w.isalpha())
    kinds: dict[str, list[int]] = {}
    for i in solid:
        kinds.setdefault("keyword" if tokens[i] in keywords else _kind(tokens[i]), []).append(i)
    keep = rng.random() < 0.5
    for _ in range(rng.randrange(1, 4)):
        i = rng.choice(solid) if solid else 0
        if keep:
            _keep_grammar(rng, tokens, i, kinds, keywords)
        else:
            _break_grammar(rng, tokens, i, words, solid)
    data = "".join(tokens).encode("utf-8")
    if not keep and rng.random() < 0.5:
        data = damage(rng, data)
    return data


def _kind(token: str) -> str:
    import re
    for kind, pattern in (("string", r'"'), ("date", r"[0-9]{4}-[0-9]{2}-[0-9]{2}$"), ("code", r"[0-9][A-E][0-9]{3}"),
                          ("number", r"[0-9]"), ("name", r"[A-Za-z_]"), ("comment", r"#")):
        if re.match(pattern, token):
            return kind
    return token if token in ("==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/") else "other"


_OPERATORS = ["==", "!=", "<", "<=", ">", ">="]


def _keep_grammar(rng: random.Random, tokens: list[str], i: int, kinds: dict[str, list[int]],
                  keywords: frozenset) -> None:
    kind = "keyword" if tokens[i] in keywords else _kind(tokens[i])
    pick = rng.random()
    whens = [j for j in kinds.get("keyword", []) if tokens[j] == "when"]
    if pick < 0.5 and kinds.get(kind) and kind not in ("comment", "other", "keyword"):
        tokens[i] = tokens[rng.choice(kinds[kind])]                 # another of its kind, same file
    elif pick < 0.6 and kind in _OPERATORS:
        tokens[i] = rng.choice(_OPERATORS)
    elif pick < 0.8 and whens:
        j = rng.choice(whens)                                       # a deep or huge condition first
        tokens[j] = "when " + rng.choice([_deep_expression(rng), "item.value > " + "9" * rng.choice([60, 61]),
                                          "destination == " + rng.choice(["CN", "ZZ", "cn"])]) + " and"
    elif whens:
        j = rng.choice(whens)                                       # relations, cycles and due dates
        tokens[j] = rng.choice(["exception to clause I\n    when", "refines clause I\n    when",
                                "exception to clause 1\n    when", "refines clause 2(a)\n    when"]) \
            if rng.random() < 0.7 else "when"
        if rng.random() < 0.5:
            k = min(len(tokens) - 1, j + 2)
            tokens[k] = tokens[k] + rng.choice([' report "x" within 3661 days ', ' report "x" within 3660 working days '])


def _break_grammar(rng: random.Random, tokens: list[str], i: int, words: list[str], solid: list[int]) -> None:
    kind = rng.randrange(9)
    if kind == 0:
        tokens[i] = ""
    elif kind == 1:
        tokens[i] = tokens[i] + " " + tokens[i]
    elif kind == 2 and len(solid) > 1:
        j = rng.choice(solid)
        tokens[i], tokens[j] = tokens[j], tokens[i]
    elif kind == 3:
        tokens[i] = rng.choice(words)
    elif kind == 4:
        tokens[i] = _deep_expression(rng)
    elif kind == 5:
        tokens[i] = rng.choice(["9" * rng.choice([61, 5000, 100_000]), "x" * rng.choice([201, 100_000]),
                                '"' + "a" * rng.choice([1000, 100_001]) + '"', "99999999999", "3000000"])
    elif kind == 6:
        tokens[i] = '"' + rng.choice(["\\x", "\\x4", "\\N{DIGIT ONE}", "\\u4e2d", "\\ud800", "\\U0010ffff",
                                      "\\U00110000", "\\q", "\\", "\\u12"]) + '"'
    elif kind == 7:
        tokens[i] = rng.choice(["exception to clause I", "refines clause I", "within 99999999999 days",
                                "within 3000000 working days", "exception to clause " + tokens[i]])
    else:
        tokens[i] = tokens[i][: rng.randrange(len(tokens[i]) + 1)]


def _deep_expression(rng: random.Random) -> str:
    n = rng.choice([50, 99, 101, 150, 400, 1000, 3000])
    kind = rng.randrange(7)
    if kind == 0:
        return " and ".join(["true"] * n)
    if kind == 1:
        return " or ".join(["item.value > 1"] * n)
    if kind == 2:
        return "not " * n + "true"
    if kind == 3:
        return " + ".join(["1"] * n) + " > 0"
    if kind == 4:
        return "if true then " * n + "true" + " else false" * n
    if kind == 5:
        return "{" * n + "CN" + "}" * n
    return "(" * n + "true" + ")" * n


# ------------------------------------------------------------------ running mutated policies


FUZZ_CASES = [
    {"id": "a", "date": "2025-10-20", "action": "reexport", "destination": "US",
     "item": {"control_code": "1C904.a.4", "origin": "CN", "value": "12000"}},
    {"id": "b", "date": "9999-12-30", "action": "reexport", "destination": "PH", "end_use": ["emergency_medical"],
     "end_user": {"name": "Field Hospital", "country": "PH", "military": True},
     "item": {"control_code": "1C904.a.4", "origin": "CN"}},
    {"id": "c", "date": "2026-11-21", "action": "export", "destination": "DE",
     "item": {"category": "synthetic_diamond_micropowder", "parameters": {"average_particle_size": "40 um"}}},
    {"id": "d", "date": "2026-01-05", "action": "transfer", "destination": "US",
     "end_user": {"name": "MP Materials", "country": "US", "owners": [{"party": {"name": "X"}, "share": 0.6}]},
     "item": {"control_code": "3C001.a", "origin": "CN", "value": 0,
              "contains": [{"control_code": "1C904.a.1", "origin": "CN", "value_ratio": 0.5}]}},
]


def run_policy(name: str, data: bytes, others: list, tally: Tally, engines: bool = True) -> None:
    """Read, parse, check and (when it checks) format and decide with one mutated file among the
    library's others (`others`: their parsed modules): as `check` and `eval` would, counting
    faults, diagnostics without a place and time."""
    from policylang import diagnostics as D
    from policylang.library import decode
    from policylang.syntax.parser import parse

    tally.inputs += 1
    started = time.perf_counter()
    program = None
    try:
        file, found = decode(name, data)
        module = None
        if file is not None:
            module, found = parse(file)
        if module is not None:
            program, found = _checked(module, others)
        for d in found:
            _placed(d, name, data, tally)
        D.render_text(found).encode("utf-8")
        D.render_json(found).encode("utf-8")
        if file is not None and module is not None:
            from policylang.fmt import format_source
            formatted, _ = format_source(file.text, name)
            if formatted is not None:
                formatted.encode("utf-8")
    except Exception as exc:
        tally.keep("internal", (f"{type(exc).__name__}: {exc}"[:300], data))
    tally.timed(time.perf_counter() - started, data)
    if program is not None and engines:    # `eval` is a command of its own: timed on its own
        started = time.perf_counter()
        try:
            _decide_with(program, tally, name)
        except Exception as exc:
            tally.keep("internal", (f"deciding: {type(exc).__name__}: {exc}"[:300], data))
        tally.timed(time.perf_counter() - started, data)


def _checked(module, others: list) -> tuple:
    """The library with the mutated module in place of the shipped one: (the program when it
    checks, else None; the diagnostics)."""
    from policylang.check.checker import check_program
    from policylang.program import build_program

    program, found = build_program([m for m in others if m.path != module.path] + [module])
    if any(d.is_error for d in found):
        return None, found
    found = check_program(program)
    return (None if any(d.is_error for d in found) else program), found


def _decide_with(program, tally: Tally, name: str) -> None:
    from policylang.engines import engine as make_engine
    from policylang.eval.raw import split_cases
    from policylang.eval.runner import render

    raws = split_cases("\n".join(json.dumps(c) for c in FUZZ_CASES), "fuzz.jsonl")
    outputs = []
    for kind in ("interpreter", "compiled"):
        decider = make_engine(program, kind)
        out = []
        for raw in raws:
            decision = decider.decide(raw)
            text = render(decision, "jsonl")
            if any(e.code == "E499" for e in decision.errors):
                tally.keep("internal", (f"{kind}: E499 {text[:300]}", name))
            out.append(text)
        outputs.append(out)
    if outputs[0] != outputs[1]:
        tally.keep("lost", ("the engines disagree", name, outputs[0], outputs[1]))


def _placed(d, name: str, data: bytes, tally: Tally) -> None:
    if d.code == "E000":
        tally.keep("internal", (d.message, data))
    span = d.span
    if span is None or not span.path or not (0 <= span.start <= span.end <= len(span.file.text)) \
            or span.line < 1 or span.column < 1:
        tally.keep("unplaced", (d.code, d.message[:200], data))


def shipped_sources() -> list[tuple[str, str]]:
    """The shipped stdlib and policy files, as (name, text)."""
    from policylang.library import policies_dir, stdlib_dir
    return [(p.name, p.read_text(encoding="utf-8")) for d in (stdlib_dir(), policies_dir())
            for p in sorted(Path(d).glob("*.ecp"))]


def parsed_library() -> list:
    """The shipped files parsed, each under its own name (what a mutated file joins)."""
    from policylang.source import SourceFile
    from policylang.syntax.parser import parse
    return [parse(SourceFile(name, text))[0] for name, text in shipped_sources()]

