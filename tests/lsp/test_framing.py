"""The framer, fed bytes directly (no server): each case is a byte stream and the events it must
give, read whole and again one byte at a time; properties check any chunking, any corruption of
one frame among good ones, and stray bytes, with the framer's memory bounded throughout."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylang.lsp.framing import (HEAD, INVALID_REQUEST, MAX_HEADERS, PARSE_ERROR, Framer,
                                    FramingError, Message)


def request(i: int, text: str = "") -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": "textDocument/hover",
                       "params": {"textDocument": {"uri": "untitled:a"}, "text": text,
                                  "position": {"line": 0, "character": 0}}}).encode("utf-8")


NOTE = json.dumps({"jsonrpc": "2.0", "method": "initialized", "params": {}}).encode()
RESPONSE = json.dumps({"jsonrpc": "2.0", "id": 5, "result": None}).encode()
UTF8 = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "m", "params": "中文"}, ensure_ascii=False).encode()


def frame(body: bytes, shift: int = 0, headers: bytes | None = None) -> bytes:
    if headers is None:
        headers = f"Content-Length: {len(body) + shift}\r\n\r\n".encode()
    return headers + body


def length(body: bytes) -> bytes:
    return f"Content-Length: {len(body)}\r\n".encode()


def M(i):
    return ("message", i)


def E(i, code=PARSE_ERROR):
    return ("error", i, code)


CTYPE = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"

# name: (the bytes, the events they give)
CASES = {
    "well framed": (frame(request(1)) + frame(request(2)), [M(1), M(2)]),
    "with a Content-Type, before or after": (frame(request(1), headers=CTYPE + length(request(1)) + b"\r\n")
                                             + frame(request(2), headers=length(request(2)) + CTYPE + b"\r\n"),
                                             [M(1), M(2)]),
    "multi-byte characters: the length counts bytes": (frame(UTF8) + frame(request(2)), [M(1), M(2)]),
    "lower-case header name, bare line feeds": (f"content-length: {len(request(1))}\n\n".encode() + request(1), [M(1)]),
    "blank lines between messages": (frame(request(1)) + b"\r\n\r\n" + frame(request(2)), [M(1), M(2)]),
    "short by 3": (frame(request(1), -3) + frame(request(2)), [E(1), M(2)]),
    "short by 1, multi-byte": (frame(UTF8, -1) + frame(request(2)), [E(1), M(2)]),
    "Content-Length: 0": (frame(request(1), headers=b"Content-Length: 0\r\n\r\n") + frame(request(2)), [E(1), M(2)]),
    "long by 5": (frame(request(1), 5) + frame(request(2)), [E(1), M(2)]),
    "long by 60: into the next body": (frame(request(1), 60) + frame(request(2)) + frame(request(3)),
                                       [E(1), M(2), M(3)]),
    "long, last in the stream: waits for the bytes after it": (frame(request(1), 5), []),
    "missing": (frame(request(1), headers=CTYPE + b"\r\n") + frame(request(2)), [E(1), M(2)]),
    "missing, last in the stream: answered at once": (frame(request(1), headers=CTYPE + b"\r\n"), [E(1)]),
    "no headers at all": (b"\r\n" + request(1) + frame(request(2)), [E(1), M(2)]),
    "not a number": (frame(request(1), headers=b"Content-Length: abc\r\n\r\n") + frame(request(2)), [E(1), M(2)]),
    "negative": (frame(request(1), headers=b"Content-Length: -5\r\n\r\n") + frame(request(2)), [E(1), M(2)]),
    "absurd": (frame(request(1), headers=b"Content-Length: 1000000000000\r\n\r\n") + frame(request(2)),
               [E(1, INVALID_REQUEST), M(2)]),
    "5,000 digits": (frame(request(1), headers=b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n") + frame(request(2)),
                     [E(1, INVALID_REQUEST), M(2)]),
    "stray bytes before a message": (b"garbage}\r\n" + frame(request(1)), [E(None), M(1)]),
    "a body that is not JSON": (frame(b"not json") + frame(request(2)), [E(None), M(2)]),
    "a body that is not UTF-8": (frame(request(1, "\udcff").replace(b"\\udcff", b"\xff")) + frame(request(2)),
                                 [E(1), M(2)]),
    "a notification cut short: nothing to answer": (frame(NOTE, -2) + frame(request(2)), [E(None), M(2)]),
    "a response cut short: not answered": (frame(RESPONSE, -2) + frame(request(2)), [E(None), M(2)]),
    "an id inside params is not the request's": (frame(b'{"jsonrpc": "2.0", "params": {"id": 9}, "method": "m"', -1)
                                                 + frame(request(2)), [E(None), M(2)]),
    "a header block that never ends": (CTYPE[:-2] + b"x" * (MAX_HEADERS + 10) + b"\r\n\r\n" + frame(request(2)),
                                       [E(None), M(2)]),
    "a JSON value that is not an object is passed on": (frame(b"[1, 2]"), [("message", None)]),
}


def events(framer: Framer, stream: bytes, step: int) -> list[tuple]:
    found = []
    for at in range(0, len(stream), step):
        framer.feed(stream[at: at + step])
        for e in framer.events():
            found.append(("message", e.body.get("id") if isinstance(e.body, dict) else None)
                         if isinstance(e, Message) else ("error", e.id, e.code))
    return found


@pytest.mark.parametrize("name", CASES)
def test_framing_case(name):
    stream, expected = CASES[name]
    assert events(Framer(), stream, len(stream)) == expected
    assert events(Framer(), stream, 1) == expected, "the same, one byte at a time"


def test_a_body_over_the_limit_is_refused_and_skipped_with_bounded_memory():
    framer = Framer(max_body=1000)
    big = request(3, "x" * 200_000)
    stream = frame(big) + frame(request(4))
    found, held = [], 0
    for at in range(0, len(stream), 4096):
        framer.feed(stream[at: at + 4096])
        found += list(framer.events())
        held = max(held, framer.held)
    assert [(type(e).__name__, getattr(e, "id", None)) for e in found] == [("FramingError", 3), ("Message", None)]
    assert found[0].code == INVALID_REQUEST and "over the limit of 1000" in found[0].problem
    assert held <= HEAD + 4096


def test_an_absurd_length_costs_only_the_bytes_that_come():
    framer = Framer()
    framer.feed(b"Content-Length: 1000000000000\r\n\r\n")
    errors = []
    for _ in range(64):   # 4 MiB of junk, no header in it
        framer.feed(b"a" * 65536)
        errors += list(framer.events())
        assert framer.held <= HEAD + 64
    assert [e.problem for e in errors] == ["a `Content-Length` of 1000000000000 bytes, over the limit of 16777216"]
    framer.feed(frame(request(7)))
    assert [e.body["id"] for e in framer.events()] == [7]


FUZZ_SCALE = int(os.environ.get("POLICYLANG_FUZZ_SCALE", "1"))   # fuzz/run.py raises the budget
MESSAGES = st.lists(st.integers(0, 10**6), min_size=1, max_size=6).map(
    lambda ids: [request(i, "é" * (i % 7)) for i in ids])


@settings(max_examples=200 * FUZZ_SCALE, deadline=None)
@given(MESSAGES, st.data())
def test_any_chunking_gives_the_same_messages(bodies, data):
    stream = b"".join(frame(b) for b in bodies)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    framer, found = Framer(), []
    for start, end in zip([0, *cuts], [*cuts, len(stream)]):
        framer.feed(stream[start:end])
        found += list(framer.events())
    assert found == [Message(json.loads(b)) for b in bodies]


CORRUPTIONS = {
    "short": lambda body, n: frame(body, -n),
    "long": lambda body, n: frame(body, n),
    "missing": lambda body, n: frame(body, headers=CTYPE + b"\r\n"),
    "not a number": lambda body, n: frame(body, headers=b"Content-Length: 1%d.5\r\n\r\n" % n),
    "over the limit": lambda body, n: frame(body, headers=b"Content-Length: %d\r\n\r\n" % (10**12 + n)),
}


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(st.sampled_from(sorted(CORRUPTIONS)), st.integers(1, 40), st.integers(0, 10**6), MESSAGES,
       st.sampled_from([1, 7, 4096]))
def test_one_bad_frame_is_answered_and_every_frame_after_it_read(corruption, n, bad_id, after, chunk):
    body = request(bad_id, "x" * 50)
    stream = CORRUPTIONS[corruption](body, min(n, len(body))) + b"".join(frame(b) for b in after)
    found = []
    framer = Framer()
    for at in range(0, len(stream), chunk):
        framer.feed(stream[at: at + chunk])
        found += list(framer.events())
    errors = [e for e in found if isinstance(e, FramingError)]
    assert [e.id for e in errors] == [bad_id]
    assert [e for e in found if isinstance(e, Message)] == [Message(json.loads(b)) for b in after]


GARBAGE = st.binary(max_size=300).filter(lambda b: b"content-" not in b.lower())


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(st.lists(st.tuples(GARBAGE, st.integers(0, 10**6)), min_size=1, max_size=5))
def test_stray_bytes_never_hide_the_frames_after_them(pieces):
    stream = b"".join(junk + frame(request(i)) for junk, i in pieces)
    framer = Framer()
    framer.feed(stream)
    found = list(framer.events())
    assert [e.body["id"] for e in found if isinstance(e, Message)] == [i for _, i in pieces]
    assert framer.held == 0


TOKENS = st.sampled_from([b"Content-Length: ", b"Content-Type: x", b"content-length:", b"12", b"0", b"-1",
                          b"99999999999999", b"\r\n", b"\n", b"{", b"}", b'"id": 3', b'"method": "m"', b",",
                          b'"', b"\\", b"\xff", b" ", b"[", b"]", b"x"])


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(st.lists(TOKENS, max_size=60), st.sampled_from([1, 5, 64]))
def test_any_bytes_at_all_give_events_and_never_an_exception(tokens, chunk):
    stream = b"".join(tokens)
    framer = Framer(max_body=64)
    for at in range(0, len(stream), chunk):
        framer.feed(stream[at: at + chunk])
        for e in framer.events():
            assert isinstance(e, (Message, FramingError))
        assert framer.held <= 64 + HEAD + chunk
