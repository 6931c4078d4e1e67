"""Raw cases: the bytes and text of case inputs, read as the JSON grammar writes them, within limits.

Takes: the text of a `.json` document (one case, an array of cases, or several JSON values one
after another), the text of a `.jsonl` file, or the bytes of one JSON line; and the limits in
force (`policylang.limits`).
Returns: `RawCase` values: the parsed JSON with the problems found in it (a case that breaks a
limit, holds text that is not Unicode, or repeats a key: errors naming the field), or the error
that stopped parsing.
Guarantees:
- one `RawCase` for every case the input holds, in order, whatever the bytes: JSON lines are
  split on `\\n` alone (U+2028, U+0085, U+001E and every other character are text); a line,
  or a document, that is not UTF-8 is read with its bad bytes kept apart, so that the string
  holding them is that case's error (E519) and no other's; a UTF-8 BOM is skipped;
- numbers are JSON numbers, read as decimals; `NaN` and `Infinity` are not JSON and are refused;
- nothing is walked, decoded or echoed without a bound: every case is screened (iteratively) for
  its depth (E517), the length of its strings and keys (E515) and lists (E516), before any reader
  recurses into it; a JSON line over `case_bytes` is not parsed (E518);
- a key given twice in one object is an error (E520) naming the object: JSON parsers disagree
  about which value wins, so the case is ambiguous;
- `case_id` is the case's `id` as given, any JSON value, unless the id itself is at fault.

>>> [r.origin for r in split_cases('{"id": 1}\\n{"id": 2}\\n', "two.json")]
['two.json:1', 'two.json:2']
>>> split_cases('{"id": "a", "id": "b"}', "x.json")[0].problems[0].message
'the key `id` is given more than once'
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import attrs

from policylang import limits
from policylang.diagnostics import Diagnostic, error

BOM = "\ufeff"
MAX_PROBLEMS = 20          # problems reported for one case; the rest are counted in the last
SHOWN_KEY = 60             # characters of a key shown in a path
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


@attrs.frozen
class RawCase:
    """One case as found in the input: the parsed JSON (or the error that stopped parsing), and
    the problems that make it unreadable (limits, text that is not Unicode, repeated keys)."""
    data: Any
    origin: str
    parse_error: str | None = None
    problems: tuple[Diagnostic, ...] = ()


# ------------------------------------------------------------------ the JSON grammar


class _Repeated(dict):
    """An object in which some key was given more than once (the last value kept)."""
    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        twice = [k for k, _ in pairs if k in seen or seen.add(k)]
        found = _Repeated(found)
        found.repeated = tuple(dict.fromkeys(twice))
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON number")


# Built once: `json.loads` with options builds a new decoder per call.
DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal, parse_constant=_no_constant,
                           object_pairs_hook=_object)


def decode(text: str) -> Any:
    """One JSON value, numbers as decimals; `ValueError` (or `RecursionError`) when it is not one."""
    return DECODER.decode(text)


# ------------------------------------------------------------------ one JSON line


def from_line(line: bytes, origin: str) -> RawCase:
    """The case one JSON line holds: parsed and screened, or the error that stopped it."""
    bounds = limits.current()
    if len(line) > bounds.case_bytes and len(line.rstrip(b"\r\n")) > bounds.case_bytes:
        return too_long(origin, len(line.rstrip(b"\r\n")))
    try:
        text, clean = line.decode("utf-8"), True
    except UnicodeDecodeError:
        text, clean = line.decode("utf-8", "surrogateescape"), False
    try:
        data = DECODER.decode(text)
    except RecursionError:
        return RawCase(None, origin, problems=(_deep("", bounds),))
    except ValueError as exc:
        return RawCase(None, origin, _syntax(exc, text, clean, lines=False))
    # A line that is short, has few brackets and commas and escapes nothing cannot break a limit
    # nor hold a bad character: most lines are not walked at all.
    if (clean and type(data) is dict and len(line) <= min(bounds.text_length, bounds.list_length)
            and line.count(b"{") + line.count(b"[") <= bounds.case_depth and b"\\u" not in line):
        return RawCase(data, origin)
    return RawCase(data, origin, problems=screen(data))


def too_long(origin: str, size: int) -> RawCase:
    """The case of a line over `case_bytes`, which is not parsed."""
    bound = limits.current().case_bytes
    return RawCase(None, origin, problems=(error("E518", path="", what="case", size=size, limit=bound,
                                                 help="split it, or raise the limit: `--limit case_bytes=N`"),))


def _syntax(exc: ValueError, text: str, clean: bool, lines: bool) -> str:
    if not clean and isinstance(exc, json.JSONDecodeError) and _SURROGATE.search(text[: exc.pos + 1]):
        return "the input is not UTF-8 here"
    msg = getattr(exc, "msg", None) or str(exc)
    if not isinstance(exc, json.JSONDecodeError):
        return msg
    return f"{msg} at line {exc.lineno} column {exc.colno}" if lines else f"{msg} at column {exc.colno}"


def _deep(path: str, bounds: limits.Limits) -> Diagnostic:
    return error("E517", path=path, where=f"`{path}`" if path else "the case", limit=bounds.case_depth,
                 help="flatten it, or raise the limit: `--limit case_depth=N`")


# ------------------------------------------------------------------ documents


def split_cases(text: str, name: str) -> list[RawCase]:
    """The cases of one input: a JSON object or array, several JSON values one after another, or
    JSON lines (by name, or by shape when the text is not JSON but each line is an object)."""
    if text.startswith(BOM):
        text = text[1:]
    clean = not _SURROGATE.search(text)
    if name.endswith(".jsonl"):
        return split_lines(text, name)
    values, stopped = _values(text)
    if stopped is not None and _looks_like_lines(text):
        return split_lines(text, name)
    if len(values) == 1 and stopped is None:
        data = values[0][0]
        if type(data) is list:
            return [_screened(d, f"{name}[{i}]") for i, d in enumerate(data)]
        return [_screened(data, name)]
    if not values:
        return [RawCase(None, name, _syntax(stopped, text, clean, lines=True))]
    found = [_screened(d, f"{name}:{line}") for d, line in values]
    if stopped is not None:
        line = text.count("\n", 0, getattr(stopped, "pos", len(text))) + 1
        found.append(RawCase(None, f"{name}:{line}", _syntax(stopped, text, clean, lines=True)))
    return found


def split_lines(text: str, name: str) -> list[RawCase]:
    """JSON lines, split on `\\n` alone."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip(" \t\r"):
            out.append(from_line(line.encode("utf-8", "surrogateescape"), f"{name}:{number}"))
    return out


