"""Benchmark: the decision service under load, on loopback, with every answer checked.

Run: `python benchmarks/serve_load.py [--requests 10000] [--concurrency 32] [--max-batch 8]
[--workers 1] [--time-limit 600]`.

Starts `policylang serve` on 127.0.0.1 (a free port; never another address), then N client
threads, each with one kept-alive HTTP/1.1 connection, post the realistic case mix of
`policylang.testing.mix` (codes inside and outside the library, categories around thresholds,
dates across every status change, listed and near-miss parties): each request is one case (a
JSON object) or an array of 2 to `--max-batch` cases, its size drawn from a seeded generator,
every case given an id of its own (`r<request>-<i>`). Each answer is checked: status 200 (or 422
when a case is invalid), and exactly the request's decisions, the ids in the request's order.
Bounded: `--requests` in all, and no request is started after `--time-limit` seconds (what was
not sent is counted as lost). Prints requests/s, decisions/s and p50/p99 latency; exits 1 when
a request was lost or got decisions that were not its own, in number or in order.
Not a test: the figures depend on the machine and on what else it runs (the client threads
share the machine with the service).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import random
import sys
import threading
import time

from policylang.testing.mix import realistic_cases
from policylang.testing.service import HOST, ServiceDidNotStart, started as start_service

def requests_of(n: int, max_batch: int, seed: int) -> list[tuple[bytes, list[str], bool]]:
    """`n` request bodies (made before the clock starts): the body, its cases' ids in order, and
    whether it is one case (an object) rather than an array."""
    sizes = random.Random(seed)
    counts = [1 if sizes.random() < 0.5 else sizes.randint(2, max_batch) for _ in range(n)]
    mix = realistic_cases(sum(counts), seed=seed)
    made = []
    for r, count in enumerate(counts):
        cases = [{**next(mix), "id": f"r{r}-{i}"} for i in range(count)]
        ids = [c["id"] for c in cases]
        body = cases[0] if count == 1 else cases
        made.append((json.dumps(body, ensure_ascii=False).encode("utf-8"), ids, count == 1))
    return made


class Load:
    """The clients' shared tally: latencies, decisions, what was lost or not a request's own."""

    def __init__(self, work, stop_at: float):
        self.work, self.stop_at = work, stop_at
        self.next = itertools.count()
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.decisions = 0
        self.lost: list[str] = []
        self.wrong: list[str] = []

    def client(self, port: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        while True:
            index = next(self.next)
            if index >= len(self.work) or time.monotonic() > self.stop_at:
                break
            body, ids, single = self.work[index]
            started = time.perf_counter()
            try:
                connection.request("POST", "/v1/decide", body=body, headers={"content-type": "application/json"})
                response = connection.getresponse()
                text = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
                with self.lock:
                    self.lost.append(f"request {index}: {type(exc).__name__}: {exc}")
                continue
            took = time.perf_counter() - started
            problem = check(status, text, ids, single)
            with self.lock:
                self.latencies.append(took)
                if problem:
                    self.wrong.append(f"request {index}: {problem}")
                else:
                    self.decisions += len(ids)
        connection.close()


def check(status: int, text: bytes, ids: list[str], single: bool) -> str | None:
    """None when the answer holds exactly the request's decisions, in order; else what is wrong."""
    if status not in (200, 422):
        return f"status {status}: {text[:200]!r}"
    try:
        found = json.loads(text)
    except ValueError:
        return "the answer is not JSON"
    decisions = [found] if single and isinstance(found, dict) else found
    if not isinstance(decisions, list) or single != isinstance(found, dict):
        return "an answer of the wrong shape"
    got = [d.get("id") if isinstance(d, dict) else None for d in decisions]
    if got != ids:
        return f"ids {got[:5]}… for {ids[:5]}…"
    if any("outcome" not in d for d in decisions):
        return "a decision without an outcome"
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-batch", type=int, default=8, help="the most cases in one request")
    parser.add_argument("--workers", type=int, default=1, help="`policylang serve --workers`")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds; no request starts after")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()

    print(f"machine: {platform.platform()}; {os.cpu_count()} cores; Python {platform.python_version()}")
    work = requests_of(args.requests, max(1, args.max_batch), args.seed)
    cases = sum(len(ids) for _, ids, _ in work)
    print(f"{len(work):,} requests holding {cases:,} cases of the realistic mix "
          f"(1 to {args.max_batch} a request), {args.concurrency} concurrent clients, "
          f"`policylang serve --workers {args.workers}` on {HOST}")
    try:
        service, port = start_service("--workers", str(args.workers), timeout=120)
    except ServiceDidNotStart as exc:
        sys.exit(str(exc))
    try:
        started = time.perf_counter()
        load = Load(work, time.monotonic() + args.time_limit)
        clients = [threading.Thread(target=load.client, args=(port,), daemon=True) for _ in range(args.concurrency)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        wall = time.perf_counter() - started
    finally:
        service.terminate()
        service.wait(30)
    answered = len(load.latencies)
    unsent = len(work) - answered - len(load.lost)
    print(f"wall {wall:.2f} s: {answered / wall:,.0f} requests/s, {load.decisions / wall:,.0f} decisions/s; "
          f"latency p50 {percentile(load.latencies, 50) * 1000:.1f} ms, p99 {percentile(load.latencies, 99) * 1000:.1f} ms")
    print(f"answered {answered:,} of {len(work):,}; lost {len(load.lost)} (and {unsent} not sent in the time limit); "
          f"not exactly their own decisions: {len(load.wrong)}")
    for problem in (load.lost + load.wrong)[:10]:
        print("  " + problem)
    sys.exit(1 if load.lost or load.wrong or unsent else 0)


if __name__ == "__main__":
    main()
