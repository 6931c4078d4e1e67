"""Fuzzing, kept in the project (issue 11, point 8): hostile JSON lines and mutated policy files,
driven by Hypothesis (`st.randoms()`: the generators of `policylang.testing.hostile` and `mutants` draw from
it, so a failure shrinks and is replayed from Hypothesis's database).

The budget is modest here, for CI; `POLICYLANG_FUZZ_SCALE=N` multiplies it, and `fuzz/run.py`
runs the large one (10,000 cases and 10,000 policy files) and prints its figures. The language
server's framing is fuzzed in `tests/lsp/test_framing.py`, under the same scale.
"""

from __future__ import annotations

import functools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang.testing import hostile, mutants

SCALE = int(os.environ.get("POLICYLANG_FUZZ_SCALE", "1"))
LINES = 20          # JSON lines in one example
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.cache
def _cases():
    from policylang.engines import engine as make_engine
    from policylang.eval import runner
    from policylang.library import load, policies_dir
    from policylang.testing import mix

    program, _ = load([policies_dir()])
    job = runner.EvalJob((str(policies_dir()),), True, "compiled", 90.0, None, "jsonl")
    deciders = {kind: runner.Decider(job, make_engine(program, kind)) for kind in ("compiled", "interpreter")}
    return deciders, list(mix.realistic_cases(100, seed=11)), hostile.schema_paths(program)


@functools.cache
def _policies():
    return mutants.parsed_library(), mutants.shipped_sources(), mutants.grammar_words()


@settings(FUZZ, max_examples=15 * SCALE)
@given(st.randoms(use_true_random=False))
def test_hostile_json_lines_each_get_one_decision_in_order_from_both_engines(rng):
    deciders, bases, paths = _cases()
    lines = [hostile.hostile_line(rng, rng.choice(bases), paths, f"fuzz-{i}") for i in range(LINES)]
    tally = hostile.Tally()
    hostile.run_lines(lines, deciders, tally)
    assert tally.inputs >= LINES and tally.clean, (tally.figures(), tally.examples)


@settings(FUZZ, max_examples=30 * SCALE)
@given(st.randoms(use_true_random=False))
def test_mutated_policy_files_get_placed_diagnostics_and_no_fault(rng):
    others, sources, words = _policies()
    name, text = rng.choice(sources)
    data = mutants.mutate_policy(rng, text, words)
    tally = hostile.Tally()
    mutants.run_policy(name, data, others, tally, engines=rng.random() < 0.3)
    assert tally.inputs == 1 and tally.clean, (tally.figures(), tally.examples)


def test_the_harness_counts_what_it_is_meant_to():
    """The harness is not blind: a fault, a lost decision and a diagnostic without a place are
    each counted (here made on purpose)."""
    from policylang.diagnostics import error

    class Faulty:
        def decide(self, unit, fmt):
            raise KeyError("boom")

    tally = hostile.Tally()
    hostile.run_lines([b'{"id": "fuzz-0"}'], {"faulty": Faulty()}, tally)
    assert tally.internal == 1

    tally = hostile.Tally()
    deciders, _, _ = _cases()
    hostile.run_lines([b'{"id": "fuzz-0"}', b'{"id": "fuzz-1"}'], {"real": deciders["compiled"]}, tally)
    assert tally.lost == 0

    class Swapping:                 # decides the lines in the wrong order
        def __init__(self):
            self.seen = []

        def decide(self, unit, fmt):
            self.seen.append(unit)
            other = self.seen[-2] if len(self.seen) % 2 == 0 else unit
            return deciders["compiled"].decide(other, fmt)

    tally = hostile.Tally()
    hostile.run_lines([b'{"id": "fuzz-0"}', b'{"id": "fuzz-1"}'], {"swapping": Swapping()}, tally)
    assert tally.lost == 1          # a decision that is not its line's is counted
    tally = hostile.Tally()
    mutants._placed(error("E101", None, name="x"), "x.ecp", b"", tally)
    assert tally.unplaced == 1
