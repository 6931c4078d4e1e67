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


def test_explain_gives_the_bytes_eval_explain_prints(client) -> None:
    got = client.post("/v1/decide?explain=true&as_of=2026-11-28", content=EXAMPLES.read_bytes(),
                      headers={"content-type": "application/json"})
    assert got.status_code == 200
    assert got.text == eval_json(EXAMPLES, "--explain", "--as-of", "2026-11-28")
    assert all("explanation" in d for d in got.json())
    plain = client.post("/v1/decide?explain=false", content=EXAMPLES.read_bytes(),
                        headers={"content-type": "application/json"})
    assert plain.text == eval_json(EXAMPLES)
    wrong = client.post("/v1/decide?explain=perhaps", json={})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["path"] == "explain"


def test_screen_gives_the_bytes_screen_prints(client) -> None:
    names = ["TechInsights Korea Co. Ltd.", "Techinsight Korea Ltd", "Shenzhen Optics Co.", "  TechInsights Korea Co. Ltd. "]
    printed = subprocess.run([sys.executable, "-m", "policylang", "screen", "--format", "json", "--date", "2026-11-21",
                              *names], capture_output=True, text=True, timeout=300).stdout
    assert json.loads(printed)[0]["listed"]                  # the test screens a listed name
    got = client.post("/v1/screen?date=2026-11-21", json=names)
    assert got.status_code == 200 and got.text == printed
    assert client.post("/v1/screen", json={"names": names, "date": "2026-11-21"}).text == printed
    for body, path in [([5], "names[0]"), ({"names": "x"}, "names"), (["x" * 1001], "names[0]"),
                       ({"names": ["x"], "date": "soon"}, "date")]:
        refused = client.post("/v1/screen", json=body)
        assert refused.status_code == 400 and refused.json()["errors"][0]["path"] == path
    assert client.post("/v1/screen", content=b"[", headers={"content-type": "application/json"}).status_code == 400
    assert client.post("/v1/screen", content=b"[]", headers={"content-type": "text/csv"}).status_code == 415


