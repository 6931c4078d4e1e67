"""`policylang serve` as a process, over real sockets: what `eval` prints for the example cases,
with one worker and with two; a 50 MB body refused with a 413 while the service goes on."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

from policylang.testing.service import free_port as _free_port, started as _started  # noqa: E402

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = ROOT / "examples" / "cases.json"


def _request(port: int, method: str, path: str, body: bytes | None = None, kind: str = "application/json"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"content-type": kind} if body is not None else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(params=[1, 2], ids=["one worker", "two workers"])
def port(request):
    service, port = _started("--workers", str(request.param))
    yield port
    service.terminate()
    service.wait(30)


def test_the_service_answers_what_eval_prints(port) -> None:
    printed = subprocess.run([sys.executable, "-m", "policylang", "eval", "--format", "json", str(EXAMPLES)],
                             capture_output=True, timeout=300).stdout
    status, body = _request(port, "POST", "/v1/decide", EXAMPLES.read_bytes())
    assert status == 200 and body == printed
    status, page = _request(port, "GET", "/")
    assert status == 200 and b"<html" in page


def test_a_50_mb_body_gets_a_413_and_the_service_goes_on(port) -> None:
    fifty = b"[" + b'{"id": "x"},' * (50 * 1024 * 1024 // 12) + b'{"id": "x"}]'
    try:
        status, body = _request(port, "POST", "/v1/decide", fifty)
    except (BrokenPipeError, ConnectionResetError):
        pytest.fail("the service closed the connection without answering")
    assert status == 413 and json.loads(body)["errors"][0]["code"] == "E413"
    status, body = _request(port, "POST", "/v1/decide", b"{not json")
    assert status == 400 and json.loads(body)["errors"][0]["code"] == "E501"
    status, body = _request(port, "POST", "/v1/decide", EXAMPLES.read_bytes())
    assert status == 200 and len(json.loads(body)) == len(json.loads(EXAMPLES.read_bytes()))


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="no SIGHUP on this system")
def test_sighup_reloads_and_a_broken_library_keeps_the_old_one_serving(tmp_path) -> None:
    import shutil
    import signal

    from policylang.library import policies_dir

    folder = tmp_path / "policies"
    shutil.copytree(policies_dir(), folder)
    service, port = _started("--policies", str(folder))
    try:
        def digest() -> str:
            return json.loads(_request(port, "GET", "/v1/library")[1])["library"]["digest"]

        def after_hangup(before: str, seconds: float = 20) -> str:
            service.send_signal(signal.SIGHUP)
            end = time.monotonic() + seconds
            while time.monotonic() < end and digest() == before:
                time.sleep(0.1)
            return digest()

        first = digest()
        decided = _request(port, "POST", "/v1/decide", EXAMPLES.read_bytes())
        target = folder / "MOFCOM-2025-61.ecp"
        good = target.read_text(encoding="utf-8")
        target.write_text("announcement {", encoding="utf-8")
        assert after_hangup(first, 3) == first                   # refused: the old library serves
        assert _request(port, "POST", "/v1/decide", EXAMPLES.read_bytes()) == decided
        target.write_text(good + "\n# edited\n", encoding="utf-8")
        assert after_hangup(first) != first                      # accepted
        assert _request(port, "POST", "/v1/decide", EXAMPLES.read_bytes())[0] == 200
    finally:
        service.terminate()
        stderr = service.communicate(timeout=30)[1].decode()
    assert "reload refused" in stderr and "library reloaded" in stderr


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGHUP"), reason="no SIGHUP on this system")
def test_with_workers_sighup_reloads_them_and_a_broken_library_keeps_the_old_ones(tmp_path) -> None:
    import shutil
    import signal

    from policylang.library import policies_dir

    folder = tmp_path / "policies"
    shutil.copytree(policies_dir(), folder)
    service, port = _started("--workers", "2", "--policies", str(folder))
    try:
        def digests() -> set[str]:           # what the workers answer, over fresh connections
            return {json.loads(_request(port, "GET", "/v1/library")[1])["library"]["digest"] for _ in range(8)}

        first = digests()
        assert len(first) == 1
        refused = _request(port, "POST", "/v1/reload")
        assert refused[0] == 409 and json.loads(refused[1])["errors"][0]["code"] == "E409"
        target = folder / "MOFCOM-2025-61.ecp"
        good = target.read_text(encoding="utf-8")
        target.write_text("announcement {", encoding="utf-8")
        service.send_signal(signal.SIGHUP)
        time.sleep(8)
        assert digests() == first and _request(port, "POST", "/v1/decide", EXAMPLES.read_bytes())[0] == 200
        target.write_text(good + "\n# edited\n", encoding="utf-8")
        service.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and digests() & first:
            time.sleep(0.5)
        now = digests()
        assert len(now) == 1 and not now & first
    finally:
        service.terminate()
        stderr = service.communicate(timeout=30)[1].decode()
    assert "reload refused, the library does not check" in stderr


def test_a_library_that_does_not_check_stops_the_start_with_its_diagnostics(tmp_path) -> None:
    (tmp_path / "broken.ecp").write_text("announcement {", encoding="utf-8")
    for workers in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "policylang", "serve", "--port", str(_free_port()), "--workers",
                               workers, "--policies", str(tmp_path)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and "does not check" in done.stderr and "broken.ecp" in done.stderr
        assert "Traceback" not in done.stderr
