"""Hostile inputs, and the harness that feeds them to policylang: the fuzzing of issue 11.

Takes: a `random.Random` (Hypothesis's own, `st.randoms()`, in the test suite; a seeded one in
`fuzz/run.py`, the large run on demand) and a budget.
Returns: hostile JSON lines (`hostile_line`) made from realistic cases (`testing/mix.py`) with a
value of any JSON type and size put at any path of the schema, or text-level damage done to the
line; mutated policy files (`mutate_policy`) made from the shipped `.ecp` files by grammar-aware
token edits (a token dropped, doubled, swapped or replaced by one of the grammar's; deep nesting,
huge numbers and names, bad escapes put in) and byte-level ones (bytes flipped, cut, not UTF-8,
CR line ends, a BOM); and the harnesses that run them and count what went wrong:
`run_lines` (the streaming reader and both engines, as `eval` runs them) and `run_policy` (the
library pipeline of `check`, the formatter, and both engines on a few cases when it checks).
Guarantees: a harness never raises on account of the input: everything it finds is counted in a
`Tally`, with the first inputs of each kind of failure kept for a regression test:
- `internal`: a Python exception escaped, a decision says E499, a diagnostic says E000 (a fault
  of policylang), or output could not be written as UTF-8;
- `slow`: one input took more than `HANG_SECONDS` (2 s);
- `lost`: decisions missing, extra, out of input order, or the engines disagreeing on a case;
- `unplaced`: a policy diagnostic without a place (file:line:col inside the file).
The generators use nothing but the `Random` they are given, so a seed reproduces a run.
"""

from __future__ import annotations

import io
import json
import random
import time
from pathlib import Path
from typing import Any

import attrs

HANG_SECONDS = 2.0
KEPT = 5                 # inputs kept per kind of failure


@attrs.define
class Tally:
    """What a fuzz run found."""
    inputs: int = 0
    internal: int = 0
    slow: int = 0
    lost: int = 0
    unplaced: int = 0
    slowest: float = 0.0
    examples: dict[str, list] = attrs.Factory(dict)

    def keep(self, kind: str, example: Any) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        found = self.examples.setdefault(kind, [])
        if len(found) < KEPT:
            found.append(example)

    def timed(self, seconds: float, example: Any) -> None:
        self.slowest = max(self.slowest, seconds)
        if seconds > HANG_SECONDS:
            self.keep("slow", (round(seconds, 2), example))

    def merge(self, other: "Tally") -> None:
        for kind in ("inputs", "internal", "slow", "lost", "unplaced"):
            setattr(self, kind, getattr(self, kind) + getattr(other, kind))
        self.slowest = max(self.slowest, other.slowest)
        for kind, found in other.examples.items():
            mine = self.examples.setdefault(kind, [])
            mine += found[: KEPT - len(mine)]

    def figures(self) -> dict:
        return {"inputs": self.inputs, "internal_errors": self.internal, f"over_{HANG_SECONDS:g}_s": self.slow,
                "lost_or_misordered": self.lost, "without_place": self.unplaced,
                "slowest_seconds": round(self.slowest, 3)}

    @property
    def clean(self) -> bool:
        return not (self.internal or self.slow or self.lost or self.unplaced)


# ------------------------------------------------------------------ hostile JSON


SPECIAL_TEXTS = [
    "", " ", "\u2028", "\u2029", "\u0085", "\u001e", "\u001c", "\x00", "\ufeff", "\U0010ffff", "\ufffd",
    "1_000", "+1", ".5", " 1 ", "1e999999999", "-1e-999999999", "1e-999999999 mm", "NaN", "Infinity",
    "0x10", "１２", "50 um", "0.05mm", "99.95 %", "±3 ℃", "-5 um", "1.5.2 mm", "007 mm", "5 furlongs",
    "2026-11-30", "20261130", "2026-W48-1", "9999-12-31", "0001-01-01", "2026-02-30", "2026-11-30T00:00",
    "CN", "cn", "US", "1C902.a", "1C904.a.4", "2B902.s", "export", "reexport", "service", "military",
    "MP Materials", "Recorded Future, Inc.", "control_list", "emergency_medical",
]
SPECIAL_NUMBERS = [
    "0", "-0", "1", "-1", "0.5", "1.0", "1e-7", "1E+7", "0.00014", "99.95", "1e999999999", "-1e-999999999",
    "1e60", "1e61", "1e-61", "123456789012345678901234567890123456789012345678901234567890",
    "1234567890123456789012345678901234567890123456789012345678901", "0e-99999", "2e308",
]


