"""The engines that decide cases, by name: the compiled engine (the default) and the reference
interpreter (the specification, `--engine interpreter`).

Takes: a checked `Program`, an engine name, a review threshold; optionally a reviewer's
`dispositions` (`semantics/dispositions.py`) and `explain` (every decision then says why each
relevant clause did not apply, `eval/explain.py`).
Returns: an engine: an object with `decide(raw, default_date, as_of) -> Decision`, `decide_all`,
and `law` (the library's facts, including its identity and its screening).
Guarantees: both engines give the same decisions, byte for byte in JSON (tested on the corpus,
the examples, the analysis's witnesses and random cases); the compiled one is built once per
library and is much faster.

>>> from policylang.library import load_shipped
>>> program, _ = load_shipped()
>>> type(engine(program)).__name__, type(engine(program, "interpreter")).__name__
('CompiledEngine', 'Interpreter')
"""

from __future__ import annotations

from policylang.program import Program
from policylang.semantics.screening import REVIEW_THRESHOLD

ENGINES = ("compiled", "interpreter")
DEFAULT = "compiled"


def engine(program: Program, kind: str = DEFAULT, review_threshold: float = REVIEW_THRESHOLD,
           dispositions=None, explain: bool = False):
    """The engine of that kind for a program."""
    law = None
    if dispositions:
        from policylang.eval.law import Law
        law = Law(program, dispositions)
    if kind == "interpreter":
        from policylang.eval.interpreter import Interpreter
        return Interpreter(program, review_threshold, law, explain=explain)
    if kind == "compiled":
        from policylang.compile import compile_program
        return compile_program(program, review_threshold, law, explain=explain)
    raise ValueError(f"unknown engine `{kind}`: one of {', '.join(ENGINES)}")
