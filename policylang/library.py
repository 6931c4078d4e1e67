"""Loading a library: files on disk to a checked `Program`, through the stages in order.

Takes: paths of `.ecp` files or folders of them.
Returns: the `Program` and every diagnostic of the stage that stopped (or warnings of all).
Guarantees: the pipeline is the list `STAGES`; each stage runs only when the ones before it
reported no error; every file is parsed even when another has a syntax error, so one run shows
every syntax error at once. The shipped stdlib is always part of the library unless
`with_stdlib=False`; the same file named twice is read once. A library that checked is kept in
the user's cache (`cache.py`, keyed by the files' bytes, the package version and the limits on
policies), so loading it again reads no grammar and runs no checker: the parser and checker are
imported only on a miss. Nothing is read that was not asked for: a `.ecp` file found in a folder
is read only when its real path lies inside the folders named or the shipped library (a link
elsewhere gets E013, which quotes nothing of its target), only regular files are read, and no
more than `policy_bytes` of any (`policylang.limits`); every diagnostic about a file is placed
in it (file:line:col), a file that is not UTF-8 at its first bad byte.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterable

from policylang import ast, cache, limits
from policylang.diagnostics import Diagnostic, error
from policylang.faults import fault
from policylang.program import Program, build_program
from policylang.source import SourceFile, Span

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


def examples_file() -> Path:
    """The example cases (`examples/cases.json`), shipped for the service's page."""
    installed = _PACKAGE / "_library" / "examples" / "cases.json"
    return installed if installed.is_file() else _PACKAGE.parent / "examples" / "cases.json"


def ecp_files(paths: Iterable[Path | str]) -> list[Path]:
    """The `.ecp` files named, or found below the folders named, each once, sorted within each
    folder. Links to folders are not followed; a link to a file is listed as the link (`read`
    decides whether its target may be read)."""
    return [path for path, _ in files_under(paths)]


def files_under(paths: Iterable[Path | str], suffixes: tuple[str, ...] = (".ecp",)) -> list[tuple[Path, bool]]:
    """Each file named, or found below a folder named with one of the suffixes, once, with
    whether it was found inside a folder (True) or named (False). Links to folders are not
    followed."""
    found: dict[Path, tuple[Path, bool]] = {}
    for p in map(Path, paths):
        if p.is_dir():
            listed = []
            for folder, folders, files in os.walk(p):
                folders.sort()
                listed += [Path(folder, f) for f in files if f.endswith(suffixes)]
            for f in sorted(listed):
                found.setdefault(_identity(f), (Path(os.path.abspath(f)), True))
        else:
            found.setdefault(_identity(p), (Path(os.path.abspath(p)), False))
    return list(found.values())


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):          # a link loop: itself
        return Path(os.path.abspath(path))


def roots(paths: Iterable[Path | str]) -> list[Path]:
    """The folders whose files may be read: the folders named (a file named, its folder) and the
    shipped library, each as its real path."""
    out = [stdlib_dir().resolve(), policies_dir().resolve()]
    for p in map(Path, paths):
        out.append(_identity(p if p.is_dir() else p.parent))
    return list(dict.fromkeys(out))


def read(paths: Iterable[Path | str], allowed: list[Path] | None = None) -> tuple[list[tuple[Path, bytes]], list[Diagnostic]]:
    """The bytes of every `.ecp` file of the paths, and a diagnostic for each that may not or
    cannot be read, placed at the file (never quoting anything of a file not read): a file found
    in a folder whose real path leaves the folders `allowed` (default: `roots(paths)`) (E013), one
    that is not a regular file or cannot be opened (E012), one over `policy_bytes` (E010)."""
    paths = list(paths)
    allowed = roots(paths) if allowed is None else allowed
    out, diags = [], []
    bound = limits.current().policy_bytes
    for path, inside in files_under(paths):
        data, problem = read_file(path, inside, allowed, bound)
        if problem is not None:
            diags.append(problem)
        else:
            out.append((path, data))
    return out, diags


