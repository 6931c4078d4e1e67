"""The documentation a user reads: links that lead somewhere inside the repository, and examples
that are what they claim (the cases in docs/cases.md are decided, its dispositions read)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from policylang.engines import engine
from policylang.eval.cases import RawCase
from policylang.library import load_shipped
from policylang.semantics.dispositions import from_records

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_link_of_the_readme_and_the_docs_stays_in_the_repository() -> None:
    checked = 0
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in LINK.findall(text):
            if target.startswith("#"):
                continue
            assert "://" not in target or target.startswith("https://"), (page.name, target)
            if "://" in target:
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT.resolve()) and path.exists(), f"{page.name}: `{target}`"
            checked += 1
        assert "../" not in text, f"{page.name} names a path outside the repository"
    assert checked >= 3


def test_the_readme_links_the_case_format() -> None:
    assert "](docs/cases.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_the_example_cases_of_the_case_format_are_decided() -> None:
    program, _ = load_shipped()
    decide = engine(program).decide
    decided = 0
    for block in blocks("json"):
        try:
            data = json.loads(block)
        except ValueError:
            continue            # a fragment with `…` (a decision, a log line)
        if isinstance(data, dict) and "date" in data and "outcome" not in data:
            decision = decide(RawCase(data, "docs/cases.md"))
            unknown = [w for w in decision.warnings if w.code.startswith("W5")]    # a field the format lacks
            assert not decision.errors and not unknown, (data, decision.errors, unknown)
            decided += 1
    assert decided >= 3


def test_the_example_dispositions_are_read() -> None:
    program, _ = load_shipped()
    (block,) = blocks("yaml")
    found, problems = from_records(json.loads(json.dumps(yaml.safe_load(block), default=str)), program.entity_lists)
    assert found is not None and not problems
