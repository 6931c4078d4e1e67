"""policylang: export-control law as code.

The public façade: `load` a library of `.ecp` files, `evaluate` cases against it. Names are
imported when first used, so `import policylang` costs a command nothing it does not need.

>>> from policylang import load_shipped, evaluate_json
>>> program, _ = load_shipped()
>>> [d.outcome for d in evaluate_json(program, '{"date": "2025-06-01", "destination": "DE", "item": {}}')]
['not_controlled']
"""

from __future__ import annotations

import datetime
import importlib
from typing import TYPE_CHECKING, Any

from policylang._version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from policylang.eval.cases import RawCase
    from policylang.eval.decision import Decision
    from policylang.program import Program

__all__ = ["Decision", "Diagnostic", "Program", "RawCase", "__version__", "evaluate",
           "evaluate_json", "load", "load_shipped", "split_cases"]

_LAZY = {
    "Decision": "policylang.eval.decision", "Diagnostic": "policylang.diagnostics",
    "Program": "policylang.program", "RawCase": "policylang.eval.cases",
    "split_cases": "policylang.eval.cases", "load": "policylang.library", "load_shipped": "policylang.library",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'policylang' has no attribute {name!r}")


def evaluate(program: "Program", cases: list["RawCase"], date: datetime.date | None = None,
             engine: str = "compiled") -> list["Decision"]:
    """One decision per case, in order, by the compiled engine (or `engine="interpreter"`)."""
    from policylang.engines import engine as make_engine

    return make_engine(program, engine).decide_all(cases, date)


def evaluate_json(program: "Program", text: str, date: datetime.date | None = None,
                  name: str = "<input>", engine: str = "compiled") -> list["Decision"]:
    """Decide the cases in a JSON or JSON-lines text."""
    from policylang.eval.cases import split_cases

    return evaluate(program, split_cases(text, name), date, engine)
