"""The decision service, spoken to as an ERP system would (starlette's test client): the same
decisions as `eval`, 4xx with errors for bad input, and reloads that never serve a broken
library."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from policylang.library import policies_dir  # noqa: E402
from policylang.serve.app import create_app  # noqa: E402
from policylang.serve.live import LiveLibrary  # noqa: E402

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = ROOT / "examples" / "cases.json"


def eval_json(path: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "policylang", "eval", "--format", "json", *args, str(path)],
                          capture_output=True, text=True, timeout=300).stdout


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(LiveLibrary([str(policies_dir())]), max_body=1_000_000))


def test_decide_gives_the_bytes_eval_prints(client, tmp_path) -> None:
    body = EXAMPLES.read_bytes()
    got = client.post("/v1/decide", content=body, headers={"content-type": "application/json"})
    assert got.status_code == 200
    assert got.text == eval_json(EXAMPLES)
    one = json.loads(body)[0]
    (tmp_path / "one.json").write_text(json.dumps(one))
    single = client.post("/v1/decide?as_of=2026-11-28", json=one)
    assert single.text == eval_json(tmp_path / "one.json", "--as-of", "2026-11-28")
    lines = "\n".join(json.dumps(c) for c in json.loads(body)) + "\n"
    (tmp_path / "book.jsonl").write_text(lines)
    streamed = client.post("/v1/decide", content=lines, headers={"content-type": "application/x-ndjson"})
    assert streamed.text == eval_json(tmp_path / "book.jsonl")


@pytest.mark.parametrize("body,kind,status,code", [
    (b"{not json", "application/json", 400, "E501"),
    (b"{}", "text/plain", 415, "E415"),
    (b"[" + b"1," * 600_000 + b"1]", "application/json", 413, "E413"),
])
def test_bad_requests_get_a_4xx_with_errors(client, body, kind, status, code) -> None:
    got = client.post("/v1/decide", content=body, headers={"content-type": kind})
    assert got.status_code == status
    assert got.json()["errors"][0]["code"] == code
    assert client.get("/healthz").status_code == 200          # and the service goes on


def test_a_case_with_every_field_wrong_is_a_422_with_its_errors(client) -> None:
    wrong = {"date": "30/11/2026", "action": "smuggle", "destination": "Mars", "item": {"control_code": 7},
             "end_use": "everything", "exporter": {"name": 5}}
    got = client.post("/v1/decide", json=wrong)
    assert got.status_code == 422
    decision = got.json()
    assert decision["outcome"] == "error"
    assert {e["path"] for e in decision["errors"]} >= {"date", "action", "destination", "item.control_code"}
    assert client.post("/v1/decide?as_of=tomorrow", json={}).status_code == 400


def test_library_timeline_and_openapi(client) -> None:
    library = client.get("/v1/library").json()
    assert library["library"]["digest"].startswith("sha256:")
    assert any(a["id"] == "MOFCOM-2025-61" for a in library["announcements"])
    timeline = client.get("/v1/timeline?date=2026-11-28").json()
    assert timeline["date"] == "2026-11-28" and timeline["clauses"]
    assert client.get("/v1/timeline?date=2026-13-01").status_code == 400
    assert set(client.get("/openapi.json").json()["paths"]) >= {"/v1/decide", "/v1/library", "/v1/reload"}


def test_a_broken_reload_keeps_the_old_library_serving(tmp_path) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(policies_dir(), folder)
    live = LiveLibrary([str(folder)])
    client = TestClient(create_app(live))
    before = client.get("/v1/library").json()["library"]["digest"]
    decided = client.post("/v1/decide", content=EXAMPLES.read_bytes(), headers={"content-type": "application/json"}).text
    (folder / "MOFCOM-2025-61.ecp").write_text("announcement {", encoding="utf-8")
    refused = client.post("/v1/reload")
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"].startswith("E")
    assert client.get("/v1/library").json()["library"]["digest"] == before
    assert client.post("/v1/decide", content=EXAMPLES.read_bytes(),
                       headers={"content-type": "application/json"}).text == decided
    shutil.copy(policies_dir() / "MOFCOM-2025-61.ecp", folder / "MOFCOM-2025-61.ecp")
    (folder / "MOFCOM-2025-61.ecp").write_text((folder / "MOFCOM-2025-61.ecp").read_text() + "\n# edited\n")
    accepted = client.post("/v1/reload")
    assert accepted.status_code == 200 and accepted.json()["library"]["digest"] != before
