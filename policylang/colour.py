"""Colour for people at a terminal, and none for files, pipes and those who ask for none.

Takes: the stream text is written to.
Returns: `painter(stream)`: a function `paint(text, style)` that wraps text in the terminal's
colour codes for a rich style (`"bold red"`), or returns it unchanged.
Guarantees: the decision is rich's own: colour only on a terminal, never with `NO_COLOR` set,
always with `FORCE_COLOR` set (`TERM=dumb` has none); the text itself never changes, so every
layout is the same with and without colour.
"""

from __future__ import annotations

from typing import Callable, TextIO

Paint = Callable[[str, str], str]


def plain(text: str, style: str) -> str:
    return text


def wants_colour(stream: TextIO) -> bool:
    """Whether text written to the stream should be coloured (rich decides, as for its own)."""
    from rich.console import Console

    console = Console(file=stream)
    return console.color_system is not None and not console.no_color


def painter(stream: TextIO) -> Paint:
    return ansi() if wants_colour(stream) else plain


def ansi() -> Paint:
    """A painter that always colours, with the 8 standard colours every terminal has (for
    text made in a worker process and written by the parent, which decided it is wanted)."""
    from rich.color import ColorSystem
    from rich.style import Style

    system = ColorSystem.STANDARD
    styles: dict[str, Style] = {}

    def paint(text: str, style: str) -> str:
        if style not in styles:
            styles[style] = Style.parse(style)
        return styles[style].render(text, color_system=system)
    return paint
