"""Analysing an open document in its library: the shipped stdlib, its neighbours, its own text.

Takes: the document's URI and text, the texts of the other open documents, and the workspace
folders the editor announced.
Returns: a `Snapshot`: the document's module (None while it has a syntax error), the indexed
program of its library (kept usable for navigation even when the checker finds errors), and the
diagnostics that belong to this document.
Guarantees: the neighbours are the `.ecp` files directly in the document's own folder and in the
workspace folders, never the file system root, never a link that leaves those folders (see
`neighbours`); the editor's unsaved text wins over the file on disk, for this document and every
other open one; a broken neighbour file is left out rather than hiding this document's
diagnostics; while the document does not parse, the program holds its last version that did, so
hover and completion keep working as you type. Files on disk are parsed once per modification.
`analyse` never raises: a stage that fails with an exception (deep nesting, a parser fault)
becomes one `E000` diagnostic at the best place known (see `faults`), so every document gets a
verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, TypeVar
from urllib.parse import unquote, urlparse

import attrs
from pygls.uris import from_fs_path

from policylang import ast
from policylang.check.checker import check_program
from policylang.diagnostics import Diagnostic
from policylang.lsp.faults import fault
from policylang.lsp.neighbours import neighbours
from policylang.program import Program, build_program
from policylang.source import SourceFile
from policylang.syntax.parser import parse


def uri_to_path(uri: str) -> str:
    """The file system path of a `file:` URI, or the URI itself for an unsaved buffer."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return uri
    return str(Path(unquote(parsed.path)).resolve())


def path_to_uri(path: str) -> str:
    return path if "://" in path or path.startswith("untitled:") else from_fs_path(path)


@attrs.frozen
class Snapshot:
    """One document, analysed."""
    path: str
    file: SourceFile
    module: ast.Module | None
    program: Program | None
    diagnostics: tuple[Diagnostic, ...]

    def announcement_at(self, offset: int) -> ast.Announcement | None:
        for item in self.module.items if self.module else ():
            if isinstance(item, ast.Announcement) and item.span.start <= offset <= item.span.end:
                return item
        return None


class Workspace:
    """The server's memory: parsed files on disk, and each open document's last good module."""

    def __init__(self) -> None:
        self._disk: dict[str, tuple[float, ast.Module | None]] = {}
        self._last_good: dict[str, ast.Module] = {}

    def forget(self, uri: str) -> None:
        self._last_good.pop(uri_to_path(uri), None)

    def analyse(self, uri: str, text: str, open_texts: dict[str, str] | None = None,
                workspace_folders: Iterable[str] = ()) -> Snapshot:
        """The document analysed with its library; `workspace_folders` are URIs or paths."""
        path = uri_to_path(uri)
        open_texts = {uri_to_path(u): t for u, t in (open_texts or {}).items()}
        file = SourceFile(path, text)
        module, syntax = _guarded("parse", file, lambda: parse(file))
        if module is not None:
            self._last_good[path] = module
        modules = self._neighbours(path, open_texts, [uri_to_path(f) for f in workspace_folders])
        mine = module or self._last_good.get(path)
        if mine is not None:
            modules.append(mine)
        program, index_diags = _guarded("index", file, lambda: build_program(modules))
        if module is None or program is None:
            return Snapshot(path, file, module, program, tuple(syntax or index_diags))
        mine_twice = [d for d in index_diags if d.is_error and d.span is not None and d.span.path == path]
        # a name declared twice in this document stops here, as `policylang check` does; one declared
        # twice elsewhere is that file's problem and does not keep this one from being checked
        diags = index_diags if mine_twice else _guarded("check", file, lambda: (None, check_program(program)))[1]
        own = tuple(d for d in diags if d.span is None or d.span.path == path)
        return Snapshot(path, file, module, program, own)

    def _neighbours(self, path: str, open_texts: dict[str, str], folders: list[str]) -> list[ast.Module]:
        """The stdlib and the other `.ecp` files around the document, parsed; broken ones left out."""
        modules = []
        for f in neighbours(path, folders):
            name = str(f)
            module = _parsed(SourceFile(name, open_texts[name])) if name in open_texts else self._from_disk(f)
            if module is not None:
                modules.append(module)
        return modules

    def _from_disk(self, f: Path) -> ast.Module | None:
        try:
            mtime = f.stat().st_mtime
            cached = self._disk.get(str(f))
            if cached and cached[0] == mtime:
                return cached[1]
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        module = _parsed(SourceFile(str(f), text))
        self._disk[str(f)] = (mtime, module)
        return module


def _parsed(file: SourceFile) -> ast.Module | None:
    """A neighbour's module, or None when it does not parse (or the parser fails on it)."""
    try:
        return parse(file)[0]
    except Exception:
        return None


T = TypeVar("T")


def _guarded(stage: str, file: SourceFile, run: Callable[[], tuple[T, list[Diagnostic]]]
             ) -> tuple[T | None, list[Diagnostic]]:
    """Run one stage on the document; an exception becomes its `fault` diagnostic, and no value."""
    try:
        return run()
    except Exception as exc:
        return None, [fault(stage, file, exc)]
