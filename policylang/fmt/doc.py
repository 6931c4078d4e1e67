"""Layout documents: the small Wadler/Prettier algebra the printer builds, and its renderer.

Takes: a `Doc` tree built from strings, `line`, `softline`, `group`, `nest`, `align`, `fill` and
lists.
Returns: `render(doc, width, indent)`, the text with each group on one line when it fits in
`width` columns, and broken at its `line`s when it does not.
Guarantees: the result depends only on the document, the width and the starting indent, never on
how the input was laid out; so formatting what the formatter printed prints it again unchanged.

>>> doc = group(["f(", nest(2, [softline, "a,", line, "b"]), softline, ")"])
>>> render(doc, 80)
'f(a, b)'
>>> print(render(doc, 4))
f(
  a,
  b
)
"""

from __future__ import annotations

from typing import Union

import attrs


@attrs.frozen
class Line:
    """A place to break: `flat` when the enclosing group fits, a newline and indent when not."""
    flat: str = " "


@attrs.frozen
class Group:
    """Lay the contents out flat if they fit, else break every line directly inside."""
    contents: "Doc"


@attrs.frozen
class Nest:
    """Indent the lines inside by `by` more columns."""
    by: int
    contents: "Doc"


@attrs.frozen
class Align:
    """Indent the lines inside to the column where the contents start."""
    contents: "Doc"


@attrs.frozen
class Fill:
    """Items separated by lines, each line broken only when the next item does not fit."""
    items: tuple["Doc", ...]


Doc = Union[str, Line, Group, Nest, Align, Fill, list]

line = Line(" ")
softline = Line("")


def group(contents: Doc) -> Group:
    return Group(contents)


def nest(by: int, contents: Doc) -> Nest:
    return Nest(by, contents)


def align(contents: Doc) -> Align:
    return Align(contents)


def fill(items) -> Fill:
    return Fill(tuple(items))


def join(separator: Doc, docs) -> list:
    """The docs with `separator` between each two."""
    out: list = []
    for i, d in enumerate(docs):
        if i:
            out.append(separator)
        out.append(d)
    return out


_FLAT, _BREAK = 0, 1


def _fits(width: int, items: list) -> bool:
    """Whether the items, up to their first line in break mode, fit in `width` columns."""
    stack = list(items)
    while width >= 0:
        if not stack:
            return True
        indent, mode, doc = stack.pop()
        if isinstance(doc, str):
            width -= len(doc)
        elif isinstance(doc, list):
            stack.extend((indent, mode, d) for d in reversed(doc))
        elif isinstance(doc, Line):
            if mode == _BREAK:
                return True
            width -= len(doc.flat)
        elif isinstance(doc, Group):
            stack.append((indent, mode, doc.contents))
        elif isinstance(doc, Nest):
            stack.append((indent + doc.by, mode, doc.contents))
        elif isinstance(doc, Align):
            stack.append((indent, mode, doc.contents))
        elif isinstance(doc, Fill):
            stack.extend((indent, mode, d) for d in reversed(join(line, doc.items)))
    return False


def render(doc: Doc, width: int = 100, indent: int = 0) -> str:
    """Lay `doc` out in `width` columns, its broken lines indented by at least `indent`."""
    out: list[str] = []
    column = indent
    stack: list = [(indent, _BREAK, doc)]
    while stack:
        ind, mode, d = stack.pop()
        if isinstance(d, str):
            out.append(d)
            column += len(d)
        elif isinstance(d, list):
            stack.extend((ind, mode, x) for x in reversed(d))
        elif isinstance(d, Line):
            if mode == _FLAT:
                out.append(d.flat)
                column += len(d.flat)
            else:
                out.append("\n" + " " * ind)
                column = ind
        elif isinstance(d, Group):
            flat = mode == _FLAT or _fits(width - column, stack + [(ind, _FLAT, d.contents)])
            stack.append((ind, _FLAT if flat else _BREAK, d.contents))
        elif isinstance(d, Nest):
            stack.append((ind + d.by, mode, d.contents))
        elif isinstance(d, Align):
            stack.append((column, mode, d.contents))
        elif isinstance(d, Fill):
            stack.extend(reversed(_fill_items(d, ind, mode, column, width, stack)))
    return "".join(out)


def _fill_items(d: Fill, ind: int, mode: int, column: int, width: int, rest: list) -> list:
    """Decide each separator of a fill from the widths of the items, laid out flat."""
    if mode == _FLAT:
        return [(ind, _FLAT, x) for x in join(line, d.items)]
    out: list = []
    for i, item in enumerate(d.items):
        w = _flat_width(item)
        if i:
            sep_flat = column + 1 + w <= width
            out.append((ind, _FLAT if sep_flat else _BREAK, line))
            column = column + 1 if sep_flat else ind
        out.append((ind, _FLAT, item))
        column += w
    return out


def _flat_width(doc: Doc) -> int:
    if isinstance(doc, str):
        return len(doc)
    if isinstance(doc, list):
        return sum(_flat_width(d) for d in doc)
    if isinstance(doc, Line):
        return len(doc.flat)
    if isinstance(doc, (Group, Nest, Align)):
        return _flat_width(doc.contents)
    return sum(_flat_width(d) for d in doc.items) + max(0, len(doc.items) - 1)
