"""`policylang report`: one HTML file holding the time line and the findings, nothing fetched."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from policylang.library import load_shipped
from policylang.serve import STATIC
from policylang.timeline import bands

ANALYSIS = Path(__file__).parent / "fixtures" / "analysis.json"     # `analyze --format json`, a few findings


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.data: dict[str, str] = {}
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = dict(attrs).get("id") if tag == "script" else None

    def handle_data(self, data):
        if self._in:
            self.data[self._in] = self.data.get(self._in, "") + data


def report(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", "report", *args, "-o", str(tmp_path / "report.html")],
                          capture_output=True, text=True, timeout=300)


def test_the_report_is_one_file_with_the_time_line_and_the_findings(tmp_path) -> None:
    done = report(tmp_path, "--date", "2026-11-30", "--analysis", str(ANALYSIS))
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    # nothing fetched: no script or style comes from an address, the style loads no url()
    assert not [a for t, a in tags.tags if t in ("script", "img", "iframe") and "src" in a]
    assert not [a for t, a in tags.tags if t == "link"]
    assert "url(" not in "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    assert "@import" not in page
    # the page's own scripts and style, inlined
    for name in ("common.js", "timeline.js", "findings.js", "decision.js", "report.js", "style.css"):
        assert (STATIC / name).read_text(encoding="utf-8").strip() in page
    data = json.loads(tags.data["report-data"])
    assert data["bands"] == bands(load_shipped()[0], datetime.date(2026, 11, 30))
    assert {"2026-11-11", "2026-11-28"} <= {r["date"] for r in data["bands"]["revivals"]}
    assert json.loads(data["analysis"]) == json.loads(ANALYSIS.read_text(encoding="utf-8"))


def test_the_data_cannot_close_its_script_element(tmp_path) -> None:
    hostile = tmp_path / "analysis.json"
    hostile.write_text(json.dumps({"findings": [{"kind": "conflict", "clauses": [], "message": "</script><script>alert(1)</script>"}]}))
    assert report(tmp_path, "--analysis", str(hostile)).returncode == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "alert(1)" in page and "</script><script>alert" not in page


def test_an_analysis_file_that_is_not_one_is_refused(tmp_path) -> None:
    for text in ("{not json", "[1, 2]", '{"stats": {}}'):
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        done = report(tmp_path, "--analysis", str(bad))
        assert done.returncode == 2 and "--analysis" in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "report.html").exists()
