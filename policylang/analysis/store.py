"""The result cache of `policylang analyze`: an unchanged library answers at once.

Takes: a checked `Program`, the options of a run (`Options`), and the findings and stats a run
produced (before its accepts are applied).
Returns: `get(program, options)`, the findings and stats of an earlier run, or None; `put(...)`
stores them.
Guarantees:
- the key is a SHA-256 over this format, the running policylang (its version and the fingerprint
  of its source files, as the library cache keys them, `policylang/cache.py`), the z3 version,
  the options, and every module's name and text with its `accept` statements blanked out (a file
  of accepts alone is left out): any other change to any file misses, while adding, changing or
  removing an accept reuses the search
  (accepts are applied after it, on every run, hit or miss);
- entries are JSON (read with `json`, never unpickled), in `analysis/` under the user's cache
  folder, used only when that folder is the user's own and nobody else may write to it (the
  library cache's rule); the key is stored in the entry and checked when read, so a renamed or
  damaged entry is never trusted; anything unreadable is a miss; `POLICYLANG_CACHE_DIR=off`
  turns the cache off;
- a hit gives back what the run gave, byte for byte, but for the decisions' `library` identity,
  which is set to the library's own (the accepts are part of the library's files).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

import attrs

from policylang import ast, cache
from policylang.analysis.findings import Finding
from policylang.check.invariants import invariants_and_tests
from policylang.eval.law import library_identity, package_version
from policylang.program import ClauseKey, Program

FORMAT = 1      # bump when what is stored changes shape or meaning


@attrs.frozen
class Options:
    """What a run searched for, beside the library: its bounds, narrowing and assumption."""
    list_length: int = 2
    depth: int = 3
    kinds: tuple[str, ...] = ()                 # empty: every kind
    focus: tuple[ClauseKey, ...] = ()           # empty: every clause
    assumption: str | None = None               # the text of the `--assume` file


def key(program: Program, options: Options) -> str:
    digest = hashlib.sha256(f"analyze {FORMAT} policylang {package_version()} z3 {_z3_version()}\n".encode())
    digest.update(cache._fingerprint())
    digest.update(json.dumps(attrs.asdict(options, recurse=True), sort_keys=True, default=str).encode())
    modules = [m for m in program.modules if m.span is not None and not all(isinstance(i, ast.Accept) for i in m.items)]
    for name, text in sorted((m.name, _without_accepts(m)) for m in modules):
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(
            text.encode("utf-8", "surrogatepass")).digest())
    return digest.hexdigest()


def _z3_version() -> str:
    try:
        return metadata.version("z3-solver")
    except metadata.PackageNotFoundError:  # pragma: no cover - a z3 installed some other way
        return "unknown"


def _without_accepts(module: ast.Module) -> str:
    """The module's text with each accept statement blanked (its length kept)."""
    text = module.span.file.text
    spans = [a.span for a in module.items if isinstance(a, ast.Accept)]
    spans += [a.span for ann in module.items if isinstance(ann, ast.Announcement) for a in ann.accepts]
    chars = list(text)
    for span in spans:
        if span is not None:
            chars[span.start:span.end] = " " * (span.end - span.start)
    return "".join(chars)


def _place() -> Path | None:
    folder = cache.folder()
    return None if folder is None else folder / "analysis"


def get(program: Program, options: Options) -> tuple[list[Finding], dict] | None:
    place = _place()
    if place is None or not cache._trusted(place.parent) or not cache._trusted(place):
        return None
    wanted = key(program, options)
    try:
        stored = json.loads((place / f"{wanted}.json").read_text(encoding="utf-8"))
        if stored.get("key") != wanted:
            return None
        spans = {item.name: item.span for item, _ in invariants_and_tests(program) if isinstance(item, ast.Invariant)}
        identity = library_identity(program).to_json()
        findings = []
        for data in stored["findings"]:
            if isinstance(data.get("decision"), dict) and "library" in data["decision"]:
                data["decision"]["library"] = identity
            findings.append(Finding.from_json(data, spans.get(data.get("name"))))
        return findings, stored["stats"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return None


def put(program: Program, options: Options, findings: list[Finding], stats: dict) -> None:
    place = _place()
    if place is None:
        return
    wanted = key(program, options)
    try:
        place.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        place.mkdir(mode=0o700, exist_ok=True)
        if not cache._trusted(place.parent) or not cache._trusted(place):
            return
        data = json.dumps({"key": wanted, "findings": [f.to_json() for f in findings], "stats": stats},
                          ensure_ascii=False, separators=(",", ":"))
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=place, delete=False, suffix=".tmp") as out:
            out.write(data)
        os.replace(out.name, place / f"{wanted}.json")     # atomic: readers see all of it or none
    except (OSError, TypeError, ValueError):
        try:
            os.unlink(out.name)
        except (OSError, NameError, UnboundLocalError):
            pass


__all__ = ["Options", "get", "put", "key"]