def _values(text: str) -> tuple[list[tuple[Any, int]], ValueError | RecursionError | None]:
    """The JSON values of a text, one after another, each with the line it starts on; and the
    error that stopped reading, if one did."""
    values: list[tuple[Any, int]] = []
    at = _JSON_SPACE.match(text).end()
    if at == len(text):
        return values, json.JSONDecodeError("Expecting value", text, at)
    while at < len(text):
        try:
            value, end = DECODER.raw_decode(text, at)
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, RecursionError):
                exc = json.JSONDecodeError("nested too deeply to read", text, at)
            return values, exc
        values.append((value, text.count("\n", 0, at) + 1))
        at = _JSON_SPACE.match(text, end).end()
    return values, None


def _looks_like_lines(text: str) -> bool:
    lines = [line.strip(" \t\r") for line in text.split("\n")]
    lines = [line for line in lines if line]
    return len(lines) > 1 and all(line.startswith("{") for line in lines)


def _screened(data: Any, origin: str) -> RawCase:
    return RawCase(data, origin, problems=screen(data))


# ------------------------------------------------------------------ screening


def screen(data: Any) -> tuple[Diagnostic, ...]:
    """What makes a parsed case unreadable before any reader looks at it: depth, sizes, text that
    is not Unicode, repeated keys. Iterative, so that no nesting can exhaust the stack."""
    bounds = limits.current()
    found: list[Diagnostic] = []
    stack: list[tuple[Any, int, tuple | None]] = [(data, 1, None)]
    while stack and len(found) <= MAX_PROBLEMS:
        value, depth, trail = stack.pop()
        kind = type(value)
        if kind is str:
            _text(value, trail, bounds, found)
        elif kind is list:
            if depth > bounds.case_depth:
                found.append(_deep(_path(trail), bounds))
            elif len(value) > bounds.list_length:
                found.append(error("E516", path=_path(trail), field=_path(trail) or "the case",
                                   size=len(value), limit=bounds.list_length,
                                   help="raise the limit: `--limit list_length=N`"))
            else:
                stack += [(v, depth + 1, (trail, i)) for i, v in reversed(list(enumerate(value)))]
        elif kind is dict or kind is _Repeated:
            if depth > bounds.case_depth:
                found.append(_deep(_path(trail), bounds))
                continue
            if kind is _Repeated:
                for key in value.repeated:
                    found.append(error("E520", path=_path((trail, key)), key=_shown(key),
                                       help="give each key once: JSON readers differ on which value wins"))
            for key in reversed(list(value)):
                step = (trail, key)
                _text(key, step, bounds, found)
                stack.append((value[key], depth + 1, step))
    if len(found) > MAX_PROBLEMS:
        found[MAX_PROBLEMS:] = [error("E521", path="", count=len(found) - MAX_PROBLEMS)]
    return tuple(found)


