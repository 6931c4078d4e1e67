"""The page and the report in a real browser: headless Chromium from the system's packages,
driven over its DevTools protocol (a websocket, `websocket-client`).

What is checked: the page loads with no console error; deciding an example case shows the
outcome and the reasons the service gives for it; validation as you type names the wrong field;
the time line marks the November 2026 revivals; an analysis file is shown as a table; the
report opens from a file with nothing fetched. Screenshots go to `test-artifacts/browser/`.
Skipped, saying why, only when no Chromium (or no websocket client) can be had.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = ROOT / "examples" / "cases.json"
ANALYSIS = Path(__file__).parent / "fixtures" / "analysis.json"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

pytest.importorskip("starlette")
websocket = pytest.importorskip("websocket", reason="the browser tests speak to Chromium with websocket-client "
                                                    "(the `test` extra)")

from policylang.testing.service import started  # noqa: E402


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium found (apt-get install chromium; .ci/run installs it): the browser tests cannot run")


def _get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


class Browser:
    """One headless Chromium and one of its pages, spoken to over the DevTools protocol."""

    def __init__(self, binary: str, profile: Path):
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--user-data-dir={profile}", "--window-size=1400,1000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.skip(f"{binary} did not start a DevTools endpoint: the browser tests cannot run")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        pages = [t for t in json.loads(_get(f"http://127.0.0.1:{port}/json/list")) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        number = next(self.ids)
        self.ws.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression: str):
        found = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in found:
            raise AssertionError(f"{expression}: {found['exceptionDetails']}")
        return found["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"waited {seconds} s for `{expression}`")

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && document.body.dataset.ready === 'true'")

    def problems(self) -> list[str]:
        """The console errors, uncaught exceptions and failed loads since the page was opened."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
        return found

    def requested(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path = ARTIFACTS / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def service():
    process, port = started()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def browser():
    binary = _browser()
    with tempfile.TemporaryDirectory(prefix="policylang-chromium-") as profile:
        opened = Browser(binary, Path(profile))
        yield opened
        opened.close()


def test_the_page_loads_with_no_console_errors(service, browser) -> None:
    browser.open(service + "/")
    browser.wait_for("document.querySelector('#timeline svg') !== null")
    assert browser.problems() == []
    assert not [u for u in browser.requested() if not u.startswith((service, "data:"))], "fetched from elsewhere"
    browser.evaluate("console.error('a probe of the listener')")      # the listener does hear errors
    browser.evaluate("1")
    assert any("a probe of the listener" in p for p in browser.problems())
    assert browser.evaluate("document.querySelectorAll('#example option').length") == \
        len(json.loads(EXAMPLES.read_text(encoding="utf-8"))) + 1
    assert browser.evaluate("document.querySelector('#validation [data-valid]').dataset.valid") == "true"
    browser.screenshot("page")


def test_deciding_an_example_shows_its_outcome_and_reasons(service, browser) -> None:
    cases = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    index = next(i for i, c in enumerate(cases) if c["id"] == "magnet-de-minimis-2026")
    request = urllib.request.Request(service + "/v1/decide", data=json.dumps(cases[index]).encode(),
                                     headers={"content-type": "application/json"})
    expected = json.loads(urllib.request.urlopen(request, timeout=30).read())
    assert expected["reasons"], "the example the test decides has reasons"
    browser.open(service + "/")
    browser.evaluate(f"(() => {{ const s = document.getElementById('example'); s.value = '{index}';"
                     "s.dispatchEvent(new Event('change')); document.getElementById('decide').click(); })()")
    browser.wait_for("document.querySelector('#decisions article.decision') !== null")
    shown = browser.evaluate("""(() => { const d = document.querySelector('#decisions article.decision');
        return {outcome: d.querySelector('[data-outcome]').dataset.outcome, id: d.dataset.id,
                reasons: d.querySelector('.reasons') ? d.querySelector('.reasons').innerText : '',
                links: Array.from(d.querySelectorAll('.reasons a')).map(a => a.href),
                quotes: Array.from(d.querySelectorAll('.reasons blockquote')).map(q => q.textContent),
                duties: d.querySelector('.duties') ? d.querySelector('.duties').innerText : ''}; })()""")
    assert shown["outcome"] == expected["outcome"] and shown["id"] == expected["id"]
    for reason in expected["reasons"]:
        assert f"{reason['policy']} {reason['clause']}" in shown["reasons"]
        assert set(reason["text"].values()) <= set(shown["quotes"])     # the quoted law, each language
        assert reason["url"] in shown["links"]                           # the official page
    for duty in expected["obligations"]:
        assert duty["clause"] in shown["duties"]
    assert browser.problems() == []
    browser.screenshot("decision")


def test_validation_as_you_type_names_the_wrong_field(service, browser) -> None:
    browser.open(service + "/")
    browser.evaluate("""(() => { const t = document.getElementById('case');
        t.value = JSON.stringify({id: 'x', date: '2026-11-30', action: 'smuggle', destination: 'US',
                                  item: {control_code: 'not a code'}});
        t.dispatchEvent(new Event('input')); })()""")
    browser.wait_for("document.querySelector('#validation [data-valid=\"false\"]') !== null")
    said = browser.evaluate("document.getElementById('validation').innerText")
    assert "action" in said and "item.control_code" in said
    browser.evaluate("(() => { const t = document.getElementById('case'); t.value = '{\"id\": ';"
                     "t.dispatchEvent(new Event('input')); })()")
    browser.wait_for("document.getElementById('validation').innerText.includes('not JSON')")
    assert browser.problems() == []
    browser.screenshot("validation")


def test_the_time_line_shows_the_november_2026_revivals(service, browser) -> None:
    bands = json.loads(_get(service + "/v1/timeline/bands?date=2026-11-30"))
    wanted = {r["date"] for r in bands["revivals"] if r["date"].startswith("2026-11")}
    assert wanted >= {"2026-11-11", "2026-11-28"}
    browser.open(service + "/")
    browser.evaluate("(() => { const d = document.getElementById('timeline-date'); d.value = '2026-11-30';"
                     "d.dispatchEvent(new Event('change')); })()")
    browser.wait_for("document.querySelector('#timeline [data-today=\"2026-11-30\"]') !== null")
    marked = set(browser.evaluate("Array.from(document.querySelectorAll('#timeline svg g.revival'))"
                                  ".map(g => g.dataset.revival)"))
    assert wanted <= marked
    listed = browser.evaluate("document.querySelector('#timeline .revival-list').innerText")
    assert all(day in listed for day in wanted)
    # each suspended band ends the day before its clause's revival
    ends = set(browser.evaluate("Array.from(document.querySelectorAll('#timeline rect.band-suspended'))"
                                ".map(r => r.dataset.through)"))
    assert {"2026-11-10", "2026-11-27"} <= ends
    browser.evaluate("(() => { const s = document.querySelector('#timeline select.timeline-span'); s.value = 'all';"
                     "s.dispatchEvent(new Event('change')); })()")
    whole = set(browser.evaluate("Array.from(document.querySelectorAll('#timeline svg g.revival'))"
                                 ".map(g => g.dataset.revival)"))
    assert whole == {r["date"] for r in bands["revivals"]}
    assert browser.problems() == []
    browser.screenshot("timeline")


def test_an_analysis_file_is_shown_as_findings_with_witnesses(service, browser) -> None:
    findings = json.loads(ANALYSIS.read_text(encoding="utf-8"))["findings"]
    browser.open(service + "/")
    document = browser.call("DOM.getDocument")
    node = browser.call("DOM.querySelector", nodeId=document["root"]["nodeId"], selector="#analysis-file")
    browser.call("DOM.setFileInputFiles", files=[str(ANALYSIS)], nodeId=node["nodeId"])
    browser.evaluate("document.getElementById('analysis-file').dispatchEvent(new Event('change'))")
    browser.wait_for("document.querySelectorAll('#findings tr.finding').length > 0")
    kinds = browser.evaluate("Array.from(document.querySelectorAll('#findings tr.finding')).map(r => r.dataset.kind)")
    assert kinds == [f["kind"] for f in findings]
    assert browser.evaluate("document.querySelectorAll('#findings details.witness').length") == \
        sum(1 for f in findings if f["witness"])
    browser.evaluate("document.querySelector('#findings details.witness button.open-witness').click()")
    in_editor = browser.evaluate("JSON.parse(document.getElementById('case').value)")
    assert in_editor == next(f["witness"] for f in findings if f["witness"])
    assert browser.problems() == []
    browser.screenshot("findings")


def test_the_report_opens_offline_with_nothing_fetched(browser, tmp_path) -> None:
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "policylang", "report", "--date", "2026-11-30", "--analysis",
                           str(ANALYSIS), "-o", str(out)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "no_proxy": "*"})
    assert done.returncode == 0, done.stderr
    browser.open(out.as_uri())
    assert not [u for u in browser.requested() if not u.startswith(("file:", "data:"))]
    assert "[object" not in browser.evaluate("document.body.innerText")
    marked = set(browser.evaluate("Array.from(document.querySelectorAll('#timeline svg g.revival'))"
                                  ".map(g => g.dataset.revival)"))
    assert {"2026-11-11", "2026-11-28"} <= marked
    assert browser.evaluate("document.querySelectorAll('#findings tr.finding').length") == \
        len(json.loads(ANALYSIS.read_text(encoding="utf-8"))["findings"])
    assert browser.problems() == []
    browser.screenshot("report")


