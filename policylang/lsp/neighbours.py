"""Which files are an open document's neighbours: the `.ecp` files read and checked with it.

Takes: the document's path (absolute for a saved file; a URI such as `untitled:1` otherwise) and
the paths of the workspace folders the editor announced at `initialize` (`workspaceFolders`, else
`rootUri`).
Returns: the paths of the neighbours, each once, in a stable order: the shipped stdlib, then the
`.ecp` files directly in the document's own folder, then those directly in each workspace folder.
Guarantees: folders are not searched recursively; the file system root is never searched (a
document at `/x.ecp` or a workspace folder `/` adds nothing), nor any folder for an unsaved
buffer; a file whose real path (after symbolic links) lies outside every folder searched — a
`.ecp` link to `/proc/self/environ`, say — is left out and never opened, and so is anything that
is not a regular file (a FIFO would block the server) or is larger than `MAX_FILE` bytes.

>>> neighbours("untitled:1", ["/"]) == list(shipped())
True
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Iterable

from policylang.library import ecp_files, stdlib_dir
from policylang.lsp.framing import MAX_BODY

MAX_FILE = MAX_BODY   # bytes: no neighbour larger than the largest document an editor may send


@functools.cache
def shipped() -> tuple[Path, ...]:
    """The shipped stdlib's files."""
    return tuple(ecp_files([stdlib_dir()]))


def neighbours(document: str, workspace_folders: Iterable[str] = ()) -> list[Path]:
    """The `.ecp` files to check with the document, the document itself left out."""
    folders = [f for f in map(_searchable, [_folder_of(document), *workspace_folders]) if f is not None]
    found: dict[Path, None] = dict.fromkeys(shipped())
    for folder in dict.fromkeys(folders):
        for entry in sorted(folder.glob("*.ecp")):
            real = _readable(entry, folders)
            if real is not None:
                found[real] = None
    return [f for f in found if str(f) != document]


def _folder_of(document: str) -> str | None:
    path = Path(document)
    return str(path.parent) if path.is_absolute() else None   # an `untitled:` buffer has none


def _searchable(folder: str | None) -> Path | None:
    """The folder's real path, when it is a folder that is not the file system root."""
    if folder is None or not Path(folder).is_absolute():
        return None
    real = Path(folder).resolve()
    if real == Path(real.anchor) or not real.is_dir():
        return None
    return real


def _readable(entry: Path, folders: list[Path]) -> Path | None:
    """The entry's real path, when it is a regular file of a sensible size inside a searched folder."""
    try:
        real = entry.resolve(strict=True)
        inside = any(real.is_relative_to(folder) for folder in folders)
        if not inside or not real.is_file() or real.stat().st_size > MAX_FILE:
            return None
    except (OSError, RuntimeError):   # a dangling link, a link loop, no permission
        return None
    return real