def _text(value: str, trail: tuple | None, bounds: limits.Limits, found: list) -> None:
    if len(value) > bounds.text_length:
        found.append(error("E515", path=_path(trail), field=_path(trail) or "the case", size=len(value),
                           limit=bounds.text_length, help="raise the limit: `--limit text_length=N`"))
    elif not value.isascii() and _SURROGATE.search(value):
        found.append(error("E519", path=_path(trail), field=_path(trail) or "the case",
                           help="the input holds bytes that are not UTF-8, or a lone surrogate such as `\\ud800`"))


def _path(trail: tuple | None) -> str:
    """`item.contains[0].value` from a trail of (parent trail, key or index)."""
    steps = []
    while trail is not None:
        trail, step = trail
        steps.append(f"[{step}]" if type(step) is int else "." + _shown(step))
    return "".join(reversed(steps)).lstrip(".")


def _shown(key: str) -> str:
    """A key as a path shows it: bad characters replaced, long keys cut."""
    key = _SURROGATE.sub("\ufffd", key)
    return key if len(key) <= SHOWN_KEY else key[: SHOWN_KEY - 1] + "…"


def case_id(raw: RawCase) -> Any:
    """The `id` a decision echoes: any JSON value as given; None when the id itself is at fault
    (its error names it) or the case is no object."""
    data = raw.data
    if not isinstance(data, dict):
        return None
    if raw.problems and any(_within(p.path, "id") for p in raw.problems):
        return None
    return data.get("id")


def _within(path: str | None, field: str) -> bool:
    return path is not None and (path == field or path.startswith((field + ".", field + "[")))


def json_text(value: Any, indent: int | None, level: int = 0) -> str:
    """A JSON value as `json.dumps(value, ensure_ascii=False, indent=indent)` writes it, decimals
    as the JSON numbers they were read from (nesting is bounded by the `case_depth` limit).

    >>> json_text({"n": [Decimal("1E+999999999"), Decimal("0.10")]}, None)
    '{"n": [1E+999999999, 0.10]}'
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, dict)) and value:
        items = ([f"{json.dumps(k, ensure_ascii=False)}: {json_text(v, indent, level + 1)}" for k, v in value.items()]
                 if isinstance(value, dict) else [json_text(v, indent, level + 1) for v in value])
        opening, closing = "{}" if isinstance(value, dict) else "[]"
        if indent is None:
            return opening + ", ".join(items) + closing
        inner, outer = "\n" + " " * (indent * (level + 1)), "\n" + " " * (indent * level)
        return opening + inner + ("," + inner).join(items) + outer + closing
    return json.dumps(value, ensure_ascii=False)
