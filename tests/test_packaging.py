"""What a user installs: the wheel carries the licence, the typing marker and the library."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_wheel_holds_license_py_typed_and_the_shipped_library(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel, = tmp_path.glob("policylang-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "policylang/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "policylang/_library/stdlib/schema.ecp" in names
    assert any(n.startswith("policylang/_library/policies/") and n.endswith(".ecp") for n in names)
    # the service's page and `policylang report` read these from the installed package
    assert "policylang/_library/examples/cases.json" in names
    for page in ("index.html", "style.css", "common.js", "validate.js", "decision.js", "timeline.js", "findings.js",
                 "page.js", "report.js"):
        assert f"policylang/serve/static/{page}" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: MIT" in metadata and "Requires-Dist: pyyaml" in metadata
