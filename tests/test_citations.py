"""Citations a reader can follow, and the library's identity (contract §4, issue 8).

Every decision of the corpus cites its law as a lawyer would: no `source` carries one of the
research labels the library was once written with (`P61zh`, `SEED4`, `PCAT` …), and every reason
from Nos. 61 and 62 links the official page. No `.ecp` file of the shipped library, comments
included, names such a label either. The same library files always give the same digest.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from policylang.eval.law import library_identity
from policylang.library import load, policies_dir, stdlib_dir
from policylang.testing.suite import Libraries, file_tests, run_test

TESTS = Path(__file__).parent
# The labels of the research notes behind the library: short ids of sources, never a citation.
LABEL = re.compile(r"\b(SEED[0-9]|PCAT|PAN|PJP|PJUN|PUEL|PURL|PERR|PGL|PWH|PUS|PREG|PAUG|PNOV5"
                   r"|P[0-9]{2}(zh|en[0-9]?|faq|ann)?)\b")
OFFICIAL = ("MOFCOM-2025-61", "MOFCOM-2025-62")


def test_the_label_pattern_catches_each_kind_of_label() -> None:
    for label in ("P61zh", "SEED4", "PCAT", "PAN", "P46", "P70en", "P18faq", "PJUN"):
        assert LABEL.search(f"No. 61 I ({label}; hk.crntt.com)"), label
    assert not LABEL.search("MOFCOM Announcement No. 61 of 2025, Article I(1); PANDA; P2P; SEED; P460")


@pytest.mark.parametrize("path", sorted([*policies_dir().glob("*.ecp"), *stdlib_dir().glob("*.ecp")]),
                         ids=lambda p: p.name)
def test_no_library_file_names_a_research_label(path: Path) -> None:
    found = [(n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if LABEL.search(line)]
    assert not found, f"{path.name}: research labels at {found}"


def _corpus_decisions() -> list[dict]:
    libraries = Libraries([policies_dir()])
    tests = [t for f in sorted(TESTS.joinpath("corpus").glob("*.yaml")) for t in file_tests(f)]
    return [run_test(t, libraries, None).decision for t in tests]


def test_every_reason_of_the_corpus_cites_without_labels_and_61_62_link_the_official_page() -> None:
    reasons = [r for d in _corpus_decisions() for r in d.get("reasons", [])]
    assert len(reasons) > 250
    labelled = [r["source"] for r in reasons if LABEL.search(r["source"])]
    assert not labelled, labelled[:5]
    unlinked = [(r["policy"], r["clause"]) for r in reasons if r["policy"] in OFFICIAL and not r.get("url")]
    assert not unlinked, unlinked[:5]
    assert any(r["policy"] == "MOFCOM-2025-61" for r in reasons)
    assert all(r["source"].startswith(("MOFCOM", "Unreliable Entity List")) for r in reasons), \
        {r["source"][:60] for r in reasons if not r["source"].startswith(("MOFCOM", "Unreliable"))}


def test_the_same_files_give_the_same_digest_wherever_they_lie(tmp_path: Path) -> None:
    program, _ = load([policies_dir()])
    copy = tmp_path / "elsewhere"
    shutil.copytree(policies_dir(), copy)
    again, _ = load([copy])
    assert library_identity(program) == library_identity(again)
    assert library_identity(program).digest.startswith("sha256:")
    assert library_identity(program).checked_through.isoformat() == "2026-08-31"


def test_a_changed_file_changes_the_digest(tmp_path: Path) -> None:
    copy = tmp_path / "edited"
    shutil.copytree(policies_dir(), copy)
    edited = copy / "MOFCOM-2025-72.ecp"
    edited.write_text(edited.read_text(encoding="utf-8").replace("2026-11-27", "2026-11-26"), encoding="utf-8")
    program, _ = load([policies_dir()])
    changed, diags = load([copy])
    assert changed is not None, diags
    assert library_identity(program).digest != library_identity(changed).digest
