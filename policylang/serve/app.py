"""The routes of the decision service.

Takes: a `LiveLibrary`, the service's limits and, with `--log`, the decision log.
Returns: `create_app(live, max_body=…, log=…)`, a starlette ASGI app:
- `POST /v1/decide[?as_of=YYYY-MM-DD][&explain]`: a case (JSON object), cases (a JSON array) or
  JSON lines (`Content-Type: application/x-ndjson`) in; the decisions out, the same bytes as
  `policylang eval --format json [--as-of D] [--explain]` prints for the same input (one object,
  an array, or lines). 200 when every case was decided, 422 (same body) when some case is
  invalid, as `eval` exits 1;
- `POST /v1/screen[?date=YYYY-MM-DD]`: names (a JSON array of strings, or `{"names": […],
  "date": …}`) in; what `policylang screen --format json` prints for them out;
- `GET /v1/library`: the library's identity (version, digest, sources checked through), when it
  was loaded, and its announcements;
- `GET /v1/timeline[?date=YYYY-MM-DD]`: what `policylang timeline --format json` prints;
  `GET /v1/timeline/bands[?date=…]`: every clause's life as bands of one state each
  (`timeline.bands`), for the page's time line;
- `GET /v1/schema`: the case schema (`policylang schema`); `GET /v1/examples`: the example cases;
- `POST /v1/reload`: load the folders again; the old library serves until the new one checks,
  and keeps serving (with the diagnostics in a 422) when it does not (409 with `--workers N`,
  where `SIGHUP` reloads);
- `GET /healthz`; `GET /openapi.json`: the service in OpenAPI 3.1, its case and decision
  schemas those of `policylang schema` (`openapi.py`);
- `GET /` and `/static/…`: the page (`static/`, `page.py`).
Guarantees: bad input gets a 4xx with errors in the contract's shape (`code`, `message`,
`path`), never a 500 or a traceback; a body over `max_body` bytes is refused (413) without
being read whole; a request decides with one library from start to end, whatever reloads; with
a log, every decision is in it (one batch per request, written and synced) before its answer
is sent, as `eval --log` writes it.
"""

from __future__ import annotations

import datetime
import io
import json
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from policylang.eval import runner
from policylang.eval.cases import read_date
from policylang.serve import page
from policylang.serve.live import LiveLibrary, NotChecked, Served

MAX_BODY = 10 * 1024 * 1024          # bytes; `policylang serve --max-body`
JSON_TYPES = ("application/json",)
LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
TRUE, FALSE = ("", "1", "true", "yes", "on"), ("0", "false", "no", "off")


def _errors(status: int, code: str, message: str, path: str = "", **extra: Any) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message, "path": path}], **extra}, status)


class _TooLarge(Exception):
    pass


class _BadQuery(Exception):
    def __init__(self, response: Response):
        self.response = response


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


def _date_param(request: Request, name: str) -> datetime.date | None:
    if name not in request.query_params:
        return None
    given = request.query_params[name]
    day = read_date(given)
    if day is None:
        raise _BadQuery(_errors(400, "E508", f"invalid date `{given}`: dates are written YYYY-MM-DD", name))
    return day


def _flag_param(request: Request, name: str) -> bool:
    if name not in request.query_params:
        return False
    given = request.query_params[name].strip().lower()
    if given in TRUE or given in FALSE:
        return given in TRUE
    raise _BadQuery(_errors(400, "E503", f"expected true or false, found `{request.query_params[name]}`", name))


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


class _Pending:
    """A request's decision-log lines, gathered while it is decided and written once at its end."""

    def __init__(self):
        self.lines: list[str] = []

    def add(self, line: str | None) -> None:
        if line is not None:
            self.lines.append(line)

    def flush(self) -> None:
        pass


