"""A stage that raised instead of reporting, as one diagnostic: every file always gets a verdict.

Takes: the name of the stage (`parse`, `index`, `check`), the file it was working on, and the
exception it raised (today: `RecursionError` on deep nesting, lark's `VisitError` on a bad escape
such as `"\\x"` in a string).
Returns: an error `Diagnostic` with code `FAULT_CODE`, placed where the exception says it was
(the parse tree node or token a lark `VisitError` carries), else at the start of the file.
Guarantees: never raises; the message is one lowercase sentence with the exception in backticks,
cut to `DETAIL` characters (characters that cannot be written replaced); the texts live in
`MESSAGES` here, the registry of internal faults beside the project's registry of findings
(`policylang.diagnostics.MESSAGES`), because this is a fault of policylang, not of the file, that
the user must still see in place: the language server shows it, and `policylang check` (through
`library.load`) reports it as a diagnostic of the file (exit 2) rather than failing.

>>> from policylang.source import SourceFile
>>> d = fault("parse", SourceFile("x.ecp", "def x = 1\\n"), RecursionError("maximum recursion depth exceeded"))
>>> d.code, d.message, d.span.start
('E000', 'an expression in this file is nested too deeply to be parsed', 0)
"""

from __future__ import annotations

from policylang.diagnostics import Diagnostic
from policylang.source import SourceFile, Span

FAULT_CODE = "E000"
DETAIL = 200

MESSAGES = {
    "deep": "an expression in this file is nested too deeply to be {done}",
    "fault": "policylang could not {verb} this file: `{detail}`",
}
HELP = {
    "deep": "split long `and`/`or`/`+` chains and deeply nested expressions into named definitions",
    "fault": "this is a fault in policylang, not necessarily in the file: please report it with the file",
}
_DONE = {"parse": "parsed", "index": "indexed", "check": "checked", "analyse": "analysed"}


def fault(stage: str, file: SourceFile, exc: BaseException) -> Diagnostic:
    """The diagnostic that stands for `exc`, raised while `stage` worked on `file`."""
    cause = getattr(exc, "orig_exc", None) or exc   # lark wraps a transformer's fault
    kind = "deep" if isinstance(cause, RecursionError) else "fault"
    detail = " ".join(f"{type(cause).__name__}: {cause}".split()).encode("utf-8", "replace").decode("utf-8")
    if len(detail) > DETAIL:
        detail = detail[: DETAIL - 1] + "…"
    message = MESSAGES[kind].format(done=_DONE.get(stage, stage), verb=stage, detail=detail.replace("`", "'"))
    return Diagnostic(FAULT_CODE, "error", message, _place(file, exc), HELP[kind])


def _place(file: SourceFile, exc: BaseException) -> Span:
    """The span the exception names (a lark tree's `meta` or a token), else the start of the file."""
    where = getattr(exc, "obj", None)
    where = getattr(where, "meta", where)
    try:
        start, end = int(getattr(where, "start_pos")), int(getattr(where, "end_pos"))
    except (AttributeError, TypeError, ValueError):
        return Span(file, 0, 0)
    if not 0 <= start <= end <= len(file.text):
        return Span(file, 0, 0)
    return Span(file, start, end)
