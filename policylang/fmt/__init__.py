"""The formatter: `.ecp` text in, the same program in the one canonical layout out.

Takes: the text of a `.ecp` file (and its path, for diagnostics).
Returns: `(formatted text | None, diagnostics)`; None when the file has a syntax error, which the
diagnostics then describe.
Guarantees: formatting never changes meaning: the formatted text parses to an AST equal to the
input's (this is checked on every call; a violation is an internal error, never silent output);
formatting is idempotent; every comment is kept (see `comments` for where it goes).

>>> text, diags = format_source("def  x=item.origin#why\\n")
>>> print(text, end="")
def x = item.origin  #why
"""

from __future__ import annotations

from policylang.diagnostics import Diagnostic
from policylang.fmt.comments import attach
from policylang.fmt.printer import Printer
from policylang.source import SourceFile
from policylang.syntax.parser import parse, parse_with_comments


class FormatterBug(Exception):
    """The formatted text does not mean what the input meant: a fault of the formatter."""


def format_source(text: str, path: str = "<input>") -> tuple[str | None, list[Diagnostic]]:
    """Format one file's text; None and the syntax diagnostics when it does not parse."""
    module, diags, comments = parse_with_comments(SourceFile(path, text))
    if module is None:
        return None, diags
    formatted = Printer(attach(module, comments, text)).print_module(module)
    again, problems = parse(SourceFile(path, formatted))
    if again is None or again.items != module.items:
        detail = problems[0].message if problems else "the AST changed"
        raise FormatterBug(f"formatting `{path}` would change its meaning ({detail})")
    return formatted, diags