def create_app(live: LiveLibrary, max_body: int = MAX_BODY, log=None,
               command: tuple[str, ...] = ("policylang", "serve"), reload_route: bool = True) -> Starlette:
    """The service over `live`; with `log` (an `audit.log.DecisionLog`), every decision logged.
    Without `reload_route` (one worker of several, each with its own library), `POST /v1/reload`
    is refused (409): it would reload one worker; `SIGHUP` to the server reloads them all."""
    log_lock = threading.Lock()          # one request's batch at a time: the log file is shared

    def log_context(served: Served, as_of, explain: bool):
        if log is None:
            return None
        from policylang.audit.log import LogContext
        return LogContext(live.engine_kind, command, served.identity.to_json(), None, as_of,
                          served.engine.review_threshold, explain)

    def write_log(pending: _Pending) -> None:
        with log_lock:
            log.add_batch(pending.lines)      # one locked, synced write a request, however large

    async def decide(request: Request) -> Response:
        kind = _content_type(request)
        if kind not in JSON_TYPES + LINES_TYPES:
            return _errors(415, "E415", f"send cases as application/json or application/x-ndjson, not `{kind or 'nothing'}`")
        try:
            as_of, explain = _date_param(request, "as_of"), _flag_param(request, "explain")
            body = await _body(request, max_body)
        except _BadQuery as bad:
            return bad.response
        except _TooLarge:
            return _errors(413, "E413", f"the body is over the limit of {max_body:,} bytes (`serve --max-body`)")
        served = live.current                     # this request's library, whatever reloads
        job = runner.EvalJob(tuple(live.paths), live.with_stdlib, live.engine_kind, served.engine.review_threshold,
                             None, "json", as_of, explain=explain, log=log_context(served, as_of, explain))
        pending = _Pending() if log is not None else None
        try:
            text, invalid = await run_in_threadpool(_decide, job, served.engine_for(explain), body,
                                                    kind in LINES_TYPES, pending)
        except _Unreadable as exc:
            return _errors(400, "E501", f"the body is not valid JSON: {exc}")
        if pending is not None:
            await run_in_threadpool(write_log, pending)
        return Response(text, 422 if invalid else 200, media_type="application/x-ndjson" if kind in LINES_TYPES
                        else "application/json")

    async def screen(request: Request) -> Response:
        from policylang.screen import MAX_NAME, screen_name

        if _content_type(request) not in JSON_TYPES:
            return _errors(415, "E415", f"send names as application/json, not `{_content_type(request) or 'nothing'}`")
        try:
            day = _date_param(request, "date")
            body = await _body(request, max_body)
        except _BadQuery as bad:
            return bad.response
        except _TooLarge:
            return _errors(413, "E413", f"the body is over the limit of {max_body:,} bytes (`serve --max-body`)")
        try:
            given = json.loads(body.decode("utf-8-sig"))
        except (ValueError, RecursionError) as exc:
            return _errors(400, "E501", f"the body is not valid JSON: {exc if isinstance(exc, ValueError) else 'nested too deeply'}")
        if isinstance(given, dict):
            if "date" in given and day is None:
                day = read_date(given["date"]) if isinstance(given["date"], str) else None
                if day is None:
                    return _errors(400, "E508", f"invalid date `{given['date']}`: dates are written YYYY-MM-DD", "date")
            given = given.get("names")
        if not isinstance(given, list):
            return _errors(400, "E503", "expected an array of names, or an object with `names`", "names")
        for i, name in enumerate(given):
            if not isinstance(name, str):
                return _errors(400, "E503", f"expected a name, found `{json.dumps(name)[:40]}`", f"names[{i}]")
            if len(name) > MAX_NAME:
                return _errors(400, "E503", f"a name of {len(name)} characters: names are at most {MAX_NAME}",
                               f"names[{i}]")
        served = live.current
        day = day or datetime.date.today()

        def screened() -> str:
            law = served.engine.law
            found = [screen_name(law.screening, served.program.entity_lists, name, day,
                                 served.engine.review_threshold) for name in given]
            return json.dumps([s.to_json() for s in found], ensure_ascii=False, indent=2) + "\n"
        return Response(await run_in_threadpool(screened), 200, media_type="application/json")

    async def library(request: Request) -> Response:
        served = live.current
        program = served.program
        announcements = [{"id": a.id, "title": next((t.text for t in a.titles), None),
                          "issued": a.issued.isoformat() if a.issued else None,
                          "clauses": len(a.clauses)} for a in program.announcements.values()]
        return JSONResponse({"library": served.identity.to_json(), "loaded_at": served.loaded_at.isoformat(),
                             "announcements": announcements})

    async def timeline(request: Request) -> Response:
        from policylang.timeline import state_on

        try:
            day = _date_param(request, "date") or datetime.date.today()
        except _BadQuery as bad:
            return bad.response
        program = live.current.program
        return JSONResponse({"date": day.isoformat(), **state_on(program, day)})

    async def bands(request: Request) -> Response:
        from policylang.timeline import bands as timeline_bands

        try:
            day = _date_param(request, "date") or datetime.date.today()
        except _BadQuery as bad:
            return bad.response
        return JSONResponse(timeline_bands(live.current.program, day))

    async def schema(request: Request) -> Response:
        return JSONResponse(page.case_schema_of(live.current))

    async def examples(request: Request) -> Response:
        return JSONResponse(page.example_cases())

    async def reload(request: Request) -> Response:
        if not reload_route:
            return _errors(409, "E409", "with `--workers N` each worker holds its own library: send SIGHUP to the "
                                        "server's main process to reload them all")
        try:
            served = await run_in_threadpool(live.reload)
        except NotChecked as exc:
            return JSONResponse({"errors": exc.diagnostics, "library": live.current.identity.to_json(),
                                 "message": "the library does not check; the old one keeps serving"}, 422)
        return JSONResponse({"library": served.identity.to_json(), "loaded_at": served.loaded_at.isoformat()})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "library": live.current.identity.to_json()["digest"]})

    async def openapi(request: Request) -> Response:
        from policylang.serve.openapi import document
        return JSONResponse(document(live.current))

    return Starlette(routes=[
        Route("/v1/decide", decide, methods=["POST"]),
        Route("/v1/screen", screen, methods=["POST"]),
        Route("/v1/library", library, methods=["GET"]),
        Route("/v1/timeline", timeline, methods=["GET"]),
        Route("/v1/timeline/bands", bands, methods=["GET"]),
        Route("/v1/schema", schema, methods=["GET"]),
        Route("/v1/examples", examples, methods=["GET"]),
        Route("/v1/reload", reload, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/", page.index, methods=["GET"]),
        Mount("/static", app=page.static_files(), name="static"),
    ], exception_handlers={HTTPException: _refused, Exception: _fault})


class _Unreadable(Exception):
    pass


def _decide(job: runner.EvalJob, engine, body: bytes, lines: bool, log=None) -> tuple[str, bool]:
    """The decisions' text, as `eval --format json` writes it for the same input, and whether
    some case was invalid; with `log`, each decision's log line handed to it."""
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
    decider = runner.Decider(job, engine, freeze=False)    # frozen at every request, garbage would stay
    out, invalid = io.StringIO(), False
    fmt = runner.output_format("json", shape)

    def decided():
        nonlocal invalid
        for unit in units:
            d = decider.decide(unit, fmt)
            invalid = invalid or d.outcome == "error"
            yield d
    _write(out, decided(), "json", shape, flush=False, log=log)
    return out.getvalue(), invalid


async def _refused(request: Request, exc: HTTPException) -> Response:
    """A route that does not exist, a method a route does not take: the contract's errors too."""
    words = {404: f"no route `{request.url.path}`: see /openapi.json",
             405: f"`{request.method}` is not a method of `{request.url.path}`"}
    return JSONResponse({"errors": [{"code": f"E{exc.status_code}", "message": words.get(exc.status_code, str(exc.detail)),
                                     "path": ""}]}, exc.status_code, headers=exc.headers)


async def _fault(request: Request, exc: Exception) -> Response:
    """A fault of policylang: a JSON error naming it, never a traceback."""
    return _errors(500, "E499", f"a fault of policylang, please report it: {type(exc).__name__}")
