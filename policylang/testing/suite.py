"""Test suites of a library: `test` blocks in `.ecp` files and YAML/JSON case files, run and reported.

Takes: paths: `.ecp` files or folders (they join the library, and their `test` blocks are run)
and `.yaml`/`.yml`/`.json` case files or folders, in the format of `tests/eval/*.yaml`:

    policies: [fixtures/x.ecp]   # optional; found next to the file or in a folder above it
    date: 2025-10-20             # optional default date
    cases:
      - name: what the case shows
        case: {...}              # a case in the contract format (or `raw: "text"`)
        expect: {outcome: license_required, reasons: [{policy: MOFCOM-2025-61, clause: I(3)}]}

Returns: `collect` (the tests), `run_all` (a `Report`: each test's result, and clause coverage),
`junit_xml` (JUnit XML that CI systems read).
Guarantees: each test is decided by the reference interpreter, with the default date given
(`--date`) for cases that have none; a library is loaded once per distinct set of policies; a
clause counts as exercised when some decision names it (as a reason, duty, set-aside clause or
exception, suspended or not-in-force clause, suspending clause, or classification). Clauses with
neither rules, classifications nor suspensions (headings) are not counted.
"""

from __future__ import annotations

import datetime
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable

import attrs

from policylang import ast
from policylang.check.invariants import invariants_and_tests
from policylang.eval.cases import RawCase, split_cases
from policylang.engines import DEFAULT as DEFAULT_ENGINE
from policylang.engines import engine as make_engine
from policylang.library import ecp_files, load, policies_dir
from policylang.program import ClauseKey, Program
from policylang.testing.matching import mismatches

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@attrs.frozen
class CaseTest:
    """One test: a case, its expectation, the library it runs against, and where it was written."""
    name: str
    origin: str                       # file (and line) for people and JUnit
    suite: str                        # the file, as the JUnit test-suite name
    raw: RawCase
    expect: dict
    policies: tuple[str, ...]         # extra library paths (empty: the default library)
    date: datetime.date | None = None


@attrs.frozen
class Result:
    test: CaseTest
    passed: bool
    problems: tuple[str, ...]
    decision: dict | None
    seconds: float


@attrs.frozen
class Report:
    results: tuple[Result, ...]
    covered: frozenset
    countable: tuple[ClauseKey, ...]

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.passed]

    @property
    def coverage(self) -> float:
        if not self.countable:
            return 100.0
        return 100.0 * len([k for k in self.countable if k in self.covered]) / len(self.countable)

    def uncovered(self) -> list[ClauseKey]:
        return [k for k in self.countable if k not in self.covered]


# ------------------------------------------------------------------ collecting


def split_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(`.ecp` files, case files) among the paths and below the folders."""
    ecp, cases = [], []
    for p in map(Path, paths):
        if p.is_dir():
            ecp += ecp_files([p])
            cases += sorted(f for f in p.rglob("*") if f.suffix in CASE_SUFFIXES)
        elif p.suffix == ".ecp":
            ecp.append(p.resolve())
        else:
            cases.append(p)
    return ecp, cases


def block_tests(program: Program, files: list[Path]) -> list[CaseTest]:
    """The `test` blocks of the named `.ecp` files."""
    wanted = {str(f.resolve()) for f in files}
    out = []
    for item, _ in invariants_and_tests(program):
        if not isinstance(item, ast.CaseTest) or item.span is None:
            continue
        path = str(Path(item.span.path).resolve())
        if path not in wanted:
            continue
        expect: dict = {}
        for text in item.expectations:
            expect.update(json.loads(text))
        raw = split_cases(item.case, f"{item.span.path}:{item.span.line}")[0]
        out.append(CaseTest(item.name, f"{item.span.path}:{item.span.line}", item.span.path, raw, expect, ()))
    return out


def _find_policy(base: Path, name: str) -> str:
    for folder in (base, *base.parents):
        if (folder / name).exists():
            return str(folder / name)
    return str(base / name)


def file_tests(path: Path) -> list[CaseTest]:
    """The cases of one YAML or JSON case file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        doc = json.loads(text)
    else:
        import yaml
        doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or "cases" not in doc:
        return []
    policies = tuple(_find_policy(path.parent, p) for p in doc.get("policies") or ())
    default = doc.get("date")
    day = datetime.date.fromisoformat(str(default)) if default else None
    out = []
    for i, entry in enumerate(doc["cases"]):
        if "raw" in entry:
            raw = split_cases(entry["raw"], "case.json")[0]
        else:  # YAML dates and numbers become JSON text first, read as the contract reads JSON
            raw = split_cases(json.dumps(entry["case"], default=str), "case.json")[0]
        name = entry.get("name", str(i))
        out.append(CaseTest(name, f"{path}::{name}", str(path), raw, entry.get("expect", {}), policies, day))
    return out


# ------------------------------------------------------------------ running


