"""Colour at a terminal (`FORCE_COLOR` stands in for one here), none in pipes or with
`NO_COLOR`, and the same text either way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LINTS = ROOT / "tests" / "check" / "lints" / "lints.ecp"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TERM")}
    return subprocess.run([sys.executable, "-m", "policylang", *args], capture_output=True, text=True,
                          timeout=120, env={**clean, **env})


@pytest.mark.parametrize("args,stream", [(["check", str(LINTS)], "stderr"),
                                          (["eval", str(ROOT / "examples" / "cases.json")], "stdout")])
def test_colour_only_when_wanted_and_the_text_is_the_same(args, stream) -> None:
    plain = getattr(run(args), stream)
    coloured = getattr(run(args, FORCE_COLOR="1"), stream)
    refused = getattr(run(args, FORCE_COLOR="1", NO_COLOR="1"), stream)
    assert not ANSI.search(plain) and not ANSI.search(refused)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain == refused