def json_fragment(rng: random.Random, depth: int = 0) -> bytes:
    """The text of a JSON value of any type and size, now and then not JSON at all."""
    pick = rng.random()
    if depth > 3 or pick < 0.45:
        return _scalar(rng)
    if pick < 0.6:
        return b"[" + b", ".join(json_fragment(rng, depth + 1) for _ in range(rng.randrange(4))) + b"]"
    if pick < 0.75:
        keys = [_string(rng) for _ in range(rng.randrange(4))]
        if keys and rng.random() < 0.2:
            keys.append(rng.choice(keys))                        # a key given twice
        return b"{" + b", ".join(k + b": " + json_fragment(rng, depth + 1) for k in keys) + b"}"
    return _big(rng)


def _scalar(rng: random.Random) -> bytes:
    pick = rng.random()
    if pick < 0.1:
        return rng.choice([b"null", b"true", b"false", b"NaN", b"Infinity", b"-Infinity"])
    if pick < 0.35:
        return rng.choice(SPECIAL_NUMBERS).encode()
    if pick < 0.45:
        return str(rng.randint(-10**rng.randrange(1, 30), 10**rng.randrange(1, 30))).encode()
    return _string(rng)


def _string(rng: random.Random) -> bytes:
    pick = rng.random()
    if pick < 0.5:
        text = rng.choice(SPECIAL_TEXTS)
    elif pick < 0.8:
        text = "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x800), rng.randrange(0x4e00, 0x9fff),
                                       rng.randrange(0x10000, 0x10ffff), rng.randrange(0, 32)]))
                       for _ in range(rng.randrange(12)))
    else:
        text = rng.choice(SPECIAL_TEXTS) + rng.choice(SPECIAL_TEXTS)
    out = json.dumps(text, ensure_ascii=rng.random() < 0.3).encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:
        out = out[:-1] + rng.choice([b"\\ud800", b"\\udfff", b"\xff", b"\xc3", b"\\u12", b"\\x41", b"\\"]) + b'"'
    if rng.random() < 0.1:        # a raw line separator or control character inside the string
        out = out[:-1] + rng.choice(["\u2028", "\u0085", "\u001e", "\t"]).encode() + b'"'
    return out


def _big(rng: random.Random) -> bytes:
    """Something large or deep: within a factor of the limits, and beyond them."""
    n = rng.choice([10, 100, 1_000, 10_001, 100_000, 300_000])
    kind = rng.randrange(8)
    if kind == 0:
        return b'"' + rng.choice([b"a", b" ", "中".encode(), b"\\u2028"]) * n + b'"'
    if kind == 1:
        return b"9" * n
    if kind == 2:
        return b"0." + b"0" * n + b"1"
    if kind == 3:
        return b"1e" + str(n * 9999).encode()
    if kind == 4:
        depth = min(n, 20_000)
        return b"[" * depth + b"]" * depth
    if kind == 5:
        depth = min(n, 5_000)
        return b'{"a": ' * depth + b"1" + b"}" * depth
    if kind == 6:
        return b"[" + b"0, " * min(n, 30_000) + b"0]"
    return b'"' + b"1" + b" " * min(n, 100_000) + b'mm"'


def schema_paths(program) -> list[tuple[str, ...]]:
    """Every path of fields of the case record, three records deep, lists entered at index 0."""
    from policylang.check import types as T
    from policylang.check.typecheck import ExprChecker
    from policylang.program import CASE_RECORD

    resolve = ExprChecker(program).resolve_type
    out: list[tuple[str, ...]] = []

    def visit(record: str, prefix: tuple, depth: int) -> None:
        for f in program.records[record].fields:
            path = prefix + (f.name,)
            out.append(path)
            t = resolve(f.type)
            while isinstance(t, (T.ListT, T.SetT)):
                path, t = path + (0,), t.element
            if isinstance(t, T.RecordT) and depth < 3:
                visit(t.name, path, depth + 1)

    visit(CASE_RECORD, (), 0)
    return out


_PLACE = "\x00policylang-fuzz\x00"


def hostile_line(rng: random.Random, base: dict, paths: list[tuple[str, ...]], case_id: str) -> bytes:
    """One JSON line: a realistic case with a hostile value put at a path of the schema (or one
    of its own, or a new key), and now and then damage done to the text of the line."""
    case = json.loads(json.dumps(base))
    case["id"] = case_id
    if rng.random() < 0.9:
        path = rng.choice(paths) if rng.random() < 0.7 else _own_path(rng, case)
        if rng.random() < 0.2:
            path = path + ("x" * rng.randrange(1, 4),)        # a key the schema does not know
        _put(case, path, _PLACE)
    line = json.dumps(case, ensure_ascii=False).encode("utf-8")
    line = line.replace(json.dumps(_PLACE).encode(), json_fragment(rng), 1)
    if rng.random() < 0.15:
        line = damage(rng, line, newlines=False)
    return line


