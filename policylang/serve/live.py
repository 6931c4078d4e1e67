"""The library a service decides with, replaced whole and at once on reload.

Takes: the policy folders (and whether the shipped stdlib comes with them), as `eval` takes them.
Returns: `LiveLibrary`: `current` (a `Served`: program, its engine and the same engine saying
why relevant clauses did not apply (`?explain`), identity, loaded at), `reload()`.
Guarantees: a request reads `current` once and decides with that one `Served` to its end, so a
reload never changes a request in flight; a library that does not check is refused with its
diagnostics and the old one keeps serving; reloads never overlap (one lock).
"""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import attrs

from policylang.diagnostics import Diagnostic, to_json
from policylang.engines import engine as make_engine
from policylang.library import load


@attrs.frozen
class Served:
    program: object
    engine: object
    loaded_at: datetime.datetime
    explaining: object = None          # the engine with `explain` (`eval --explain`)

    def engine_for(self, explain: bool):
        return self.explaining if explain and self.explaining is not None else self.engine

    @property
    def identity(self):
        return self.engine.law.identity


class NotChecked(Exception):
    """A library that does not check: its diagnostics (`found`), and as JSON objects."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{sum(d.is_error for d in diagnostics)} error(s)")
        self.found = diagnostics
        self.diagnostics = [to_json(d) for d in diagnostics]


class LiveLibrary:
    def __init__(self, paths: list[str], with_stdlib: bool = True, engine: str = "compiled"):
        self.paths, self.with_stdlib, self.engine_kind = list(paths), with_stdlib, engine
        self._lock = threading.Lock()
        self.current = self._load()

    def _load(self) -> Served:
        program, diags = load([Path(p) for p in self.paths], with_stdlib=self.with_stdlib)
        if program is None:
            raise NotChecked(diags)
        return Served(program, make_engine(program, self.engine_kind),
                      datetime.datetime.now(datetime.timezone.utc),
                      make_engine(program, self.engine_kind, explain=True))

    def reload(self) -> Served:
        """Load the folders again; on success serve the new library from the next request on."""
        with self._lock:
            fresh = self._load()          # raises NotChecked: `current` stays as it was
            self.current = fresh          # one assignment: atomic for every reader
            return fresh
