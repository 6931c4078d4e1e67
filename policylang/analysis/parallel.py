"""Running the tasks of a search: in this process, or in worker processes (`analyze --jobs`).

Takes: a `Core` and a list of `Task`s.
Returns: `run_all(core, tasks, jobs)`, their results in the order of the tasks.
Guarantees: the results are the same whatever `jobs` is, since each task is answered in a session
of its own (`session.py`) from the same core: workers are forked from this process after the core
is built, so they share it without rebuilding it. The largest tasks are handed out first. Where
processes cannot be forked, or `jobs` is 1, the tasks run here, one after another.
"""

from __future__ import annotations

import multiprocessing
import os

from policylang.analysis.tasks import Core, Task, TaskResult, run_task

_CORE: Core | None = None      # the core a forked worker inherited


def _work(task: Task) -> TaskResult:
    assert _CORE is not None
    return run_task(_CORE, task)


def workers(jobs: int) -> int:
    """The number of worker processes `--jobs` asks for (0: one per core)."""
    return jobs or os.cpu_count() or 1


def run_all(core: Core, tasks: list[Task], jobs: int = 1) -> list[TaskResult]:
    global _CORE
    jobs = min(workers(jobs), len(tasks))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [run_task(core, t) for t in tasks]
    order = sorted(range(len(tasks)), key=lambda n: -tasks[n].size)
    core.fast.warm(core.lib.domains.codes)
    _CORE = core
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            done = pool.map(_work, [tasks[n] for n in order], chunksize=1)
    finally:
        _CORE = None
    results: list[TaskResult | None] = [None] * len(tasks)
    for n, result in zip(order, done):
        results[n] = result
    return results  # type: ignore[return-value]
