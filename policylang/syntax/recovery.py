"""Every independent syntax error of a file, found in one run by LALR error recovery.

Takes: the built Lark parser, a text and a start symbol, once a plain parse has failed.
Returns: the `lark` errors in order of position, at most `cap`, each with the tokens that were
shifted just before it (so that a diagnostic can point at an unfinished phrase such as `deny`).
Guarantees: no tree is built (the parse runs without callbacks); an error is reported only where
the parser had shifted `SURVIVE` tokens since it last recovered, so a recovery never shows up as
errors of its own; the first error is the one a plain parse raises.

Recovery, at an unexpected token, tries in turn:

1. a local repair: finish a phrase of several words (`deny` → `deny in principle`), reopen an
   announcement for a clause found outside one (a `}` too many above it closed the announcement
   early: the clauses after it are still read as the announcement's), drop the token, replace it
   by one the parser expects, or insert one before it; of these, the one after which the parser
   gets furthest (looking `HORIZON` tokens ahead);
2. panic mode: read on, token by token; a token the current state accepts resumes the parse, a
   synchronising token (`}`, or a keyword that opens a declaration or a clause property) may also
   resume it after popping the states of the unfinished construct, innermost first.

A repair is taken only if the parser then shifts `SURVIVE` more tokens (or ends the file
cleanly) without an error: this is what keeps one mistake from being reported several times.
"""

from __future__ import annotations

from collections import deque
from copy import copy

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Token

SURVIVE = 5
HORIZON = 40
CAP = 20

# Tokens where a construct of the grammar starts or ends: panic mode may pop states to resume at
# one. Named by the keyword; `_sync_types` turns them into the grammar's terminal names.
_SYNC_WORDS = ("}", "announcement", "clause", "def", "enum", "record", "entities", "import",
               "invalid", "invariant", "test", "accept", "checked", "placeholder", "text",
               "source", "url", "provenance", "disputed", "effective", "until", "issued",
               "title", "authority", "when", "exception", "refines", "controls", "classify",
               "suspend", "repeal", "expect")


class Found:
    """One syntax error: the `lark` exception and the tokens shifted just before it."""

    __slots__ = ("error", "before")

    def __init__(self, error: UnexpectedInput, before: tuple[Token, ...]):
        self.error = error
        self.before = before


def _sync_types(parser: lark.Lark) -> frozenset[str]:
    types = set()
    for terminal in parser.terminals:
        pattern = terminal.pattern
        if isinstance(pattern, lark.lexer.PatternStr) and pattern.value in _SYNC_WORDS:
            types.add(terminal.name)
    return frozenset(types)


def _position(error: UnexpectedInput) -> int:
    if isinstance(error, UnexpectedToken):
        return error.token.start_pos or 0
    return error.pos_in_stream


def _next_token(ip) -> Token | None:
    """The next token of the text as the current state lexes it; None at the end of the text."""
    while True:
        try:
            return next(iter(ip.lexer_thread.lex(ip.parser_state)))
        except StopIteration:
            return None
        except UnexpectedToken as exc:     # a token of another context: consumed, returned as is
            return exc.token
        except UnexpectedCharacters:      # a character no token starts with: skip it
            _skip_character(ip)


def _skip_character(ip) -> None:
    """Move the lexer past the character it stands at (one no token starts with)."""
    state = ip.lexer_thread.state
    at = state.line_ctr.char_pos
    state.line_ctr.feed(state.text.text[at:at + 1])


def _reach(ip, last: Token | None, limit: int) -> int:
    """How many more tokens of the text the parser shifts without error, at most `limit`.

    Ending the text cleanly counts as `limit`: nothing further can go wrong.
    """
    probe = ip.copy(deepcopy_values=False)
    tokens = probe.lexer_thread.lex(probe.parser_state)    # lexes in the state the parser is in
    shifted = 0
    try:
        while shifted < limit:
            token = next(tokens, None)
            if token is None:
                probe.feed_eof(last)
                return limit
            probe.feed_token(token)
            last = token
            shifted += 1
    except UnexpectedInput:
        pass
    return shifted


def _survives(ip, last: Token | None) -> bool:
    """Whether the parser shifts `SURVIVE` more tokens of the text, or ends it, without error."""
    return _reach(ip, last, SURVIVE) == SURVIVE


def _fed(ip, tokens: list[Token]):
    """A copy of the parser that has taken `tokens`, or None if one of them is refused."""
    probe = ip.copy(deepcopy_values=False)
    try:
        for token in tokens:
            probe.feed_token(token)
    except UnexpectedToken:
        return None
    return probe


def _fake(kind: str, where: Token) -> Token:
    return Token.new_borrow_pos(kind, "", where)