def test_the_page_validator_agrees_with_jsonschema(service, browser) -> None:
    """The page's small validator and `jsonschema` (2020-12, no format checks: the page does not
    check formats either) say the same of valid and spoiled cases of the realistic mix and of
    the example cases."""
    jsonschema = pytest.importorskip("jsonschema")
    from policylang.testing.mix import invalid_cases, realistic_cases

    schema = json.loads(_get(service + "/v1/schema"))
    cases = [*json.loads(EXAMPLES.read_text(encoding="utf-8")), *realistic_cases(150, seed=7),
             *invalid_cases(150, seed=7), {"date": 5}, [], [{"action": "smuggle"}], "text", None]
    cases = json.loads(json.dumps(cases, ensure_ascii=False))
    validator = jsonschema.Draft202012Validator(schema)
    expected = [validator.is_valid(c) for c in cases]
    assert any(expected) and not all(expected), "the cases are valid and invalid both"
    browser.open(service + "/")
    browser.wait_for("document.body.dataset.ready === 'true'")
    said = browser.evaluate(f"(() => {{ const schema = {json.dumps(schema)}; const cases = {json.dumps(cases)};"
                            "return cases.map(c => Policylang.validate(schema, c).length === 0); })()")
    disagree = [(c, e) for c, e, s in zip(cases, expected, said) if e != s]
    assert not disagree, f"{len(disagree)} disagreement(s), the first: {json.dumps(disagree[0])[:600]}"


