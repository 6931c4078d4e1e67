"""Reading protocol messages off a byte stream: `Content-Length` framing that survives bad input.

Takes: the bytes an editor sends, fed in chunks of any size (`Framer.feed`).
Returns: the events those bytes make, in order (`Framer.events`): a `Message` (the decoded JSON
value) for each well-framed message, and a `FramingError` for each stretch of bytes that was not
one.
Guarantees:
- a bad frame never stops the stream: after a `Content-Length` that is a few bytes short or long,
  missing, not a number or over `MAX_BODY`, after a body that is not JSON, and after stray bytes
  between messages, the framer resynchronises on the next `Content-Length:` (or `Content-Type:`)
  header and reads the messages after it as usual;
- a `FramingError` carries the request's `id` when one can be read: from the whole JSON object
  when the bad frame holds one, else from a top-level `"id"` key of its first `HEAD` bytes (only
  for a request: an object with a top-level `"method"` too), so that the server can answer it;
  whitespace between messages is not an error;
- memory stays bounded: a body is held whole only when its `Content-Length` is at most
  `MAX_BODY`; a header block is held up to `MAX_HEADERS` bytes; bytes being skipped are kept only
  up to `HEAD`, the rest is counted and dropped, so a `Content-Length: 1000000000000` costs
  nothing but the bytes that really come;
- no event waits for bytes that cannot change it, with one exception: a `Content-Length` longer
  than its message is noticed only when the bytes after it arrive (the next message), because
  until then it cannot be told from a slow sender.

>>> framer = Framer()
>>> framer.feed(b'Content-Length: 2\\r\\n\\r\\n{}')
>>> framer.feed(b'Content-Length: 5\\r\\n\\r\\n{"id": 7, "method": "m"}')
>>> [(type(e).__name__, getattr(e, "id", None)) for e in framer.events()]
[('Message', None), ('FramingError', 7)]
"""

from __future__ import annotations

import json
import re
from typing import Iterator

import attrs

MAX_BODY = 16 * 1024 * 1024   # bytes: a longer message is refused, and its bytes skipped unread
MAX_HEADERS = 8 * 1024        # bytes: a header block longer than this is stray bytes
HEAD = 64 * 1024              # bytes of a bad frame kept to find its id; the rest is dropped

_HEADER = re.compile(rb"content-(?:length|type):", re.IGNORECASE)
_HEADER_NAMES = (b"content-length:", b"content-type:")
_TAIL = max(map(len, _HEADER_NAMES)) - 1   # bytes kept back while skipping: a split header name
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE_BREAK = re.compile(rb"\r?\n")
_LENGTH = re.compile(rb"content-length:[ \t]*(.*?)[ \t]*", re.IGNORECASE)
_DECODER = json.JSONDecoder()
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_COLON = re.compile(r"\s*:\s*")
_PROGRESS = object()   # a step changed state without an event

PARSE_ERROR = -32700       # JSON-RPC: the bytes were not a message
INVALID_REQUEST = -32600   # JSON-RPC: a message the server refuses (one over `MAX_BODY`)


@attrs.frozen
class Message:
    """One well-framed message: its body, decoded."""
    body: object


@attrs.frozen
class FramingError:
    """A stretch of bytes that was not a well-framed message, and the request it held if known."""
    problem: str
    id: int | str | None = None
    code: int = PARSE_ERROR


@attrs.define
class _Skip:
    """Bytes being skipped up to the next header: the first `HEAD` of them, and whether more went."""
    problem: str
    report_blank: bool   # report the problem even when only whitespace was skipped
    code: int = PARSE_ERROR
    head: bytearray = attrs.Factory(bytearray)
    lost: bool = False
    reported: bool = False
    tried: int = -1   # how many bytes (head and buffer) the last try to decode an object saw

    def take(self, data: bytes | bytearray) -> None:
        room = HEAD - len(self.head)
        self.head += data[:room]
        self.lost = self.lost or len(data) > room

    def error(self) -> FramingError:
        self.reported = True
        return FramingError(self.problem, _top_level_id(bytes(self.head)), self.code)


