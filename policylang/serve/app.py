"""The routes of the decision service.

Takes: a `LiveLibrary` and the service's limits.
Returns: `create_app(live, max_body=…)`, a starlette ASGI app:
- `POST /v1/decide[?as_of=YYYY-MM-DD]`: a case (JSON object), cases (a JSON array) or JSON lines
  (`Content-Type: application/x-ndjson`) in; the decisions out, the same bytes as `policylang
  eval --format json` prints for the same input (one object, an array, or lines). 200 when
  every case was decided, 422 (same body) when some case is invalid, as `eval` exits 1;
- `GET /v1/library`: the library's identity (version, digest, sources checked through), when it
  was loaded, and its announcements;
- `GET /v1/timeline[?date=YYYY-MM-DD]`: what `policylang timeline --format json` prints;
- `POST /v1/reload`: load the folders again; the old library serves until the new one checks,
  and keeps serving (with the diagnostics in a 422) when it does not;
- `GET /healthz`; `GET /openapi.json`: the service described in OpenAPI 3.1.
Guarantees: bad input gets a 4xx with errors in the contract's shape (`code`, `message`,
`path`), never a 500 or a traceback; a body over `max_body` bytes is refused (413) without
being read whole; a request decides with one library from start to end, whatever reloads.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from policylang.eval import runner
from policylang.eval.cases import read_date
from policylang.serve.live import LiveLibrary, NotChecked

MAX_BODY = 10 * 1024 * 1024          # bytes; `policylang serve --max-body`
JSON_TYPES = ("application/json",)
LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


def _errors(status: int, code: str, message: str, path: str = "", **extra: Any) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message, "path": path}], **extra}, status)


class _TooLarge(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(live: LiveLibrary, max_body: int = MAX_BODY) -> Starlette:

    async def decide(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in JSON_TYPES + LINES_TYPES:
            return _errors(415, "E415", f"send cases as application/json or application/x-ndjson, not `{kind or 'nothing'}`")
        as_of = None
        if "as_of" in request.query_params:
            as_of = read_date(request.query_params["as_of"])
            if as_of is None:
                return _errors(400, "E508", f"invalid date `{request.query_params['as_of']}`: dates are written YYYY-MM-DD",
                               "as_of")
        try:
            body = await _body(request, max_body)
        except _TooLarge:
            return _errors(413, "E413", f"the body is over the limit of {max_body:,} bytes (`serve --max-body`)")
        served = live.current                     # this request's library, whatever reloads
        job = runner.EvalJob(tuple(live.paths), live.with_stdlib, live.engine_kind, served.engine.review_threshold,
                             None, "json", as_of)
        try:
            text, invalid = await run_in_threadpool(_decide, job, served.engine, body, kind in LINES_TYPES)
        except _Unreadable as exc:
            return _errors(400, "E501", f"the body is not valid JSON: {exc}")
        return Response(text, 422 if invalid else 200, media_type="application/x-ndjson" if kind in LINES_TYPES
                        else "application/json")

    async def library(request: Request) -> Response:
        served = live.current
        program = served.program
        announcements = [{"id": a.id, "title": next((t.text for t in a.titles), None),
                          "issued": a.issued.isoformat() if a.issued else None,
                          "clauses": len(a.clauses)} for a in program.announcements.values()]
        return JSONResponse({"library": served.identity.to_json(), "loaded_at": served.loaded_at.isoformat(),
                             "announcements": announcements})

    async def timeline(request: Request) -> Response:
        from policylang.timeline import clause_rows, coming_changes, recent_changes

        given = request.query_params.get("date")
        day = read_date(given) if given is not None else datetime.date.today()
        if day is None:
            return _errors(400, "E508", f"invalid date `{given}`: dates are written YYYY-MM-DD", "date")
        program = live.current.program
        return JSONResponse({"date": day.isoformat(), "clauses": [r.to_json() for r in clause_rows(program, day)],
                             "recent_changes": [c.to_json() for c in recent_changes(program, day)],
                             "changes": [c.to_json() for c in coming_changes(program, day)]})

    async def reload(request: Request) -> Response:
        try:
            served = await run_in_threadpool(live.reload)
        except NotChecked as exc:
            return JSONResponse({"errors": exc.diagnostics, "library": live.current.identity.to_json(),
                                 "message": "the library does not check; the old one keeps serving"}, 422)
        return JSONResponse({"library": served.identity.to_json(), "loaded_at": served.loaded_at.isoformat()})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "library": live.current.identity.to_json()["digest"]})

    async def openapi(request: Request) -> Response:
        return JSONResponse(OPENAPI)

    return Starlette(routes=[
        Route("/v1/decide", decide, methods=["POST"]),
        Route("/v1/library", library, methods=["GET"]),
        Route("/v1/timeline", timeline, methods=["GET"]),
        Route("/v1/reload", reload, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ], exception_handlers={Exception: _fault})


class _Unreadable(Exception):
    pass


def _decide(job: runner.EvalJob, engine, body: bytes, lines: bool) -> tuple[str, bool]:
    """The decisions' text, as `eval --format json` writes it for the same input, and whether
    some case was invalid."""
    from policylang.cli import _write       # the one writer of every output shape

    if lines:
        units, shape = runner._line_units(io.BytesIO(body), "request"), runner.LINES
    else:
        text = body.decode("utf-8-sig", errors="replace")
        try:
            json.loads(text)
        except ValueError as exc:
            raise _Unreadable(str(exc)) from None
        except RecursionError:
            raise _Unreadable("nested too deeply") from None
        units, shape = runner._document_units(body, "request")
    decider = runner.Decider(job, engine)
    out, invalid = io.StringIO(), False
    fmt = runner.output_format("json", shape)

    def decided():
        nonlocal invalid
        for unit in units:
            d = decider.decide(unit, fmt)
            invalid = invalid or d.outcome == "error"
            yield d
    _write(out, decided(), "json", shape, flush=False)
    return out.getvalue(), invalid


async def _fault(request: Request, exc: Exception) -> Response:
    """A fault of policylang: a JSON error naming it, never a traceback."""
    return _errors(500, "E499", f"a fault of policylang, please report it: {type(exc).__name__}")


OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {"title": "policylang decision service", "version": "1"},
    "paths": {
        "/v1/decide": {"post": {
            "summary": "Decide cases (contract §1-§4): one object, an array, or JSON lines",
            "parameters": [{"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"},
                            "description": "decide as if every case's date were this one"}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}},
                "application/x-ndjson": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "every case decided"},
                          "422": {"description": "some case invalid: its decision has outcome `error`"},
                          "400": {"description": "the body is not JSON"}, "413": {"description": "body too large"},
                          "415": {"description": "wrong content type"}}}},
        "/v1/library": {"get": {"summary": "The library served: identity and announcements",
                                "responses": {"200": {"description": "the library"}}}},
        "/v1/timeline": {"get": {"summary": "Every clause's state on a date",
                                 "parameters": [{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}}],
                                 "responses": {"200": {"description": "the time line"}}}},
        "/v1/reload": {"post": {"summary": "Load the library again; the old one serves until the new one checks",
                                "responses": {"200": {"description": "reloaded"},
                                              "422": {"description": "does not check; the old library serves"}}}},
        "/healthz": {"get": {"summary": "Alive", "responses": {"200": {"description": "ok"}}}},
    },
}
