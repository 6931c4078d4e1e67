"""The service described in OpenAPI 3.1, with the case and decision schemas of `policylang schema`.

Takes: the library being served (`Served`).
Returns: `document(served)`, the OpenAPI document as a dict.
Guarantees: the `Case` and `Decision` schemas (and every record a case uses) are those `policylang
schema` and `policylang schema --decision` print for the same library, moved under
`components/schemas` (OpenAPI 3.1 schemas are JSON Schema 2020-12, so only the `$ref`s change);
made once per library and kept.
"""

from __future__ import annotations

from typing import Any

_MADE: dict[str, dict] = {}           # library digest -> document


def document(served) -> dict:
    digest = served.identity.to_json()["digest"]
    if digest not in _MADE:
        if len(_MADE) > 8:            # reloads: keep a few
            _MADE.clear()
        _MADE[digest] = _document(served)
    return _MADE[digest]


def _moved(value: Any) -> Any:
    """A schema whose `#/$defs/X` references point at `#/components/schemas/X`."""
    if isinstance(value, dict):
        return {k: ("#/components/schemas/" + v[len("#/$defs/"):] if k == "$ref" and isinstance(v, str)
                    and v.startswith("#/$defs/") else _moved(v)) for k, v in value.items() if k != "$schema"}
    if isinstance(value, list):
        return [_moved(v) for v in value]
    return value


def _document(served) -> dict:
    from policylang.schema import case_schema, decision_schema

    cases, decision = case_schema(served.program), decision_schema(served.program)
    schemas = {name: _moved(s) for name, s in cases["$defs"].items()}
    schemas["Cases"] = _moved({k: v for k, v in cases.items() if k != "$defs"})
    schemas["Decision"] = _moved(decision)
    ref = {"$ref": "#/components/schemas/Case"}
    decision_ref = {"$ref": "#/components/schemas/Decision"}
    errors = {"type": "object", "required": ["errors"], "properties": {"errors": {"type": "array", "items": {
        "type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                         "path": {"type": "string"}}}}}}
    schemas["Errors"] = errors
    bad = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}

    def problem(text: str) -> dict:
        return {**bad, "description": text}

    date = {"type": "string", "format": "date"}
    decisions = {"application/json": {"schema": {"oneOf": [decision_ref, {"type": "array", "items": decision_ref}]}},
                 "application/x-ndjson": {"schema": {"type": "string", "description": "one decision a line"}}}
    identity = served.identity.to_json()
    return {
        "openapi": "3.1.0",
        "info": {"title": "policylang decision service", "version": identity.get("version") or "0",
                 "description": f"Decisions by the library {identity['digest']}. The case format is "
                                "docs/cases.md; `policylang schema` prints its JSON Schema."},
        "components": {"schemas": schemas},
        "paths": {
            "/v1/decide": {"post": {
                "summary": "Decide cases: one object, an array, or JSON lines (as `policylang eval --format json`)",
                "parameters": [
                    {"name": "as_of", "in": "query", "schema": date,
                     "description": "decide as if every case's date were this one (`eval --as-of`)"},
                    {"name": "explain", "in": "query", "schema": {"type": "boolean"},
                     "description": "say why each relevant clause did not apply (`eval --explain`)"}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"oneOf": [ref, {"type": "array", "items": ref}]}},
                    "application/x-ndjson": {"schema": {"type": "string", "description": "one case a line"}}}},
                "responses": {"200": {"description": "every case decided", "content": decisions},
                              "422": {"description": "some case invalid: its decision has outcome `error`",
                                      "content": decisions},
                              "400": problem("the body is not JSON, or a query parameter is wrong"),
                              "413": problem("the body is over the limit (`serve --max-body`)"),
                              "415": problem("not application/json or application/x-ndjson")}}},
            "/v1/screen": {"post": {
                "summary": "Screen party names against the lists in force (as `policylang screen --format json`)",
                "parameters": [{"name": "date", "in": "query", "schema": date}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "properties": {"names": {"type": "array", "items": {"type": "string"}},
                                                      "date": date}, "required": ["names"]}]}}}},
                "responses": {"200": {"description": "each name, its listings and near matches"},
                              "400": problem("not names"), "413": problem("body too large"),
                              "415": problem("not application/json")}}},
            "/v1/library": {"get": {"summary": "The library served: identity and announcements",
                                    "responses": {"200": {"description": "the library"}}}},
            "/v1/timeline": {"get": {"summary": "Every clause's state on a date (as `policylang timeline --format json`)",
                                     "parameters": [{"name": "date", "in": "query", "schema": date}],
                                     "responses": {"200": {"description": "the time line"},
                                                   "400": problem("not a date")}}},
            "/v1/timeline/bands": {"get": {"summary": "Every clause's life as bands of one state, and the revivals",
                                           "parameters": [{"name": "date", "in": "query", "schema": date}],
                                           "responses": {"200": {"description": "the bands"},
                                                         "400": problem("not a date")}}},
            "/v1/schema": {"get": {"summary": "The case schema (`policylang schema`)",
                                   "responses": {"200": {"description": "JSON Schema 2020-12"}}}},
            "/v1/examples": {"get": {"summary": "The example cases (examples/cases.json)",
                                     "responses": {"200": {"description": "cases",
                                                           "content": {"application/json": {"schema": {
                                                               "type": "array", "items": ref}}}}}}},
            "/v1/reload": {"post": {"summary": "Load the library again; the old one serves until the new one checks",
                                    "responses": {"200": {"description": "reloaded"},
                                                  "422": problem("does not check; the old library serves")}}},
            "/healthz": {"get": {"summary": "Alive", "responses": {"200": {"description": "ok"}}}},
            "/": {"get": {"summary": "The page: cases, decisions, the time line, analysis findings",
                          "responses": {"200": {"description": "HTML"}}}},
        },
    }