class Framer:
    """The framing state of one input stream."""

    def __init__(self, max_body: int = MAX_BODY) -> None:
        self.max_body = max_body
        self._buffer = bytearray()
        self._length: int | None = None   # reading a body of this many bytes
        self._skip: _Skip | None = None   # skipping to the next header

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def held(self) -> int:
        """How many bytes the framer holds: at most a body of `max_body`, or `HEAD` while skipping."""
        return len(self._buffer) + (len(self._skip.head) if self._skip is not None else 0)

    def events(self) -> Iterator[Message | FramingError]:
        """Every event the bytes fed so far decide, in order."""
        while (found := self._step()) is not None:
            if found is not _PROGRESS:
                yield found

    def _step(self):
        if self._skip is not None:
            return self._skip_step(self._skip)
        if self._length is not None:
            return self._body_step(self._length)
        return self._headers_step()

    def _headers_step(self):
        buf = self._buffer
        if not buf:
            return None
        if not _HEADER.match(buf):
            start = bytes(buf[:_TAIL]).lower()
            if len(buf) <= _TAIL and any(name.startswith(start) for name in _HEADER_NAMES):
                return None   # a header name still arriving
            self._skip = _Skip("stray bytes between messages", report_blank=False)
            return _PROGRESS
        end = _HEADER_END.search(buf, 0, MAX_HEADERS)
        if end is None:
            if len(buf) < MAX_HEADERS:
                return None
            self._skip = _Skip(f"a header block longer than {MAX_HEADERS} bytes", report_blank=True)
            self._skip.take(buf[:1])   # so that the search for the next header starts after this one
            del buf[:1]
            return _PROGRESS
        block = bytes(buf[: end.start()])
        del buf[: end.end()]
        length = content_length(block, self.max_body)
        if isinstance(length, FramingError):
            self._skip = _Skip(length.problem, report_blank=True, code=length.code)
        else:
            self._length = length
        return _PROGRESS

    def _body_step(self, length: int):
        if len(self._buffer) < length:
            return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        self._length = None
        try:
            return Message(json.loads(body))
        except (ValueError, RecursionError):
            pass
        found = _first_object(body)
        if found is None:
            self._skip = _Skip("a `Content-Length` shorter than the message, or a body that is not "
                               "JSON", report_blank=True)
            self._skip.take(body)
            return _PROGRESS
        value, end = found
        if end == len(body):
            return FramingError("a message that is not valid UTF-8", request_id(value))
        self._buffer[:0] = body[end:]   # the start of the next message
        return FramingError("a `Content-Length` longer than the message", request_id(value))

    def _skip_step(self, skip: _Skip):
        buf = self._buffer
        seen = len(skip.head) + len(buf)
        # an object can end only at a `}`: try again only when one came, so trickled bytes cost little
        if not skip.lost and not skip.reported and b"}" in buf[max(0, skip.tried - len(skip.head)):]:
            skip.tried = seen
            found = _first_object(bytes(skip.head) + bytes(buf[: HEAD - len(skip.head)]))
            if found is not None:   # the bad frame's message is complete: answer it now
                del buf[: max(0, found[1] - len(skip.head))]
                self._skip = None
                return FramingError(skip.problem, request_id(found[0]), skip.code)
        header = _HEADER.search(buf)
        if header is not None:
            skip.take(buf[: header.start()])
            del buf[: header.start()]
            self._skip = None
            if skip.reported or not (skip.report_blank or skip.lost or bytes(skip.head).strip()):
                return _PROGRESS
            return skip.error()
        keep = max(0, len(buf) - _TAIL)
        skip.take(buf[:keep])
        del buf[:keep]
        if (skip.lost or len(skip.head) >= HEAD) and not skip.reported:
            return skip.error()
        return None


def content_length(block: bytes, max_body: int = MAX_BODY) -> int | FramingError:
    """The body length a header block states, or what is wrong with it.

    >>> content_length(b"Content-Length: 12\\r\\nContent-Type: x")
    12
    >>> content_length(b"Content-Length: twelve").problem
    'a `Content-Length` that is not a number: `twelve`'
    """
    values = [m.group(1) for line in _LINE_BREAK.split(block) if (m := _LENGTH.fullmatch(line))]
    if not values:
        return FramingError("a message without a `Content-Length` header")
    value = values[0]
    shown = value[:24].decode("ascii", "replace") + ("…" if len(value) > 24 else "")
    if not value.isdigit():
        return FramingError(f"a `Content-Length` that is not a number: `{shown}`")
    if len(value.lstrip(b"0")) > len(str(max_body)) or int(value) > max_body:
        return FramingError(f"a `Content-Length` of {shown} bytes, over the limit of {max_body}",
                            code=INVALID_REQUEST)
    return int(value)


def request_id(value: object) -> int | str | None:
    """The id of a request (an object with a `method` and an integer or string `id`), else None."""
    if not isinstance(value, dict) or "method" not in value:
        return None
    found = value.get("id")
    return found if isinstance(found, (int, str)) and not isinstance(found, bool) else None


def _first_object(data: bytes) -> tuple[dict, int] | None:
    """The JSON object at the start of `data` (after whitespace) and the byte offset of its end."""
    text = data.decode("utf-8", "surrogateescape")
    start = len(text) - len(text.lstrip(" \t\r\n"))
    if not text.startswith("{", start):
        return None
    try:
        value, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    return value, len(text[:end].encode("utf-8", "surrogateescape"))


def _top_level_id(data: bytes) -> int | str | None:
    """The request id of a JSON object cut short: its top-level `"id"`, if a `"method"` is there too.

    >>> _top_level_id(b'{"jsonrpc": "2.0", "id": 4, "method": "m", "params": {"text": "unfinish')
    4
    >>> _top_level_id(b'{"params": {"id": 4}, "method": "m"') is None
    True
    """
    text = data.decode("utf-8", "replace")
    if not text.lstrip(" \t\r\n").startswith("{"):
        return None
    depth, keys = 0, {}
    for token in _TOKEN.finditer(text):
        kind = token.group()
        if kind in ("{", "["):
            depth += 1
        elif kind in ("}", "]"):
            depth -= 1
        elif depth == 1 and (colon := _COLON.match(text, token.end())):
            keys[kind] = colon.end()
    if '"method"' not in keys or '"id"' not in keys:
        return None
    try:
        value, _ = _DECODER.raw_decode(text, keys['"id"'])
    except (ValueError, RecursionError):
        return None
    return request_id({"method": None, "id": value})