def test_every_example_is_shown_with_its_duties_suspended_and_overridden_clauses(service, browser) -> None:
    cases = EXAMPLES.read_bytes()
    request = urllib.request.Request(service + "/v1/decide?explain=true", data=cases,
                                     headers={"content-type": "application/json"})
    expected = json.loads(urllib.request.urlopen(request, timeout=30).read())
    assert any(d["suspended"] for d in expected) and any(d["overridden"] for d in expected)
    assert any(o.get("due") for d in expected for o in d["obligations"])
    browser.open(service + "/")
    browser.evaluate("(() => { const s = document.getElementById('example'); s.value = 'all';"
                     "s.dispatchEvent(new Event('change')); document.getElementById('explain').checked = true;"
                     "document.getElementById('decide').click(); })()")
    browser.wait_for(f"document.querySelectorAll('#decisions article.decision').length === {len(expected)}")
    shown = browser.evaluate("""Array.from(document.querySelectorAll('#decisions article.decision')).map(d => {
        const text = (cls) => d.querySelector('.' + cls) ? d.querySelector('.' + cls).innerText : '';
        return {id: d.dataset.id, outcome: d.querySelector('[data-outcome]').dataset.outcome,
                duties: text('duties'), suspended: text('suspended'), overridden: text('overridden'),
                screening: text('screening'), explained: d.querySelectorAll('.explanation tbody tr').length}; })""")
    assert [s["id"] for s in shown] == [d["id"] for d in expected]
    for d, s in zip(expected, shown):
        assert s["outcome"] == d["outcome"]
        for o in d["obligations"]:
            assert f"{o['policy']} {o['clause']}" in s["duties"] and (not o.get("due") or f"due {o['due']}" in s["duties"])
        for x in d["suspended"]:
            assert f"{x['policy']} {x['clause']}" in s["suspended"] and x["through"] in s["suspended"]
        for x in d["overridden"]:
            assert f"{x['policy']} {x['clause']}" in s["overridden"]
            assert all(f"{b['policy']} {b['clause']}" in s["overridden"] for b in x["by"])
        for m in d["screening"]:
            assert m["entry"] in s["screening"]
        assert s["explained"] == len(d.get("explanation", []))
    assert browser.problems() == []
    browser.screenshot("all-examples")
