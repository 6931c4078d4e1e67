"""Source files and spans.

Takes: the text of a `.ecp` file (or a case file) and its path.
Returns: `SourceFile`, which turns byte offsets into 1-based line and column numbers, and `Span`,
a half-open range of offsets into one file.
Guarantees: spans never take part in equality of the AST nodes that carry them (they are declared
with `eq=False` there); line and column are computed only when a diagnostic is rendered. A line
ends at `\\r\\n`, `\\r` or `\\n` (`LINE_BREAK`), each one break, as the Language Server Protocol
counts them, so a file saved with CR or CRLF line endings gets the same line numbers in the CLI
and in the editor; a line's text never includes its break.

>>> f = SourceFile("a.ecp", "one\\ntwo")
>>> f.line_col(5)
(2, 2)
>>> g = SourceFile("a.ecp", "one\\rtwo\\r\\nthree")
>>> g.line_col(g.text.index("three")), g.line_text(2)
((3, 1), 'two')
"""

from __future__ import annotations

import bisect
import re

import attrs

LINE_BREAK = re.compile(r"\r\n|\r|\n")


@attrs.frozen
class SourceFile:
    """The text of one file and where it came from."""

    path: str
    text: str
    _line_starts: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        starts = [0] + [m.end() for m in LINE_BREAK.finditer(self.text)]
        object.__setattr__(self, "_line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of an offset."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


@attrs.frozen
class Span:
    """A half-open range of offsets [start, end) in one source file."""

    file: SourceFile = attrs.field(repr=False)
    start: int
    end: int

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def line(self) -> int:
        return self.file.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.file.line_col(self.start)[1]

    def text(self) -> str:
        return self.file.text[self.start : self.end]