def _local_repair(ip, bad: Token, before: deque, phrases: dict[str, tuple[str, ...]]):
    """The parser after the repair at `bad` that lets it go on furthest, or None.

    Each candidate is judged by how many tokens after it parse (up to `HORIZON`): `military,user`
    is better mended as `military or user` than as `military { user`, which fails a line later.
    On a tie the first candidate wins: finishing a phrase, reopening an announcement, dropping
    the token, replacing it, inserting before it.
    """
    candidates: list[list[Token]] = []
    _, missing = unfinished_phrase(tuple(before), bad, phrases)
    if missing:
        candidates.append([_fake(kind, bad) for kind in missing] + [bad])
    expected = sorted(ip.accepts() - {"$END"})
    if outside_announcement(bad, expected):                             # reopen the announcement
        candidates.append([_fake(kind, bad) for kind in ("ANNOUNCEMENT", "ANN_ID", "LBRACE")] + [bad])
    candidates.append([])                                               # drop
    candidates += [[_fake(kind, bad)] for kind in expected]            # replace
    candidates += [[_fake(kind, bad), bad] for kind in expected]       # insert before
    best, best_reach = None, SURVIVE - 1
    for tokens in candidates:
        probe = _fed(ip, tokens)
        if probe is None:
            continue
        reach = _reach(probe, bad, HORIZON)
        if reach > best_reach:
            best, best_reach = probe, reach
        if reach == HORIZON:
            break
    return best


def _panic(ip, sync: frozenset[str]):
    """Read on until a token lets the parser resume (popping states at a synchronising token)."""
    while True:
        token = _next_token(ip)
        if token is None:
            return None
        probe = _fed(ip, [token])
        if probe is not None and _survives(probe, token):
            return probe
        if token.type not in sync:
            continue
        stack = ip.parser_state.state_stack
        for depth in range(1, len(stack)):
            popped = ip.copy(deepcopy_values=False)
            del popped.parser_state.state_stack[-depth:]
            del popped.parser_state.value_stack[-depth:]
            probe = _fed(popped, [token])
            if probe is not None and _survives(probe, token):
                return probe


def outside_announcement(bad: Token, expected) -> bool:
    """Whether `bad` is a clause where only declarations may stand: outside every announcement."""
    return bad.type == "CLAUSE" and "ANNOUNCEMENT" in expected and "CLAUSE" not in expected


def _misspelt_word(token: Token) -> bool:
    """A word that is no keyword: lexed as a name, a clause number or a unit (`permit`)."""
    return str(token.value).isidentifier() and token.type != str(token.value).upper()


def unfinished_phrase(before: tuple[Token, ...], bad: Token,
                      phrases: dict[str, tuple[str, ...]]) -> tuple[tuple[Token, ...], tuple[str, ...]]:
    """The words of a phrase that `before` ends with and `bad` breaks, and the terminals missing.

    `phrases` maps a phrase's first terminal to the terminals that follow it (`DENY` → `IN`,
    `PRINCIPLE`). A word on the same line that is no keyword (`deny in principal`) is a misspelling,
    not a missing word: `((), ())` is returned for it, as for no phrase at all.
    """
    for start in range(len(before)):
        head = before[start:]
        rest = phrases.get(head[0].type)
        if rest is None or len(head) > len(rest):
            continue
        if tuple(t.type for t in head[1:]) != rest[:len(head) - 1]:
            continue
        missing = rest[len(head) - 1:]
        if bad.type == missing[0]:
            continue
        if _misspelt_word(bad) and bad.line == head[-1].line:
            continue
        return head, missing
    return (), ()


def _feed_or_restore(state, token: Token) -> None:
    """Feed `token`; if it is refused, undo the reductions LALR made before it found out.

    An LALR table may reduce on a lookahead it then cannot shift (`military,` reduces `military`
    up to a whole condition first); recovery must start from the state before those reductions,
    where `military or …` can still be repaired.
    """
    states, values = list(state.state_stack), list(state.value_stack)
    try:
        state.feed_token(token)
    except UnexpectedToken:
        state.state_stack[:] = states
        state.value_stack[:] = values
        raise


def all_errors(parser: lark.Lark, text: str, start: str,
               phrases: dict[str, tuple[str, ...]], cap: int = CAP) -> list[Found]:
    r"""Every independent syntax error of `text`, in order, at most `cap`.

    >>> from policylang.syntax.parser import _parser, _phrases
    >>> text = "def a = 1 $ 2\ndef b: bool = true\ndef c: bool = false\ndef d = 3 3\n"
    >>> [(f.error.line, f.error.column) for f in all_errors(_parser(), text, "start", _phrases())]
    [(1, 11), (4, 11)]
    """
    ip = parser.parse_interactive(text, start=start)
    conf = copy(ip.parser_state.parse_conf)
    conf.callbacks = {}                    # recognise only: no tree is built
    ip.parser_state.parse_conf = conf
    sync = _sync_types(parser)
    found: list[Found] = []
    before: deque = deque(maxlen=4)
    last: Token | None = None
    while len(found) < cap:
        try:
            for token in ip.lexer_thread.lex(ip.parser_state):
                _feed_or_restore(ip.parser_state, token)
                if last is not None:
                    before.append(last)
                last = token
            ip.feed_eof(last)
            break
        except UnexpectedToken as exc:
            if last is not None and exc.token is not last:    # refused by the lexer: last was shifted
                before.append(last)
            found.append(Found(exc, tuple(before)))
            if exc.token.type == "$END":
                break
            resumed = _local_repair(ip, exc.token, before, phrases) or _panic(ip, sync)
        except UnexpectedCharacters as exc:
            if last is not None:
                before.append(last)
            found.append(Found(exc, tuple(before)))
            _skip_character(ip)
            resumed = ip if _survives(ip, last) else _panic(ip, sync)
        if resumed is None:
            break
        ip, last = resumed, None
        before.clear()
    return sorted(found, key=lambda f: _position(f.error))