def test_log_holds_every_decision_as_eval_log_writes_it(tmp_path) -> None:
    from policylang.audit.log import DecisionLog

    path = tmp_path / "decisions.jsonl"
    logged = TestClient(create_app(LiveLibrary([str(policies_dir())]), log=DecisionLog(path)))
    answered = logged.post("/v1/decide?explain", content=EXAMPLES.read_bytes(),
                           headers={"content-type": "application/json"}).json()
    one = logged.post("/v1/decide?as_of=2026-11-28", json=json.loads(EXAMPLES.read_bytes())[0]).json()
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["decision"] for line in lines] == [*answered, one]
    assert [line["case"]["id"] for line in lines[:-1]] == [c["id"] for c in json.loads(EXAMPLES.read_bytes())]
    assert lines[0]["options"]["explain"] is True and lines[-1]["options"]["as_of"] == "2026-11-28"
    # the same shape as eval --log's lines
    (tmp_path / "one.json").write_text(json.dumps(json.loads(EXAMPLES.read_bytes())[0]))
    subprocess.run([sys.executable, "-m", "policylang", "eval", "--log", str(tmp_path / "eval.jsonl"),
                    str(tmp_path / "one.json")], capture_output=True, timeout=300)
    by_eval = json.loads((tmp_path / "eval.jsonl").read_text(encoding="utf-8"))
    assert set(by_eval) == set(lines[-1])
    verified = subprocess.run([sys.executable, "-m", "policylang", "log", "verify", str(path)],
                              capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_openapi_schemas_are_those_of_policylang_schema(client) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {"/v1/decide", "/v1/screen", "/v1/library", "/v1/timeline", "/v1/reload",
                                      "/healthz"}
    assert {p["name"] for p in document["paths"]["/v1/decide"]["post"]["parameters"]} == {"as_of", "explain"}

    def printed(*args: str) -> dict:
        return json.loads(subprocess.run([sys.executable, "-m", "policylang", "schema", *args], capture_output=True,
                                         text=True, timeout=300).stdout)
    cases, decision = printed(), printed("--decision")
    back = json.loads(json.dumps(document["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))
    assert {name: back[name] for name in cases["$defs"]} == cases["$defs"]
    assert back["Decision"] == {k: v for k, v in decision.items() if k != "$schema"}


def test_a_50_mb_body_is_refused_and_the_service_goes_on(client) -> None:
    fifty = b"[" + b'{"id": "x"},' * (50 * 1024 * 1024 // 12) + b'{"id": "x"}]'
    default = TestClient(create_app(LiveLibrary([str(policies_dir())])))
    declared = default.post("/v1/decide", content=fifty, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and declared.json()["errors"][0]["code"] == "E413"

    def chunks():                       # no Content-Length: cut off while it streams
        for start in range(0, len(fifty), 1 << 20):
            yield fifty[start:start + (1 << 20)]
    streamed = default.post("/v1/decide", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert default.post("/v1/decide", json={"id": "after", "date": "2026-11-21", "action": "export",
                                            "destination": "US"}).status_code in (200, 422)
    assert default.get("/healthz").json()["status"] == "ok"


@pytest.mark.parametrize("body,kind", [
    (b"\xff\xfe not utf-8", "application/json"),
    (b"[" * 100_000, "application/json"),
    (b"null", "application/json"),
    (b'"a case"', "application/json"),
    (b"[1, 2, null]", "application/json"),
    (b"{not json\n[1]\n", "application/x-ndjson"),
    (b"", "application/json"),
    (b'{"date": 1e999999, "item": {"value": "NaN"}}', "application/json"),
])
def test_odd_bodies_get_a_4xx_never_a_500(client, body, kind) -> None:
    got = client.post("/v1/decide", content=body, headers={"content-type": kind})
    assert 400 <= got.status_code < 500, got.text
    assert "Traceback" not in got.text
    errors = got.json()["errors"] if got.headers["content-type"].startswith("application/json") \
        and isinstance(got.json(), dict) and "outcome" not in got.json() else None
    if errors is not None:
        assert errors and errors[0]["code"].startswith("E")
    else:                               # decisions, each case that is no case an `error` with its errors
        decisions = [json.loads(x) for x in got.text.splitlines() if x.strip()] \
            if kind == "application/x-ndjson" else got.json()
        decisions = decisions if isinstance(decisions, list) else [decisions]
        assert any(d["outcome"] == "error" and d["errors"] for d in decisions)
    assert client.get("/healthz").status_code == 200


def test_the_page_and_what_it_loads(client) -> None:
    import re

    from policylang.library import load_shipped
    from policylang.timeline import bands

    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    referenced = re.findall(r'(?:src|href)="([^"#]+)"', page.text)
    assert [r for r in referenced if r.startswith("/static/")], "the page loads its scripts from the package"
    for address in referenced:
        assert not address.startswith(("http:", "https:", "//")), f"the page fetches {address} from elsewhere"
        if address.startswith("/static/"):
            assert client.get(address).status_code == 200, address
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/v1/examples").json() == json.loads(EXAMPLES.read_bytes())
    printed = subprocess.run([sys.executable, "-m", "policylang", "schema"], capture_output=True, text=True,
                             timeout=300).stdout
    assert client.get("/v1/schema").json() == json.loads(printed)
    import datetime
    drawn = client.get("/v1/timeline/bands?date=2026-11-30").json()
    assert drawn == bands(load_shipped()[0], datetime.date(2026, 11, 30))
    assert client.get("/v1/timeline/bands?date=30.11.2026").status_code == 400


def test_concurrent_requests_get_what_one_at_a_time_gets(client) -> None:
    """Requests decided at once on the threads of the service get the bytes each gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    from policylang.testing.mix import realistic_cases

    cases = list(realistic_cases(240, seed=11))
    bodies = [json.dumps(cases[i:i + 6]).encode() for i in range(0, len(cases), 6)]

    def post(body: bytes) -> str:
        return client.post("/v1/decide", content=body, headers={"content-type": "application/json"}).text
    alone = [post(b) for b in bodies]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(post, bodies))
    assert together == alone


def test_a_request_in_flight_finishes_on_the_library_it_began_with(tmp_path, monkeypatch) -> None:
    import threading

    from policylang.serve import app as service_app

    folder = tmp_path / "policies"
    shutil.copytree(policies_dir(), folder)
    live = LiveLibrary([str(folder)])
    client = TestClient(create_app(live))
    before = live.current.identity.to_json()["digest"]
    begun, go_on = threading.Event(), threading.Event()
    real = service_app._decide

    def held(*args, **kwargs):              # the request has its library; hold it until the reload is done
        begun.set()
        assert go_on.wait(60)
        return real(*args, **kwargs)
    monkeypatch.setattr(service_app, "_decide", held)
    answer = {}
    flying = threading.Thread(target=lambda: answer.update(r=client.post(
        "/v1/decide", content=EXAMPLES.read_bytes(), headers={"content-type": "application/json"})))
    flying.start()
    assert begun.wait(60)
    (folder / "MOFCOM-2025-61.ecp").write_text((folder / "MOFCOM-2025-61.ecp").read_text() + "\n# edited\n")
    monkeypatch.setattr(service_app, "_decide", real)
    assert client.post("/v1/reload").status_code == 200
    after = live.current.identity.to_json()["digest"]
    assert after != before
    go_on.set()
    flying.join(60)
    assert {d["library"]["digest"] for d in answer["r"].json()} == {before}
    fresh = client.post("/v1/decide", content=EXAMPLES.read_bytes(), headers={"content-type": "application/json"})
    assert {d["library"]["digest"] for d in fresh.json()} == {after}


def test_unknown_routes_and_methods_get_errors_too(client) -> None:
    for method, path, status in [("GET", "/v1/nothing", 404), ("GET", "/v1/decide", 405), ("DELETE", "/v1/library", 405),
                                 ("GET", "/static/none.js", 404)]:
        got = client.request(method, path)
        assert got.status_code == status and got.json()["errors"][0]["code"] == f"E{status}", (method, path)
    assert "POST" in client.get("/v1/decide").headers["allow"]