class Libraries:
    """Engines (the compiled one by default), one per set of library paths, loaded once."""

    def __init__(self, base: list[Path], engine: str = DEFAULT_ENGINE, with_stdlib: bool = True):
        self.base = base
        self.engine = engine
        self.with_stdlib = with_stdlib
        self._loaded: dict[tuple[str, ...], tuple[Program, Any]] = {}

    def get(self, extra: tuple[str, ...]) -> tuple[Program, Any]:
        if extra not in self._loaded:
            paths = list(extra) if extra else list(self.base)
            program, diags = load(paths, with_stdlib=self.with_stdlib)
            if program is None:
                raise LibraryError([f"{d.code} {d.message}" for d in diags if d.is_error])
            self._loaded[extra] = (program, make_engine(program, self.engine))
        return self._loaded[extra]


class LibraryError(Exception):
    """A library that does not check: the suite cannot run."""


def exercised(decision: dict) -> set[ClauseKey]:
    """The clauses a decision names."""
    keys = set()
    for field in ("reasons", "obligations", "suspended", "not_in_force", "overridden", "classification"):
        for entry in decision.get(field, []):
            keys.add(ClauseKey(entry["policy"], entry["clause"]))
            for by in entry.get("by", []) if isinstance(entry.get("by"), list) else ():
                keys.add(ClauseKey(by["policy"], by["clause"]))
            if isinstance(entry.get("by"), str):
                policy, _, clause = entry["by"].partition(" ")
                keys.add(ClauseKey(policy, clause))
    return keys


def countable(program: Program, files: Iterable[Path] | None = None) -> tuple[ClauseKey, ...]:
    """The clauses coverage counts: those that decide something, of the given `.ecp` files only
    when files are given (a new policy's author sees its own clauses, not the whole library)."""
    wanted = None if files is None else {Path(f).resolve() for f in files}
    return tuple(k for k, c in program.clauses.items()
                 if (c.rules or c.classifications or c.suspensions or c.repeals)
                 and (wanted is None or (c.span is not None and Path(c.span.path).resolve() in wanted)))


def run_test(test: CaseTest, libraries: Libraries, default_date: datetime.date | None) -> Result:
    started = time.perf_counter()
    _, engine = libraries.get(test.policies)
    decision = engine.decide(test.raw, test.date or default_date).to_json()
    problems = tuple(mismatches(test.expect, decision))
    return Result(test, not problems, problems, decision, round(time.perf_counter() - started, 4))


def collect(paths: Iterable[Path], policies: list[Path] | None = None, engine: str = DEFAULT_ENGINE,
            with_stdlib: bool = True) -> tuple[list[CaseTest], Libraries]:
    """The tests under the paths, and the libraries to run them with."""
    ecp, cases = split_paths(paths)
    libraries = Libraries([*(policies or [policies_dir()]), *ecp], engine, with_stdlib)
    program, _ = libraries.get(())
    tests = block_tests(program, ecp)
    for path in cases:
        tests += file_tests(path)
    return tests, libraries


def run_all(tests: list[CaseTest], libraries: Libraries, default_date: datetime.date | None = None,
            files: Iterable[Path] | None = None) -> Report:
    """Every test's result, and the coverage of the clauses of `files` (all clauses when None)."""
    results = tuple(run_test(t, libraries, default_date) for t in tests)
    program, _ = libraries.get(())
    covered = set()
    for r in results:
        if not r.test.policies and r.decision:
            covered |= exercised(r.decision)
    return Report(results, frozenset(covered), countable(program, files))


def junit_xml(report: Report) -> str:
    """JUnit XML: one test suite per file, one test case per test, failures with their reasons."""
    root = ET.Element("testsuites", name="policylang test", tests=str(len(report.results)),
                      failures=str(len(report.failed)))
    suites: dict[str, list[Result]] = {}
    for r in report.results:
        suites.setdefault(r.test.suite, []).append(r)
    for name, results in suites.items():
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(results)),
                              failures=str(sum(not r.passed for r in results)),
                              time=f"{sum(r.seconds for r in results):.4f}")
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=name, name=r.test.name, time=f"{r.seconds:.4f}")
            if not r.passed:
                failure = ET.SubElement(case, "failure", message=r.problems[0], type="DecisionMismatch")
                failure.text = "\n".join(r.problems) + "\n\ndecision:\n" + json.dumps(r.decision, ensure_ascii=False, indent=1)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="clause_coverage", value=f"{report.coverage:.1f}")
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def summary(report: Report, show_coverage: bool) -> str:
    lines = []
    for r in report.results:
        mark = "ok  " if r.passed else "FAIL"
        lines.append(f"{mark} {r.test.origin}" + ("" if r.test.origin.endswith(r.test.name) else f"  {r.test.name}"))
        for p in r.problems:
            lines.append(f"       {p}")
    n, failed = len(report.results), len(report.failed)
    lines.append(f"{n - failed} passed, {failed} failed")
    covered = len(report.countable) - len(report.uncovered())
    lines.append(f"clause coverage: {covered}/{len(report.countable)} ({report.coverage:.1f} %)")
    if show_coverage:
        for k in report.uncovered():
            lines.append(f"  not exercised: {k}")
    return "\n".join(lines)


__all__ = ["CaseTest", "Result", "Report", "collect", "run_all", "junit_xml", "summary", "LibraryError"]
