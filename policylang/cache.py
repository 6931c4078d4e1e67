"""A cache of checked libraries, so that a cold command does not parse and check again.

Takes: the files of a library (their display paths and bytes) and the checked result of loading
them (the `Program` and its warnings).
Returns: `get(files)`: the cached result, or None; `put(files, result)` stores it.
Guarantees:
- the key is a SHA-256 over the package version, the Python version, a fingerprint of
  policylang's own source files, and every file's display path and bytes: any change to any
  file, or another (or an edited) policylang, misses; the key is stored in the
  entry too and checked after reading, so a renamed or damaged entry is never trusted;
- an entry is read with an unpickler that builds only policylang's own classes and plain data
  (dates, decimals, fractions, tuples, frozensets), never a function or a module;
- the cache is as trusted as the user's own files, no more: an entry of the compiled engine
  holds generated Python, which is run. So the folder is used only when it belongs to the user
  running policylang and nobody else may write to it (created with mode 0700); otherwise the
  cache is not used at all;
- the folder is the user's cache folder (`$POLICYLANG_CACHE_DIR`, else `$XDG_CACHE_HOME/policylang`,
  else `~/.cache/policylang`), safe to delete at any time; `POLICYLANG_CACHE_DIR=off` turns the
  cache off; a cache that cannot be written is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from policylang.eval.law import package_version

FORMAT = 1     # bump when what is stored changes shape
_SAFE_MODULES = {
    "builtins": {"tuple", "list", "dict", "set", "frozenset", "str", "int", "float", "bool", "bytes",
                 "object"},
    "copyreg": {"_reconstructor", "__newobj__"},
    "datetime": {"date"},
    "decimal": {"Decimal"},
    "fractions": {"Fraction"},
    "types": {"MappingProxyType"},
    "collections": {"OrderedDict"},
}


def folder() -> Path | None:
    configured = os.environ.get("POLICYLANG_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "policylang"


@functools.cache
def _fingerprint() -> bytes:
    """What identifies the running policylang beyond its version: the name, size and modification
    time of each of its source files (so that an edited checkout never reads a stale entry)."""
    package = Path(__file__).resolve().parent
    parts = []
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.lark")]):
        try:
            st = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(package)} {st.st_size} {st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).digest()


def key(files: Sequence[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(f"policylang {package_version()} format {FORMAT} python {sys.version}\n".encode())
    digest.update(_fingerprint())
    for name, data in files:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


class _Unpickler(pickle.Unpickler):
    """Builds policylang's classes and plain data only."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _SAFE_MODULES.get(module, ()):
            return super().find_class(module, name)
        if module.startswith("policylang.") and "." not in name:
            found = super().find_class(module, name)
            # a class of policylang's own, never a function or a module it imports (`os`)
            if isinstance(found, type) and found.__module__.startswith("policylang."):
                return found
        raise pickle.UnpicklingError(f"refusing {module}.{name} in the library cache")


def _trusted(place: Path) -> bool:
    """The folder is the user's own and nobody else can write to it."""
    try:
        st = place.stat()
    except OSError:
        return False
    owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner_ok and not st.st_mode & 0o022


def get(files: Sequence[tuple[str, bytes]]) -> Any | None:
    place = folder()
    if place is None or not _trusted(place):
        return None
    wanted = key(files)
    try:
        data = (place / f"{wanted}.pickle").read_bytes()
        stored_key, value = _Unpickler(io.BytesIO(data)).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError,
            IndexError, KeyError, RecursionError, MemoryError):
        return None
    return value if stored_key == wanted else None


def put(files: Sequence[tuple[str, bytes]], value: Any) -> None:
    place = folder()
    if place is None:
        return
    wanted = key(files)
    try:
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(place):
            return
        with tempfile.NamedTemporaryFile(dir=place, delete=False, suffix=".tmp") as out:
            pickle.dump((wanted, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(out.name, place / f"{wanted}.pickle")   # atomic: readers see all of it or none
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        try:
            os.unlink(out.name)
        except (OSError, NameError, UnboundLocalError):
            pass
