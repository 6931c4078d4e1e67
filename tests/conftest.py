"""Shared test helpers: the shipped library, loaded once per session."""

from __future__ import annotations

import pytest

from policylang.library import load_shipped


@pytest.fixture(scope="session")
def shipped_program():
    program, diags = load_shipped()
    assert program is not None, [d.message for d in diags]
    return program
