"""Loading a library: files on disk to a checked `Program`, through the stages in order.

Takes: paths of `.ecp` files or folders of them.
Returns: the `Program` and every diagnostic of the stage that stopped (or warnings of all).
Guarantees: the pipeline is the list `STAGES`; each stage runs only when the ones before it
reported no error; every file is parsed even when another has a syntax error, so one run shows
every syntax error at once. The shipped stdlib is always part of the library unless
`with_stdlib=False`; the same file named twice is read once. A library that checked is kept in
the user's cache (`cache.py`, keyed by the files' bytes and the package version), so loading it
again reads no grammar and runs no checker: the parser and checker are imported only on a miss.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from policylang import ast, cache
from policylang.diagnostics import Diagnostic, error
from policylang.program import Program, build_program
from policylang.source import SourceFile

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    installed = _PACKAGE / "_library" / name   # where a wheel puts it
    return installed if installed.is_dir() else _PACKAGE.parent / name


def stdlib_dir() -> Path:
    """The shipped stdlib (`stdlib/`)."""
    return _shipped("stdlib")


def policies_dir() -> Path:
    """The shipped announcements (`policies/`)."""
    return _shipped("policies")


def ecp_files(paths: Iterable[Path | str]) -> list[Path]:
    """The `.ecp` files named, or found below the folders named, each once, sorted."""
    found: dict[Path, None] = {}
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*.ecp")):
                found[f.resolve()] = None
        else:
            found[p.resolve()] = None
    return list(found)


def _read_all(files: list[Path]) -> tuple[list[tuple[Path, bytes]], list[Diagnostic]]:
    read, diags = [], []
    for path in files:
        try:
            read.append((path, path.read_bytes()))
        except OSError as exc:
            diags.append(error("E001", None, found=f"file `{path}` ({exc.__class__.__name__})",
                               help="name a readable UTF-8 `.ecp` file or folder"))
    return read, diags


def _parse_all(read: list[tuple[Path, bytes]]) -> tuple[list[ast.Module], list[Diagnostic]]:
    from policylang.syntax.parser import parse

    modules, diags = [], []
    for path, data in read:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            diags.append(error("E001", None, found=f"file `{path}` ({exc.__class__.__name__})",
                               help="name a readable UTF-8 `.ecp` file or folder"))
            continue
        module, found = parse(SourceFile(_display(path), text))
        diags += found
        if module is not None:
            modules.append(module)
    return modules, diags


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _check(program: Program) -> tuple[Program, list[Diagnostic]]:
    from policylang.check.checker import check_program

    return program, check_program(program)


# The pipeline, in order: each stage takes the previous stage's value and returns the next one
# with its diagnostics. A stage runs only when the stages before it reported no error.
STAGES = (
    ("parse", _parse_all),       # list of files -> list of AST modules
    ("index", build_program),    # modules -> Program (duplicates reported)
    ("check", _check),           # Program -> Program (names, types, units, references, dates)
)


def load(paths: Iterable[Path | str], *, with_stdlib: bool = True) -> tuple[Program | None, list[Diagnostic]]:
    """Parse, index and check a library; the program is None when any stage reported an error."""
    read, diags = _read_all(ecp_files([stdlib_dir(), *paths] if with_stdlib else list(paths)))
    if any(d.is_error for d in diags):
        return None, diags
    files = [(_display(path), data) for path, data in read]
    cached = cache.get(files)
    if cached is not None:
        return cached
    value: object = read
    for _, stage in STAGES:
        value, diags = stage(value)
        if any(d.is_error for d in diags):
            return None, diags
    cache.put(files, (value, diags))
    return value, diags


def load_shipped() -> tuple[Program | None, list[Diagnostic]]:
    """The shipped library: stdlib and policies."""
    return load([policies_dir()])
