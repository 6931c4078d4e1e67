"""Hostile cases, and the harness that feeds them to policylang: the fuzzing of issue 11.

Takes: a `random.Random` (Hypothesis's own, `st.randoms()`, in the test suite; a seeded one in
`fuzz/run.py`, the large run on demand) and a budget.
Returns: hostile JSON lines (`hostile_line`) made from realistic cases (`testing/mix.py`) with a
value of any JSON type and size put at any path of the schema, or byte-level damage done to the
line (`damage`: bytes flipped, cut, doubled, not UTF-8, a BOM, line separators); `run_lines`,
which decides them as `eval` streams them, with both engines; and `Tally`, what a run found.
Mutated policy files and their harness are `testing/mutants.py`.
Guarantees: a harness (this one, `mutants.run_policy`) never raises on account of the input:
everything it finds is counted in a `Tally`, with the first inputs of each kind of failure kept
for a regression test:
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
    return line if line.strip() else b"{" + line      # damage may cut a line to nothing: still a case


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
        # the n-th decision is the n-th line's: an id it echoes is that line's own id
        for n, (echoed, source) in enumerate(zip(_ids(out), expected)):
            if isinstance(echoed, str) and echoed != _own_id(source):
                tally.keep("lost", (f"{name}: decision {n} echoes {echoed!r}, not its line's id", source[:300]))
                break
    texts = list(rendered.values())
    for a, b in zip(texts, texts[1:]):
        for x, y, line in zip(a, b, expected):
            if x != y:
                tally.keep("lost", ("the engines disagree", line[:2000], x[:1000], y[:1000]))


def _own_id(line: bytes) -> object:
    """The id a line gives, as Python's own JSON reader sees it (an oracle for order only)."""
    try:
        data = json.loads(line.decode("utf-8", "surrogateescape").lstrip("\ufeff"), parse_int=str, parse_float=str)
    except (ValueError, RecursionError):
        return None
    return data.get("id") if isinstance(data, dict) else None


def _ids(texts: list[str]) -> list:
    out = []
    for text in texts:
        try:
            out.append(json.loads(text).get("id"))
        except (ValueError, AttributeError):
            out.append(None)
    return out
