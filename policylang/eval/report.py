"""What `policylang eval` tells a person while it runs: a progress line, then a summary.

Takes: the stream to report on (standard error) and the decisions as they pass.
Returns: `Report.count(decided)`, the same decisions, counted; `invalid` and `needs_review` for
the exit status; on a terminal, a live progress line (a bar when the number of cases is known
up front, as for Parquet inputs) and, at `close`, a summary (counts by
outcome, errors, near matches, decisions needing review, cases per second).
Guarantees: nothing is written when the stream is not a terminal (a pipe, a file, CI logs), so
what scripts read is never mixed with it; rich is imported only for a terminal.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import IO, Iterable, Iterator

from policylang.eval.runner import Decided
from policylang.semantics.outcomes import OUTCOMES


class Report:
    """Counts the decisions going by; shows progress and a summary on a terminal."""

    def __init__(self, stream: IO, total: int | None = None):
        self.outcomes: Counter[str] = Counter()
        self.near_matches = 0
        self.review = 0
        self.started = time.perf_counter()
        self._progress = self._task = None
        if stream.isatty():
            from rich.console import Console
            from rich.progress import (BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self.console = Console(file=stream)
            bar = (BarColumn(), TaskProgressColumn(), TimeRemainingColumn()) if total else ()
            self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), *bar, TimeElapsedColumn(),
                                      console=self.console, transient=True)
            self._progress.start()
            self._task = self._progress.add_task("deciding", total=total)

    @property
    def invalid(self) -> bool:
        return self.outcomes["error"] > 0

    @property
    def needs_review(self) -> bool:
        return self.review > 0

    def count(self, decided: Iterable[Decided]) -> Iterator[Decided]:
        for d in decided:
            self.outcomes[d.outcome] += 1
            self.near_matches += d.near_matches
            self.review += d.needs_review
            if self._progress is not None and sum(self.outcomes.values()) % 500 == 1:
                self._progress.update(self._task, description=self._line(),
                                      completed=sum(self.outcomes.values()))
            yield d

    def _line(self) -> str:
        total = sum(self.outcomes.values())
        rate = total / max(time.perf_counter() - self.started, 1e-9)
        return f"{total:,} cases decided, {rate:,.0f} cases/s"

    def close(self) -> None:
        if self._progress is None:
            return
        self._progress.stop()
        from rich.table import Table

        table = Table(title=self._line(), show_header=False, box=None)
        for outcome in (*OUTCOMES, "error"):
            if self.outcomes[outcome]:
                style = "bold red" if outcome in ("prohibited", "error") else None
                table.add_row(outcome.replace("_", " "), f"{self.outcomes[outcome]:,}", style=style)
        table.add_row("near matches", f"{self.near_matches:,}")
        if self.review:
            table.add_row("need review", f"{self.review:,}", style="bold yellow")
        self.console.print(table)
