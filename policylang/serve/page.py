"""The page of the decision service: `GET /` and its static files, and the JSON it loads.

Takes: the library being served.
Returns: `index` (the page), `static_files()` (`/static/…`: `policylang/serve/static/`, shipped
in the package), `case_schema_of(served)` (`policylang schema` of the library, made once per
library), `example_cases()` (the shipped `examples/cases.json`, as JSON values).
Guarantees: the page is plain HTML, CSS and JavaScript read from the package: nothing is built,
nothing is fetched from another site, so it works offline.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from policylang.serve import STATIC

_SCHEMAS: dict[str, dict] = {}


async def index(request: Request) -> Response:
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)


def case_schema_of(served) -> dict:
    from policylang.schema import case_schema

    digest = served.identity.to_json()["digest"]
    if digest not in _SCHEMAS:
        if len(_SCHEMAS) > 8:
            _SCHEMAS.clear()
        _SCHEMAS[digest] = case_schema(served.program)
    return _SCHEMAS[digest]


def example_cases() -> list:
    from policylang.library import examples_file

    try:
        return json.loads(examples_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
