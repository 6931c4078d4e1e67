"""The Lark façade: text in, AST module (or syntax diagnostics) out.

Takes: a `SourceFile`.
Returns: `(Module | None, diagnostics)`; the module is None when the file has a syntax error.
Guarantees: the parser is built once per process (LALR, contextual lexer, positions propagated);
no `lark` object leaves `policylang.syntax`; a syntax error is a diagnostic with a code, a span
and a hint, never an exception. A file with syntax errors gets one diagnostic for each
independent error, in order, at most `recovery.CAP` (LALR error recovery, `recovery.py`); a
phrase of several words left unfinished (`deny` for `deny in principle`) is reported at its first
word (E015). A text over the `policy_bytes` limit is not parsed (E010); a
parse tree that breaks a limit or holds a bad escape (`bounds.py`) is not made into an AST, so
that nothing after parsing recurses more than `expression_depth` levels.

>>> from policylang.source import SourceFile
>>> module, diags = parse(SourceFile("x.ecp", "def origin = item.origin"))
>>> module.items[0].name, diags
('origin', [])
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import lark

from policylang import ast, limits
from policylang.diagnostics import Diagnostic, error
from policylang.source import SourceFile, Span
from policylang.syntax import bounds, recovery
from policylang.syntax.to_ast import ToAst

GRAMMAR = Path(__file__).with_name("grammar.lark")

# How a terminal is named in "expected …" hints.
_TERMINAL_NAMES = {
    "NAME": "a name", "STRING": "a string", "NUMBER": "a number", "INT": "a whole number",
    "DATE": "a date (YYYY-MM-DD)", "CODE": "a control code", "ANN_ID": "an announcement id",
    "CLAUSE_ID": "a clause number", "UNIT": "a unit", "COMP_OP": "a comparison",
    "ADD_OP": "`+` or `-`", "MUL_OP": "`*` or `/`", "LANG": "`zh` or `en`",
    "QUANTIFIER": "`any` or `all`", "AGGREGATE": "`sum`, `count`, `min` or `max`",
    "LICENSE": "`license`", "WORKING": "`working`",
}


@functools.cache
def _parser() -> lark.Lark:
    return lark.Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                     propagate_positions=True, maybe_placeholders=True, cache=False,
                     start=["start", "expr"])


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return name.lower()
    if isinstance(pattern, lark.lexer.PatternStr):
        return f"`{pattern.value}`"
    return name.lower()


def _expected_hint(expected: set[str]) -> str | None:
    names = sorted({_describe_terminal(t) for t in expected if not t.startswith("$")})
    if not names:
        return None
    if len(names) > 8:
        names = names[:8] + ["…"]
    return "expected " + ", ".join(names)


# The grammar rules whose alternatives are phrases of several words that must be written whole.
_PHRASE_RULES = ("effect", "obligation_kind")


@functools.cache
def _phrases() -> dict[str, tuple[str, ...]]:
    """Each phrase of several words of an effect or a duty: first terminal -> the terminals after it.

    Read from the grammar, so that a new effect needs no entry here.
    """
    phrases = {}
    for rule in _parser().rules:
        words = [symbol.name for symbol in rule.expansion]
        if rule.origin.name in _PHRASE_RULES and len(words) > 1 and all(w.isupper() for w in words):
            phrases[words[0]] = tuple(words[1:])
    return phrases


def _word(terminal: str) -> str:
    """The keyword a terminal stands for, as written in a policy (`LICENSE` -> `license`)."""
    if terminal == "LICENSE":
        return "license"
    pattern = _parser().get_terminal(terminal).pattern
    return pattern.value if isinstance(pattern, lark.lexer.PatternStr) else terminal.lower()


def _phrase_diagnostic(file: SourceFile, found: recovery.Found) -> Diagnostic | None:
    """E015 at the first word of a phrase the error breaks off (`deny` then `}`), else None."""
    exc = found.error
    if not isinstance(exc, lark.exceptions.UnexpectedToken):
        return None
    head, missing = recovery.unfinished_phrase(found.before, exc.token, _phrases())
    if not missing:
        return None
    written = " ".join(_word(t.type) for t in head)
    rest = " ".join(_word(t) for t in missing)
    kind = _rule_words()[_word(head[0].type)]
    return error("E015", Span(file, head[0].start_pos, head[-1].end_pos), word=written,
                 missing=f"`{rest}`", phrase=f"{written} {rest}",
                 help=f"{kind} of several words is written whole")


@functools.cache
def _rule_words() -> dict[str, str]:
    """The first word of each effect and duty (`require`, `report`, …) -> `an effect` or `a duty`."""
    words = {}
    for rule in _parser().rules:
        if rule.origin.name in _PHRASE_RULES and rule.expansion and rule.expansion[0].name.isupper():
            words[_word(rule.expansion[0].name)] = "an effect" if rule.origin.name == "effect" else "a duty"
    return words


def _keyword_as_name(file: SourceFile, found: recovery.Found) -> Diagnostic | None:
    """E001 at an effect's or duty's first word that was read as a name, else None.

    Where a condition is expected, `require` is a name (the contextual lexer has no keyword
    there), so `when x and` then `require license` fails only at `license`: the mistake is the
    unfinished condition before `require`, and the diagnostic says so there.
    """
    if not found.before or not isinstance(found.error, lark.exceptions.UnexpectedToken):
        return None
    word = found.before[-1]
    kind = _rule_words().get(str(word.value)) if word.type == "NAME" else None
    if kind is None:
        return None
    return error("E001", Span(file, word.start_pos, word.end_pos), found=f"`{word.value}`",
                 help=f"a condition is missing or unfinished before `{word.value}`, which starts {kind}")


def _outside_announcement(file: SourceFile, found: recovery.Found) -> Diagnostic | None:
    """E001 at a clause outside every announcement, with a hint at a `}` too many, else None."""
    exc = found.error
    if not isinstance(exc, lark.exceptions.UnexpectedToken) or \
            not recovery.outside_announcement(exc.token, set(exc.expected)):
        return None
    token = exc.token
    return error("E001", Span(file, token.start_pos, token.end_pos), found=f"`{token.value}`",
                 help="a clause stands inside an `announcement … { }`: is a `}` above it one too many, "
                      "closing the announcement early?")


def _syntax_diagnostic(file: SourceFile, exc: lark.exceptions.LarkError) -> Diagnostic:
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        offset = exc.pos_in_stream
        char = file.text[offset] if offset < len(file.text) else ""
        return error("E002", Span(file, offset, offset + 1), char=char,
                     help=_expected_hint(set(exc.allowed or ())))
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            end = len(file.text)
            return error("E004", Span(file, max(0, end - 1), end),
                         help=_expected_hint(set(exc.expected)) or "the file ends too early")
        found = f"`{token.value}`"
        return error("E001", Span(file, token.start_pos, token.end_pos), found=found,
                     help=_expected_hint(set(exc.expected)))
    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        end = len(file.text)
        return error("E004", Span(file, max(0, end - 1), end),
                     help=_expected_hint(set(exc.expected)))
    raise exc  # an internal fault of the grammar, not the user's


def _to_ast(file: SourceFile, start: str):
    """The AST of the text under one start symbol of the grammar, or the diagnostics."""
    size = len(file.text.encode("utf-8", "surrogatepass"))
    if size > limits.current().policy_bytes:
        return None, [too_large(file, size)]
    try:
        tree = _parser().parse(file.text, start=start)
    except lark.exceptions.UnexpectedInput:
        found = recovery.all_errors(_parser(), file.text, start, _phrases())
        return None, [_phrase_diagnostic(file, f) or _keyword_as_name(file, f) or _outside_announcement(file, f)
                      or _syntax_diagnostic(file, f.error) for f in found]
    found = bounds.check(tree, file)
    if found:
        return None, found
    builder = ToAst(file)
    result = builder.transform(tree)
    return (None, builder.diagnostics) if builder.diagnostics else (result, [])


def too_large(file: SourceFile, size: int) -> Diagnostic:
    """E010 for a file over `policy_bytes`, placed at its start."""
    return error("E010", Span(file, 0, 0), size=size, limit=limits.current().policy_bytes,
                 help="split it into several files, or raise the limit: `--limit policy_bytes=N`")


def parse_expression(file: SourceFile) -> tuple[ast.Expr | None, list[Diagnostic]]:
    """Parse a file that holds one expression (an `--assume` condition, say), spans in that file.

    >>> expr, _ = parse_expression(SourceFile("a.txt", "date >= 2025-01-01"))
    >>> type(expr).__name__, expr.span.line
    ('Compare', 1)
    """
    return _to_ast(file, "expr")


def parse(file: SourceFile) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse one file into an AST module."""
    items, diags = _to_ast(file, "start")
    if items is None:
        return None, diags
    name = Path(file.path).stem
    return ast.Module(name, file.path, tuple(items), span=Span(file, 0, len(file.text))), []


_COMMENTS_LOCK = threading.Lock()


@functools.cache
def _commented_parser() -> tuple[lark.Lark, list]:
    sink: list = []
    parser = lark.Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                       propagate_positions=True, maybe_placeholders=True, cache=False,
                       lexer_callbacks={"COMMENT": sink.append})
    return parser, sink


def parse_with_comments(file: SourceFile) -> tuple[ast.Module | None, list[Diagnostic], tuple[Span, ...]]:
    """Parse like `parse`, and also return the span of every `# …` comment, in order.

    The formatter needs the comments that `parse` drops. The AST and diagnostics are those
    `parse` returns for the same text; the comments are found even when the file has an error
    after them.

    >>> module, diags, comments = parse_with_comments(SourceFile("x.ecp", "import a  # why"))
    >>> [c.text() for c in comments]
    ['# why']
    """
    parser, sink = _commented_parser()
    with _COMMENTS_LOCK:  # the sink is shared by every call
        sink.clear()
        try:
            parser.parse(file.text)
        except lark.exceptions.UnexpectedInput:
            pass
        comments = tuple(Span(file, t.start_pos, t.end_pos) for t in sink)
        sink.clear()
    module, diags = parse(file)
    return module, diags, comments