def _own_path(rng: random.Random, case: dict) -> tuple:
    path: tuple = ()
    node: Any = case
    while isinstance(node, (dict, list)) and node and rng.random() < 0.7:
        key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path, node = path + (key,), node[key]
    return path or ("id",)


def _put(case: dict, path: tuple, value: Any) -> None:
    node: Any = case
    for step, nxt in zip(path, path[1:]):
        if isinstance(node, dict):
            if not isinstance(node.get(step), (dict, list)):
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
        elif isinstance(node, list):
            while len(node) <= step:
                node.append([] if isinstance(nxt, int) else {})
            if not isinstance(node[step], (dict, list)):
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
    last = path[-1]
    if isinstance(node, dict) and not isinstance(last, int):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value


def damage(rng: random.Random, data: bytes, newlines: bool = True) -> bytes:
    """Byte-level damage: bytes flipped, inserted, cut or doubled; not UTF-8; a BOM; CR ends."""
    data = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        if not data:
            break
        at = rng.randrange(len(data))
        kind = rng.randrange(8)
        if kind == 0:
            data[at] = rng.randrange(256)
        elif kind == 1:
            data[at:at] = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\\", b'"'])
        elif kind == 2:
            del data[at:at + rng.randrange(1, 40)]
        elif kind == 3:
            data[at:at] = data[at:at + rng.randrange(1, 40)]
        elif kind == 4:
            data[0:0] = b"\xef\xbb\xbf"
        elif kind == 5 and newlines:
            data = bytearray(bytes(data).replace(b"\r\n", b"\n").replace(b"\n", rng.choice([b"\r", b"\r\n"])))
        elif kind == 6:
            data[at:at] = rng.choice(["\u2028", "\u0085", "\u001e", "\ufeff"]).encode()
        else:
            del data[at:]
    out = bytes(data)
    return out if newlines else out.replace(b"\n", b" ")


# ------------------------------------------------------------------ deciding hostile lines


def run_lines(lines: list[bytes], deciders: dict[str, Any], tally: Tally) -> None:
    """Decide JSON lines as `eval` streams them, with every engine given, and count failures:
    one decision per line, in order (ids echoed where the line kept its id), identical JSON from
    every engine, nothing E499, everything writable as UTF-8, no line over `HANG_SECONDS`."""
    from policylang.eval import runner

    stream = b"".join(line + b"\n" for line in lines)
    expected = [line for line in stream.split(b"\n") if line.strip()]
    rendered: dict[str, list[str]] = {}
    for name, decider in deciders.items():
        try:
            units = list(runner._line_units(io.BytesIO(stream), "fuzz.jsonl"))
        except Exception as exc:
            tally.keep("internal", (f"reading: {type(exc).__name__}: {exc}", stream[:2000]))
            return
        out = rendered[name] = []
        for unit in units:
            shown = unit[1][:2000] if isinstance(unit[1], bytes) else unit
            started = time.perf_counter()
            try:
                text = decider.decide(unit, "jsonl").text
                text.encode("utf-8")
            except Exception as exc:
                tally.keep("internal", (f"{name}: {type(exc).__name__}: {exc}", shown))
                out.append("")
                continue
            tally.timed(time.perf_counter() - started, shown)
            if '"E499"' in text:
                tally.keep("internal", (f"{name}: E499", shown, text[:2000]))
            out.append(text)
    tally.inputs += len(expected)
    for name, out in rendered.items():
        if len(out) != len(expected):
            tally.keep("lost", (f"{name}: {len(out)} decisions for {len(expected)} lines", stream[:2000]))
            continue
        # the n-th decision is the n-th line's: the id it echoes is written in that line
        for n, (echoed, source) in enumerate(zip(_ids(out), expected)):
            if isinstance(echoed, str) and json.dumps(echoed, ensure_ascii=False).encode("utf-8", "replace") \
                    not in source and json.dumps(echoed).encode() not in source:
                tally.keep("lost", (f"{name}: decision {n} echoes {echoed!r}, not its line's id", source[:300]))
                break
    texts = list(rendered.values())
    for a, b in zip(texts, texts[1:]):
        for x, y, line in zip(a, b, expected):
            if x != y:
                tally.keep("lost", ("the engines disagree", line[:2000], x[:1000], y[:1000]))


def _ids(texts: list[str]) -> list:
    out = []
    for text in texts:
        try:
            out.append(json.loads(text).get("id"))
        except (ValueError, AttributeError):
            out.append(None)
    return out


# ------------------------------------------------------------------ mutating policies


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

