"""The engines that decide cases, by name: the compiled engine (the default) and the reference
interpreter (the specification, `--engine interpreter`).

Takes: a checked `Program`, an engine name, a review threshold.
Returns: an engine: an object with `decide(raw, default_date) -> Decision`, `decide_all`, and
`law` (the library's facts, including its identity).
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


def engine(program: Program, kind: str = DEFAULT, review_threshold: float = REVIEW_THRESHOLD):
    """The engine of that kind for a program."""
    if kind == "interpreter":
        from policylang.eval.interpreter import Interpreter
        return Interpreter(program, review_threshold)
    if kind == "compiled":
        from policylang.compile import compile_program
        return compile_program(program, review_threshold)
    raise ValueError(f"unknown engine `{kind}`: one of {', '.join(ENGINES)}")
