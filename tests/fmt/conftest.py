"""The `--update-goldens` switch of the formatter's golden files.

Run `python -m pytest tests/fmt --update-goldens` to rewrite every `tests/fmt/<name>.ecp.formatted`
from the formatter's current output; review the diff before committing it.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/fmt/*.ecp.formatted from the formatter's output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens", default=False))
