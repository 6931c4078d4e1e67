"""Shared test helpers: the shipped library, loaded once per session."""

from __future__ import annotations

import pytest

from policylang.library import load_shipped


@pytest.fixture(scope="session")
def shipped_program():
    program, diags = load_shipped()
    assert program is not None, [d.message for d in diags]
    return program


@pytest.fixture(scope="session")
def corpus_by_library():
    """Every case of the corpus (`tests/corpus`, `tests/eval`) that is a JSON object, grouped by
    the library its file names (() for the shipped one): `(name, case)` pairs, the file's
    default date written into cases that give none, so the case alone says what is decided."""
    from pathlib import Path

    from policylang.testing.suite import file_tests

    here = Path(__file__).parent
    files = sorted([*here.joinpath("corpus").glob("*.yaml"), *here.joinpath("eval").glob("*.yaml")])
    groups: dict[tuple[str, ...], list[tuple[str, dict]]] = {}
    for test in (t for f in files for t in file_tests(f)):
        if not isinstance(test.raw.data, dict):
            continue                     # text that is not a JSON object is no table row
        case = dict(test.raw.data)
        if case.get("date") is None and test.date is not None:
            case["date"] = test.date.isoformat()
        groups.setdefault(test.policies, []).append((test.name, case))
    return groups