def read_file(path: Path, inside: bool, allowed: list[Path], bound: int) -> tuple[bytes | None, Diagnostic | None]:
    """The bytes of one file, or the placed diagnostic that says why it is not read (E013 for a
    file found in a folder whose real path leaves `allowed`, E012, E010 over `bound` bytes)."""
    place = Span(SourceFile(display(path), ""), 0, 0)
    try:
        real = path.resolve(strict=True)
        if inside and not any(real.is_relative_to(root) for root in allowed):
            return None, error("E013", place, file=display(path),
                               help="name the file itself, or a folder that holds it, to read it")
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            return None, error("E012", place, file=display(path), why="it is not a regular file",
                               help="name a readable UTF-8 file or folder")
        if info.st_size <= bound:
            with open(real, "rb") as stream:
                data = stream.read(bound + 1)
            if len(data) <= bound:
                return data, None
        return None, error("E010", place, size=max(info.st_size, bound + 1), limit=bound,
                           help="split it into several files, or raise the limit (`--limit policy_bytes=N` "
                                "for policies, `--limit document_bytes=N` for test files)")
    except (OSError, RuntimeError) as exc:
        why = getattr(exc, "strerror", None) or "a link that leads nowhere or in a circle"
        return None, error("E012", place, file=display(path), why=why.lower(),
                           help="name a readable UTF-8 file or folder")


def decode(path: Path | str, data: bytes) -> tuple[SourceFile | None, list[Diagnostic]]:
    """The text of a file's bytes (a UTF-8 BOM skipped), or E009 placed at the first byte that is
    not UTF-8, its line shown with the bad bytes replaced."""
    name = display(Path(path)) if not isinstance(path, str) else path
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return SourceFile(name, body.decode("utf-8")), []
    except UnicodeDecodeError as exc:
        offset = len(body[:exc.start].decode("utf-8"))
        shown = SourceFile(name, body.decode("utf-8", "replace"))
        bad = body[exc.start:exc.end]
        return None, [error("E009", Span(shown, offset, offset + 1),
                            detail=f"the byte{'s' if len(bad) > 1 else ''} `{bad.hex(' ')}` here "
                                   f"{'are' if len(bad) > 1 else 'is'} not a character",
                            help="save the file as UTF-8")]


def _parse_all(read: list[tuple[Path, bytes]]) -> tuple[list[ast.Module], list[Diagnostic]]:
    from policylang.syntax.parser import parse

    modules, diags = [], []
    for path, data in read:
        file, problems = decode(path, data)
        if file is None:
            diags += problems
            continue
        try:
            module, found = parse(file)
        except Exception as exc:     # a fault of policylang: reported in place, labelled as such
            module, found = None, [fault("parse", file, exc)]
        diags += found
        if module is not None:
            modules.append(module)
    return modules, diags


def display(path: Path) -> str:
    """A path as diagnostics show it: relative to the current folder when it lies under it."""
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
    paths = list(paths)
    read_files, diags = read([stdlib_dir(), *paths] if with_stdlib else paths)
    if any(d.is_error for d in diags):
        return None, diags
    files = [(display(path), data) for path, data in read_files]
    files.append(("<limits>", repr(_policy_limits()).encode()))      # other limits, another check
    cached = cache.get(files)
    if cached is not None:
        return cached
    value: object = read_files
    for name, stage in STAGES:
        try:
            value, diags = stage(value)
        except Exception as exc:     # a fault of policylang: reported in place, labelled as such
            return None, [fault(name, _blamed(read_files, paths), exc)]
        if any(d.is_error for d in diags):
            return None, diags
    cache.put(files, (value, diags))
    return value, diags


def _blamed(read_files: list[tuple[Path, bytes]], paths: list) -> SourceFile:
    """The file a fault of a whole-library stage is shown in: the last one named, else the last."""
    named = {_identity(Path(p)) for p in paths}
    chosen = next((f for f in reversed(read_files) if _identity(f[0]) in named or
                   any(_identity(f[0]).is_relative_to(n) for n in named)), read_files[-1] if read_files else None)
    if chosen is None:
        return SourceFile("<library>", "")
    return SourceFile(display(chosen[0]), chosen[1].decode("utf-8", "replace"))


def _policy_limits() -> tuple:
    bounds = limits.current()
    return (bounds.policy_bytes, bounds.string_length, bounds.name_length, bounds.expression_depth,
            bounds.clause_chain, bounds.due_days, bounds.decimal_digits)


def load_shipped() -> tuple[Program | None, list[Diagnostic]]:
    """The shipped library: stdlib and policies."""
    return load([policies_dir()])
