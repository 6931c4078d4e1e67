"""Serving the protocol over standard input and output, with our framing in place of pygls's reader.

Takes: a pygls `LanguageServer`, the input and output byte streams (standard input and output by
default) and an event that stops the loop.
Returns: runs until the input ends, the event is set, or the editor sends `exit`.
Guarantees: a framing error (see `framing`) never stops the server: it is answered with a JSON-RPC
error (`-32700`, or `-32600` for a body over `framing.MAX_BODY`) when the request's id is known,
and logged (`window/logMessage`) when it is not; later messages are served as usual. A message
that is JSON but not a JSON-RPC request pygls can read (an array, wrong `params`) is answered with
an error too when it has an id, where pygls's loop would drop it and leave the editor waiting.

Everything else is pygls's, called as its own loop (`pygls.io_.run_async`) calls it: each message
goes through `protocol.structure_message` and then `protocol.handle_message`; replies go through
pygls's `StdoutWriter` (set with `protocol.set_writer`); reads run in the server's thread pool;
`exit` ends the process by pygls's own `sys.exit`. The one pygls internal used is
`protocol._send_response`, to answer a request that never reached a handler.

Why not pygls's reader: it matches each header line against `^Content-Length: (\\d+)\\r\\n$` and
then reads exactly that many bytes. A length a few bytes short leaves the rest of the body in
front of the next header, which then no longer matches, and so on for every later message; a long
one swallows the next message's header; a missing one makes it wait forever; and
`Content-Length: 1000000000000` asks the stream for a terabyte at once, which kills the server.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import BinaryIO

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from policylang.lsp.framing import INVALID_REQUEST, Framer, FramingError, Message, request_id

CHUNK = 64 * 1024   # bytes asked of the input at a time; a read returns what has arrived

logger = logging.getLogger(__name__)


def serve(server: LanguageServer, stop: threading.Event, stdin: BinaryIO | None = None,
          stdout: BinaryIO | None = None) -> None:
    """Run the server on the streams until the input ends, `stop` is set or `exit` arrives."""
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    try:
        asyncio.run(_serve(server, stdin or sys.stdin.buffer, stop))
    except BrokenPipeError:
        logger.error("the connection to the editor is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


async def _serve(server: LanguageServer, stdin: BinaryIO, stop: threading.Event) -> None:
    loop = asyncio.get_running_loop()
    read = getattr(stdin, "read1", stdin.read)   # `read1`: what has arrived, without waiting for more
    framer = Framer()
    while not stop.is_set():
        data = await loop.run_in_executor(server.thread_pool, read, CHUNK)
        if not data:
            break
        framer.feed(data)
        try:
            events = list(framer.events())
        except Exception:   # a fault of the framer itself: start afresh rather than stop
            logger.exception("framing failed; the bytes read so far are dropped")
            framer, events = Framer(), []
        for event in events:
            if isinstance(event, Message):
                dispatch(server, event.body)
            else:
                report(server, event)


def dispatch(server: LanguageServer, body: object) -> None:
    """Hand one decoded message to pygls; answer a request pygls cannot read with an error."""
    protocol = server.protocol
    if not isinstance(body, dict) or "jsonrpc" not in body:
        report(server, FramingError("a message that is not a JSON-RPC object", request_id(body),
                                    INVALID_REQUEST))
        return
    try:
        message = protocol.structure_message(body)
    except Exception as exc:
        error = exc if isinstance(exc, JsonRpcException) else JsonRpcInternalError(str(exc))
        _answer(server, request_id(body), error, f"policylang: cannot read `{body.get('method')}`: {error}")
        return
    try:
        protocol.handle_message(message)
    except Exception:   # as pygls's own loop does: log, and read on
        logger.exception("unable to handle a message")


def report(server: LanguageServer, error: FramingError) -> None:
    """Answer the request of a framing error when its id is known, else log the error."""
    text = f"policylang: message skipped: {error.problem}"
    _answer(server, error.id, JsonRpcException(text, error.code), text)


def _answer(server: LanguageServer, msg_id: int | str | None, error: JsonRpcException, text: str) -> None:
    logger.warning("%s (request id %r)", text, msg_id)
    if msg_id is not None:
        server.protocol._send_response(msg_id, error=error.to_response_error())
    else:
        server.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error, message=text))
