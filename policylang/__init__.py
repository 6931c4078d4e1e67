"""policylang: export-control law as code.

The public façade: `load` a library of `.ecp` files, `evaluate` cases against it.

>>> from policylang import load_shipped, evaluate_json
>>> program, _ = load_shipped()
>>> [d.outcome for d in evaluate_json(program, '{"date": "2025-06-01", "destination": "DE", "item": {}}')]
['not_controlled']
"""

from __future__ import annotations

import datetime

from policylang.diagnostics import Diagnostic
from policylang.eval.cases import RawCase, split_cases
from policylang.eval.decision import Decision
from policylang.eval.interpreter import Interpreter
from policylang.library import load, load_shipped
from policylang.program import Program

__all__ = ["Decision", "Diagnostic", "Program", "RawCase", "evaluate",
           "evaluate_json", "load", "load_shipped", "split_cases"]


def evaluate(program: Program, cases: list[RawCase], date: datetime.date | None = None) -> list[Decision]:
    """One decision per case, in order."""
    return Interpreter(program).decide_all(cases, date)


def evaluate_json(program: Program, text: str, date: datetime.date | None = None,
                  name: str = "<input>") -> list[Decision]:
    """Decide the cases in a JSON or JSON-lines text."""
    return evaluate(program, split_cases(text, name), date)
