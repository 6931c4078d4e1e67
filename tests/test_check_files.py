"""Runner for checker tests written as data.

Each `.ecp` file under `tests/check/` is checked together with the shipped stdlib. A comment
`#! E102` at the end of a line says that a diagnostic with that code starts on that line (several
codes: `#! E101 E203`; a code written twice, two of them). A file with no markers must check
clean. The runner asserts the exact (line, code) pairs, each as many times as marked, so a test
fails on a missing diagnostic, on an unexpected one and on one reported twice.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from policylang.library import load

HERE = Path(__file__).parent / "check"
FILES = sorted(HERE.rglob("*.ecp"))
MARKER = re.compile(r"#!\s*((?:[EW]\d{3}\s*)+)$")


def expected_markers(path: Path) -> Counter[tuple[int, str]]:
    expected: Counter[tuple[int, str]] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = MARKER.search(line)
        if match:
            expected.update((number, code) for code in match.group(1).split())
    return expected


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(HERE)) for p in FILES])
def test_check_file(path: Path) -> None:
    _, diags = load([path])
    mine = [d for d in diags if d.span is not None and Path(d.span.path).resolve() == path.resolve()]
    others = [d for d in diags if d not in mine]
    assert not others, [f"{d.code} {d.message}" for d in others]
    found = Counter((d.span.line, d.code) for d in mine)
    assert found == expected_markers(path), [f"{d.span.line}: {d.code} {d.message}" for d in mine]
    for d in mine:
        assert d.message and not d.message[0].isupper() and not d.message.endswith(".")


def test_there_are_check_files() -> None:
    assert len(FILES) >= 10
