"""`policylang serve`: the decision service over HTTP (see `app.py` for the routes).

Takes: the policy folders (as `eval` takes them), the address to bind, the body limit, workers,
and `--log FILE`, the decision log every decision is appended to (as `eval --log` does).
Returns: runs until stopped (Ctrl-C, SIGTERM). `SIGHUP` reloads the library as `POST
/v1/reload` does: the new library serves only once it checks.
Guarantees: binds to loopback (127.0.0.1) unless `--host` says otherwise, and says so; a
library that does not check at start is reported with its diagnostics and exit 2.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

import click

from policylang.library import policies_dir


def _need_extra() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        click.echo('error: `policylang serve` needs the serve extra: pip install "policylang[serve]"', err=True)
        sys.exit(2)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to bind (loopback by default).")
@click.option("--port", default=8181, show_default=True, type=click.IntRange(0, 65535))
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
@click.option("--max-body", default=10 * 1024 * 1024, show_default=True, type=click.IntRange(1),
              help="The largest request body, in bytes (larger: 413).")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per decision to FILE, as `eval --log` does (`policylang log verify`).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1),
              help="Worker processes (each loads the library; SIGHUP then restarts them all).")
def serve(host: str, port: int, policy_dirs: tuple[Path, ...], no_stdlib: bool, max_body: int, log_file: Path | None,
          workers: int) -> None:
    """Serve decisions over HTTP (POST /v1/decide, /v1/screen; GET /v1/library, /v1/timeline,
    /openapi.json, /healthz) and the page at /."""
    _need_extra()
    import uvicorn

    from policylang.serve.app import create_app
    from policylang.serve.live import LiveLibrary, NotChecked

    paths = [str(p) for p in (policy_dirs or [policies_dir()])]
    where = "loopback only; --host 0.0.0.0 serves other machines" if host in ("127.0.0.1", "localhost", "::1") \
        else "reachable from other machines"
    click.echo(f"policylang serve: http://{host}:{port} ({where})", err=True)
    log = None
    if log_file is not None:
        from policylang.audit.log import DecisionLog
        try:
            log = DecisionLog(log_file)
        except OSError as exc:
            raise click.BadParameter(f"cannot append to `{log_file}`: {exc.strerror or exc}",
                                     param_hint="--log") from None
    command = ("policylang", *sys.argv[1:])
    try:
        live = LiveLibrary(paths, with_stdlib=not no_stdlib)      # with --workers too: refused here, once
    except NotChecked as exc:
        click.echo(f"error: the library does not check:\n{_diagnostics(exc)}", err=True)
        sys.exit(2)
    if workers > 1:
        del live                              # each worker loads its own, and opens its own log
        if log is not None:
            log.close()                       # (appends are locked)
        # JSON: an environment variable cannot hold a NUL byte
        os.environ["POLICYLANG_SERVE"] = json.dumps({"stdlib": not no_stdlib, "max_body": max_body,
                                                     "log": str(log_file) if log_file else None,
                                                     "command": list(command), "paths": paths})
        uvicorn.run("policylang.serve.command:app_from_environment", factory=True, host=host, port=port,
                    workers=workers, log_level="warning")
        return

    def on_hangup(signum, frame) -> None:
        def reload() -> None:
            try:
                live.reload()
                click.echo("policylang serve: library reloaded", err=True)
            except NotChecked as exc:
                click.echo(f"policylang serve: reload refused, {exc}; the old library keeps serving:\n"
                           f"{_diagnostics(exc)}", err=True)
        threading.Thread(target=reload, daemon=True).start()

    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, on_hangup)
    try:
        uvicorn.run(create_app(live, max_body, log, command), host=host, port=port, log_level="warning")
    finally:
        if log is not None:
            log.close()


def _diagnostics(exc) -> str:
    """A refused library's diagnostics, as `policylang check` prints them."""
    from policylang.diagnostics import render_text

    return render_text(exc.found)


def app_from_environment():
    """The app of one worker process (`--workers N`), configured by its parent. On `SIGHUP`
    uvicorn starts a new worker before it stops an old one and keeps the old one when the new
    one does not start: a library that does not check ends the new worker here, with its
    diagnostics, and the old workers keep serving."""
    from policylang.serve.app import create_app
    from policylang.serve.live import LiveLibrary, NotChecked

    given = json.loads(os.environ["POLICYLANG_SERVE"])
    try:
        live = LiveLibrary(given["paths"], with_stdlib=given["stdlib"])
    except NotChecked as exc:
        click.echo(f"policylang serve: reload refused, the library does not check:\n{_diagnostics(exc)}\n"
                   "the old workers keep serving", err=True)
        sys.exit(2)
    log = None
    if given["log"]:
        from policylang.audit.log import DecisionLog
        log = DecisionLog(given["log"])
    return create_app(live, given["max_body"], log, tuple(given["command"]), reload_route=False)
