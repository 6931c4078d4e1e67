"""The language server over stdio, sent bad frames: each case is a way to frame a hover request
badly and the JSON-RPC error it must get; the runner sends the bad frame and a good hover after
it, and asserts both are answered (the server resynchronised). One server serves every case."""

from __future__ import annotations

import json

import pytest

from policylang.lsp.framing import INVALID_REQUEST, MAX_BODY, PARSE_ERROR

DOC = "untitled:framing"
TEXT = "def x: bool = item.origin == CN\n"
CTYPE = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"


def hover(i: int, padding: str = "") -> bytes:
    message = {"jsonrpc": "2.0", "id": i, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 16}}}
    if padding:
        message["params"]["padding"] = padding
    return json.dumps(message).encode()


def frame(body: bytes, shift: int = 0, headers: bytes | None = None) -> bytes:
    return (f"Content-Length: {len(body) + shift}\r\n\r\n".encode() if headers is None else headers) + body


# name: (how the request is framed, the error code it gets, or None when it is answered as usual)
CASES = {
    "Content-Length 3 bytes short": (lambda body: frame(body, -3), PARSE_ERROR),
    "Content-Length 5 bytes long": (lambda body: frame(body, 5), PARSE_ERROR),
    "Content-Length 40 bytes long: into the next message": (lambda body: frame(body, 40), PARSE_ERROR),
    "no Content-Length": (lambda body: frame(body, headers=CTYPE + b"\r\n"), PARSE_ERROR),
    "Content-Length not a number": (lambda body: frame(body, headers=b"Content-Length: 12a\r\n\r\n"), PARSE_ERROR),
    "Content-Length: 1000000000000": (lambda body: frame(body, headers=b"Content-Length: 1000000000000\r\n\r\n"),
                                      INVALID_REQUEST),
    "a body over the limit, sent in full": (lambda body: frame(body[:-2] + b', "x": "' + b"a" * MAX_BODY + b'"}}'),
                                            INVALID_REQUEST),
    "stray bytes before a good frame": (lambda body: b"}garbage\r\n" + frame(body), None),
}


@pytest.fixture(scope="module")
def served(client):
    client.notify("textDocument/didOpen", {"textDocument": {"uri": DOC, "languageId": "ecp", "version": 1,
                                                            "text": TEXT}})
    assert client.notification("textDocument/publishDiagnostics", DOC)["diagnostics"] == []
    return client


@pytest.mark.parametrize("name", CASES)
def test_a_badly_framed_request_is_answered_and_so_is_the_next(served, name):
    make, code = CASES[name]
    bad, good = served.next_id + 1, served.next_id + 2
    served.next_id += 2
    served.send_raw(make(hover(bad)))
    served.send_raw(frame(hover(good)))   # a long Content-Length is noticed only when these bytes come
    answer = served.answer(bad)
    if code is None:
        assert "error" not in answer and answer["result"]["contents"]["value"].startswith("```ecp")
    else:
        assert answer["error"]["code"] == code
        assert answer["error"]["message"].startswith("policylang: message skipped: ")
    assert "error" not in served.answer(good)


def test_a_bad_frame_with_no_id_to_answer_is_logged(served):
    note = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didSave",
                       "params": {"textDocument": {"uri": DOC}}}).encode()
    served.pending = [m for m in served.pending if m.get("method") != "window/logMessage"]   # earlier cases'
    served.send_raw(frame(note, -4))
    served.next_id += 1
    served.send_raw(frame(hover(served.next_id)))
    assert "error" not in served.answer(served.next_id)
    logged = served.notification("window/logMessage")
    assert logged["type"] == 1 and "shorter than the message" in logged["message"]


def test_a_request_pygls_cannot_read_is_answered_with_an_error(served):
    served.next_id += 1
    served.send_raw(frame(json.dumps({"jsonrpc": "2.0", "id": served.next_id, "method": "textDocument/hover",
                                      "params": {"position": "nowhere"}}).encode()))
    assert served.answer(served.next_id)["error"]["code"] == -32602   # invalid params
    assert served.request("textDocument/hover", {"textDocument": {"uri": DOC},
                                                 "position": {"line": 0, "character": 16}}) is not None


def test_a_request_without_jsonrpc_is_answered_as_invalid(served):
    served.next_id += 1
    served.send_raw(frame(json.dumps({"id": served.next_id, "method": "textDocument/hover"}).encode()))
    answer = served.answer(served.next_id)
    assert answer["error"]["code"] == INVALID_REQUEST and "not a JSON-RPC object" in answer["error"]["message"]
