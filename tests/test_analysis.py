"""`policylang analyze`: planted contradictions are found, a consistent library yields nothing,
invariants are proven or refuted, and every witness is decided by `policylang eval` as its
finding says.

Each fixture under `tests/analysis/fixtures/` states in its header comment what it plants; the
expected findings are listed here as (kind, clauses) and compared exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylang.analysis.command import run_analysis
from policylang.cli import cli
from policylang.library import policies_dir

HERE = Path(__file__).parent / "analysis"
FIXTURES = HERE / "fixtures"

EXPECTED = {
    "conflict.ecp": {("conflict", ("FIXTURE-2025-1 1", "FIXTURE-2025-2 1")),
                     # an exclusion that is no exception to anything sets nothing aside
                     ("shadowed", ("FIXTURE-2025-2 1",))},
    "overlap.ecp": {("overlap", ("FIXTURE-2025-3 1", "FIXTURE-2025-3 2"))},
    "shadowed.ecp": {("overlap", ("FIXTURE-2025-4 1", "FIXTURE-2025-4 2")),
                     ("shadowed", ("FIXTURE-2025-4 2",))},
    "vacuous.ecp": {("vacuous", ("FIXTURE-2025-5 1",))},
    "gap.ecp": {("gap", ("FIXTURE-2025-7 1", "FIXTURE-2025-7 2"))},
    "redundant.ecp": {("redundant", ("FIXTURE-2025-9 1", "FIXTURE-2025-10 1"))},
    "unsatisfiable.ecp": {("vacuous", ("FIXTURE-2025-11 1",))},
    "silenced.ecp": {("silenced", ("FIXTURE-2025-12 3", "FIXTURE-2025-12 2"))},
    "consistent.ecp": set(),
    "percent.ecp": {("conflict", ("FIXTURE-2025-20 1", "FIXTURE-2025-21 1")),
                    ("overlap", ("FIXTURE-2025-20 1", "FIXTURE-2025-20 2"))},
}


def _keys(finding) -> tuple[str, ...]:
    return tuple(str(k) for k in finding.clauses)


def _eval(witness: dict, policies: list[Path]) -> dict:
    """The decision `policylang eval` prints for a witness (the contract's JSON)."""
    args = ["eval", "-", "--format", "json"] + [a for p in policies for a in ("--policies", str(p))]
    result = CliRunner().invoke(cli, args, input=json.dumps(witness))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_planted_findings(name: str) -> None:
    findings, stats = run_analysis([FIXTURES / name])
    assert {(f.kind, _keys(f)) for f in findings} == EXPECTED[name]
    assert len(findings) == len(EXPECTED[name])
    assert stats["unconfirmed"] == 0 and stats["unknown"] == 0
    for f in findings:
        assert f.message and f.windows
        if f.witness is not None:
            decided = _eval(f.witness, [FIXTURES / name])
            assert decided["outcome"] == f.decision["outcome"]
            assert decided["reasons"] == f.decision["reasons"]


def test_every_fixture_is_expected() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.ecp")) == sorted(EXPECTED)


def test_findings_on_a_percent_parameter_are_all_reported_and_confirmed() -> None:
    """The issue's bug: a witness wrote `"purity": "0.9995"`, the reader refused it, and the
    finding vanished. Witnesses now write a `%` parameter as the policy does, every finding is
    confirmed by the interpreter, and the purities lie where the clauses meet."""
    from decimal import Decimal
    findings, stats = run_analysis([FIXTURES / "percent.ecp"])
    assert stats["unconfirmed"] == 0 and [f.status for f in findings] == ["confirmed", "confirmed"]
    conflict, overlap = findings
    purity = {f.kind: f.witness["item"]["parameters"]["purity"] for f in findings}
    assert all(p.endswith(" %") for p in purity.values()), purity
    assert Decimal("99.9") < Decimal(purity["conflict"][:-2]) <= Decimal("99.99")
    assert Decimal(purity["overlap"][:-2]) > Decimal("99.999")
    for f in findings:
        assert _eval(f.witness, [FIXTURES / "percent.ecp"])["outcome"] == f.decision["outcome"]


def test_gap_sits_on_the_boundary() -> None:
    (gap,), _ = run_analysis([FIXTURES / "gap.ecp"])
    assert gap.witness["item"]["parameters"]["average_particle_size"] == "50 um"
    assert gap.decision["classification"] == [] and gap.decision["outcome"] == "not_controlled"


def test_vacuous_witness_is_suspended() -> None:
    (vac,), _ = run_analysis([FIXTURES / "vacuous.ecp"])
    assert "suspended (by FIXTURE-2025-6 1) for its whole life" in vac.message
    assert (vac.first.isoformat(), vac.last.isoformat()) == ("2025-03-01", "2025-12-31")
    assert [s["clause"] for s in vac.decision["suspended"]] == ["1"]


def test_assume_narrows_the_dates(tmp_path: Path) -> None:
    assume = tmp_path / "assume.txt"
    assume.write_text("date >= 2026-01-01 and destination == DE\n")
    (f,), _ = run_analysis([FIXTURES / "overlap.ecp"], assume)
    assert f.first.isoformat() == "2026-01-01"
    assert f.witness["destination"] == "DE" and f.witness["date"] >= "2026-01-01"


def test_assume_on_the_shipped_library_may_use_its_definitions(tmp_path: Path) -> None:
    """Policy modules are named by announcement ids, which no `import` can name: the assumption
    sees every module of the library without importing them."""
    assume = tmp_path / "assume.txt"
    assume.write_text("date >= 2026-11-11 and overseas_export and destination == JP\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["analyze", "--assume", str(assume), "--kind", "conflict", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.output)["findings"]
    assert findings and all(f["witness"]["destination"] == "JP" and f["from"] >= "2026-11-11" for f in findings)


def test_a_mistake_in_the_assumption_is_reported_in_its_own_file(tmp_path: Path) -> None:
    assume = tmp_path / "assume.txt"
    assume.write_text("date >= 2025-01-01 and item.orign == CN\n")
    result = CliRunner().invoke(cli, ["analyze", str(FIXTURES / "overlap.ecp"), "--assume", str(assume)])
    assert result.exit_code == 2
    assert f"{assume}:1:29" in result.output and "error[E102]" in result.output


def test_assume_that_rules_everything_out(tmp_path: Path) -> None:
    assume = tmp_path / "assume.txt"
    assume.write_text("date < 2024-01-01")
    findings, stats = run_analysis([FIXTURES / "overlap.ecp"], assume)
    assert stats["groups"] == 1          # only the days before 2025, when nothing is in force
    assert [(f.kind, _keys(f)) for f in findings] == [("vacuous", ("FIXTURE-2025-3 1",)),
                                                      ("vacuous", ("FIXTURE-2025-3 2",))]
    assert all(f.message.endswith("(under the assumption)") for f in findings)


def test_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(FIXTURES / "conflict.ecp")
    as_json = runner.invoke(cli, ["analyze", path, "--format", "json"])
    assert as_json.exit_code == 1, as_json.output      # a conflict fails the run
    doc = json.loads(as_json.output)
    assert {"kind", "clauses", "from", "through", "witness", "decision", "message"} <= set(doc["findings"][0])
    sarif = json.loads(runner.invoke(cli, ["analyze", path, "--format", "sarif"]).output)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["conflict", "shadowed"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("conflict.ecp")
    # `--kind` narrows the search: the conflict is not looked for, so it does not fail the run
    only = runner.invoke(cli, ["analyze", path, "--kind", "shadowed", "--format", "json"])
    assert only.exit_code == 0 and [f["kind"] for f in json.loads(only.output)["findings"]] == ["shadowed"]
    text = runner.invoke(cli, ["analyze", str(FIXTURES / "consistent.ecp")])
    assert text.exit_code == 0 and text.output.startswith("0 finding(s)")


# ------------------------------------------------------------------ the shipped library


def _readme_invariants(folder: Path) -> Path:
    """The README's `.ecp` example (its invariants and test), as a file."""
    text = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```") if 'invariant "a humanitarian end use' in b)
    path = folder / "readme_invariants.ecp"
    path.write_text(block, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    readme = _readme_invariants(tmp_path_factory.mktemp("readme"))
    findings, stats = run_analysis([policies_dir(), HERE / "invariants.ecp", readme])
    return {(f.kind, _keys(f)): f for f in findings if f.kind != "invariant"}, stats, \
        {f.name: f for f in findings if f.kind == "invariant"}


REQUIRED = [
    # the bar: each of these interactions is reported with a witness `eval` reproduces
    ("silenced", ("MOFCOM-2025-61 V", "MOFCOM-2025-61 II")),       # humanitarian use, military end user
    ("overlap", ("MOFCOM-2025-61 III(3)", "MOFCOM-2025-61 IV")),   # military use and AI research
    ("overlap", ("MOFCOM-2025-61 I(1)", "MOFCOM-2025-61 I(2)")),   # de minimis and technology rule
    ("overlap", ("MOFCOM-2024-46 1", "MOFCOM-2025-61 II")),        # US military user, No. 46 and No. 61
]


@pytest.mark.slow
@pytest.mark.parametrize("kind,clauses", REQUIRED, ids=[" with ".join(c) for _, c in REQUIRED])
def test_shipped_library_interactions(shipped, kind, clauses) -> None:
    found, stats, _ = shipped
    assert stats["unconfirmed"] == 0
    f = found[(kind, clauses)]
    decided = _eval(f.witness, [])
    assert decided["outcome"] == f.decision["outcome"]
    keys = {(r["policy"], r["clause"]) for r in decided["reasons"]} | \
        {(o["policy"], o["clause"]) for o in decided["obligations"]}
    first, second = (tuple(c.split(" ")) for c in clauses)
    if kind == "silenced":
        assert first in keys and second not in keys
        assert (second[0], second[1]) in {(o["policy"], o["clause"]) for o in decided["overridden"]} or \
            second not in keys
    else:
        assert first in keys and second in keys


@pytest.mark.slow
def test_shipped_invariants(shipped) -> None:
    _, _, invariants = shipped
    proven = invariants["a humanitarian end use never needs a licence under No. 61"]
    assert proven.status == "proven" and proven.witness is None
    refuted = invariants["every re-export of a China-origin Annex 1 item needs a licence under No. 61"]
    assert refuted.status == "refuted"
    decided = _eval(refuted.witness, [])
    no61 = [r for r in decided["reasons"] if r["policy"] == "MOFCOM-2025-61"]
    assert not any(r["effect"] in ("license_required", "case_by_case", "denied_in_principle", "prohibited")
                   for r in no61)


@pytest.mark.slow
def test_shipped_library_has_no_gap_at_50_um(shipped) -> None:
    # No. 55 reads 2C902.a `<= 50 um` and 2C902.b `> 50 um`: a clean partition (inventory C-31)
    found, stats, _ = shipped
    assert not [k for k in found if k[0] == "gap"]
    assert stats["opaque_clauses"] == [] and stats["unknown"] == 0


@pytest.mark.slow
def test_readme_invariants_are_proven(shipped) -> None:
    _, _, invariants = shipped
    assert invariants["No. 61 V never applies before No. 61 is published"].status == "proven"
    assert invariants["a humanitarian end use never needs a licence under No. 61"].status == "proven"
