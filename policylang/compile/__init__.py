"""The compiled engine (`engine.py`): the checked program as generated Python (`codegen.py`),
rules indexed by guards (`guards.py`), run with the interpreter's own semantics (`runtime.py`)."""

from policylang.compile.engine import CompiledEngine, compile_program

__all__ = ["CompiledEngine", "compile_program"]
