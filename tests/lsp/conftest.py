"""A minimal Language Server Protocol client for the tests: JSON-RPC with `Content-Length`
framing over the pipes of a `policylang lsp` subprocess.

`request` waits for the answer to its id; notifications the server sends meanwhile are kept,
and `notification` waits for the next one of a method. A wait that runs out (the server hung or
died) fails the test with what the server wrote to stderr; no test asserts anything about time.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

HANG = 60  # seconds before a silent server counts as hung


class LspClient:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "policylang", "lsp"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.pending: list[dict] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                name, _, value = line.partition(":")
                headers[name.lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def _next(self) -> dict:
        try:
            message = self.messages.get(timeout=HANG)
        except queue.Empty:
            pytest.fail("the language server did not answer; stderr: " + self._stderr())
        if message is None:
            pytest.fail("the language server exited; stderr: " + self._stderr())
        return message

    def _stderr(self) -> str:
        self.process.kill()
        return self.process.stderr.read().decode("utf-8", "replace")[-2000:]

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are: a frame the test built itself, good or bad."""
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        message = self.answer(self.next_id)
        assert "error" not in message, message["error"]
        return message.get("result")

    def answer(self, wanted: int | str) -> dict:
        """The whole answer to the request `wanted`: its `result` or its `error`."""
        while True:
            message = self._next()
            if message.get("id") == wanted and "method" not in message:
                return message
            self._keep(message)

    def _keep(self, message: dict) -> None:
        if "method" in message and "id" in message:  # a request from the server: answer it
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        else:
            self.pending.append(message)

    def notification(self, method: str, uri: str | None = None) -> dict:
        while True:
            for i, message in enumerate(self.pending):
                if message.get("method") == method and (uri is None or message["params"].get("uri") == uri):
                    return self.pending.pop(i)["params"]
            self._keep(self._next())

    def discard(self, method: str, uri: str) -> None:
        """Forget the notifications of a method for a document received so far."""
        self.pending = [m for m in self.pending
                        if not (m.get("method") == method and m["params"].get("uri") == uri)]

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "ecp", "version": 1,
            "text": path.read_text(encoding="utf-8") if text is None else text}})
        return uri

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.request("shutdown", None)
                self.notify("exit", None)
                self.process.wait(timeout=HANG)
            except Exception:
                self.process.kill()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


@pytest.fixture
def new_client():
    """Start a server that the test initialises itself; closed at the end of the test."""
    started = []

    def start() -> LspClient:
        started.append(LspClient())
        return started[-1]

    yield start
    for c in started:
        c.close()


@pytest.fixture(scope="module")
def client():
    c = LspClient()
    c.initialize_result = c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    c.notify("initialized", {})
    yield c
    c.close()
