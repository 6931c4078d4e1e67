"""What a parsed file must keep within before it becomes an AST: nesting, sizes, escapes.

Takes: the Lark parse tree of one file and its `SourceFile`; the limits in force
(`policylang.limits`).
Returns: diagnostics, each placed at the construct it is about: a construct nested more than
`expression_depth` levels (E007), a string literal over `string_length` characters (E005), a
bad escape sequence (E006), a number with more than `decimal_digits` digits (E008), a name over
`name_length` characters (E011), `within N days` over `due_days` (E014).
Guarantees: the walk is iterative, so any nesting is measured without recursion; every later
stage (the tree-to-AST transformer, the checker, both engines, the formatter, the analysis)
recurses at most `expression_depth` levels into a file that passed. String escapes are one
grammar (`ESCAPE`), shared with the transformer that decodes them: `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`,
`\\xHH`, `\\uHHHH` and `\\UHHHHHHHH` naming a character (not a surrogate); triple-quoted strings
take no escapes.

>>> ESCAPE.sub(decode_escape, r'say \\"hi\\" \\u4e2d')
'say "hi" 中'
>>> [m.group() for m in ESCAPE.finditer(r'a \\q b \\x4') if decode_escape(m) is None]
['\\\\q', '\\\\x4']
"""

from __future__ import annotations

import re

from lark import Token, Tree

from policylang import limits
from policylang.diagnostics import Diagnostic, error
from policylang.source import SourceFile, Span

ESCAPE = re.compile(r"\\(?:([\"\\nrt])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([xuU][0-9a-fA-F]*|N\{[^}\n]*\}?|.?))",
                    re.S)
_SIMPLE = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
ESCAPES_HELP = ("the escapes are `\\\"`, `\\\\`, `\\n`, `\\r`, `\\t`, `\\xHH`, `\\uHHHH` and `\\UHHHHHHHH`; "
                "or write the character itself")
NAMES = frozenset({"NAME", "CLAUSE_ID", "ANN_ID", "CODE", "UNIT"})
NUMBERS = frozenset({"NUMBER", "INT"})


def decode_escape(match: re.Match) -> str | None:
    """The character an escape sequence stands for, or None when it stands for none."""
    simple, byte, short, long, _ = match.groups()
    if simple is not None:
        return _SIMPLE[simple]
    if byte is not None:
        return chr(int(byte, 16))
    if short is None and long is None:
        return None
    code = int(short or long, 16)
    return None if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF else chr(code)


def unquote(token: str) -> str:
    """The text a string literal stands for (a bad escape, already reported, is kept as written)."""
    if token.startswith('"""'):
        return token[3:-3]
    body = token[1:-1]
    if "\\" not in body:
        return body
    return ESCAPE.sub(lambda m: decode_escape(m) or m.group(), body)


def check(tree: Tree, file: SourceFile) -> list[Diagnostic]:
    """Every limit and escape the parse tree breaks, placed."""
    bounds = limits.current()
    found: list[Diagnostic] = []
    too_deep: dict[int, Span] = {}     # per top-level item, the first place nested too deeply
    stack: list[tuple[Tree, int, int]] = [(tree, 1, -1)]
    while stack:
        node, depth, item = stack.pop()
        if depth > bounds.expression_depth:
            span = _span(file, node)
            if item not in too_deep or span.start < too_deep[item].start:
                too_deep[item] = span
            continue
        if node.data == "due":
            _due(node, file, bounds, found)
        for n, child in enumerate(node.children):
            if isinstance(child, Tree):
                stack.append((child, depth + 1, n if depth == 1 else item))
            elif isinstance(child, Token):
                _token(child, file, bounds, found)
    for span in too_deep.values():
        found.append(error("E007", span, limit=bounds.expression_depth,
                           help="name a part of it with `def`, or split a long `and`/`or`/`+` chain"))
    return found


def _token(token: Token, file: SourceFile, bounds: limits.Limits, found: list[Diagnostic]) -> None:
    kind, text = token.type, str(token)
    if kind == "STRING":
        size = len(text) - (6 if text.startswith('"""') else 2)
        if size > bounds.string_length:
            found.append(error("E005", _tspan(file, token, 0, 1), size=size, limit=bounds.string_length,
                               help="quote less of the text, or raise the limit: `--limit string_length=N`"))
        elif "\\" in text and not text.startswith('"""'):
            for m in ESCAPE.finditer(text, 1, len(text) - 1):
                if decode_escape(m) is None:
                    found.append(error("E006", _tspan(file, token, m.start(), m.end()), escape=m.group(),
                                       help=ESCAPES_HELP))
    elif kind in NAMES and len(text) > bounds.name_length:
        found.append(error("E011", _tspan(file, token, 0, 1), size=len(text), limit=bounds.name_length,
                           help="use a shorter name"))
    elif kind in NUMBERS and len(text.replace(".", "").lstrip("0")) > bounds.decimal_digits:
        found.append(error("E008", _tspan(file, token, 0, 1), size=len(text), limit=bounds.decimal_digits,
                           help="numbers of the law need no more digits"))


def _due(node: Tree, file: SourceFile, bounds: limits.Limits, found: list[Diagnostic]) -> None:
    days = next((c for c in node.children if isinstance(c, Token) and c.type == "INT"), None)
    if days is not None and len(str(days)) <= 12 and int(str(days)) > bounds.due_days:
        working = " working" if any(isinstance(c, Token) and c.type == "WORKING" for c in node.children) else ""
        found.append(error("E014", Span(file, days.start_pos, days.end_pos), days=f"{days}{working}",
                           limit=bounds.due_days,
                           help="a due date is at most this many days away; raise the limit: `--limit due_days=N`"))


def _span(file: SourceFile, node: Tree) -> Span:
    meta = node.meta
    if getattr(meta, "empty", True):
        return Span(file, 0, 0)
    return Span(file, meta.start_pos, min(meta.end_pos, meta.start_pos + 1))


def _tspan(file: SourceFile, token: Token, start: int, end: int) -> Span:
    return Span(file, token.start_pos + start, token.start_pos + end)
