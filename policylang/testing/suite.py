"""Test suites of a library: `test` blocks in `.ecp` files and YAML/JSON case files, run and reported.

Takes: paths: `.ecp` files or folders (they join the library, and their `test` blocks are run)
and `.yaml`/`.yml`/`.json` case files or folders, in the format of `tests/eval/*.yaml`:

    policies: [fixtures/x.ecp]   # optional; found next to the file or in a folder above it, inside
                                 # the folders given (see `file_tests`)
    date: 2025-10-20             # optional default date
    cases:
      - name: what the case shows
        case: {...}              # a case in the contract format (or `raw: "text"`)
        expect: {outcome: license_required, reasons: [{policy: MOFCOM-2025-61, clause: I(3)}]}

Returns: `collect` (the tests), `run_all` (a `Report`: each test's result, and clause coverage),
`junit_xml` (JUnit XML that CI systems read).
Guarantees: a test file reads only what it may: its `policies:` entries are relative paths of
`.ecp` files inside the folders given on the command line, the current folder or the shipped
library (never absolute, never `..`, never a link out of them), and the file itself is read
within the limits (`document_bytes`, `case_bytes` per case, aliases of YAML counted as written
out); a file or an entry that breaks these is one failing test saying why, never an exception,
and quotes nothing of a file it did not read. Each test is decided by the engine, with the default date given
(`--date`) for cases that have none; a library is loaded once per distinct set of policies; a
clause counts as exercised when some decision names it (as a reason, duty, set-aside clause or
exception, suspended or not-in-force clause, suspending clause, or classification). Clauses with
neither rules, classifications nor suspensions (headings) are not counted.
"""

from __future__ import annotations

import datetime
import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any, Iterable

import attrs

from policylang import ast
from policylang.check.invariants import invariants_and_tests
from policylang import limits
from policylang.eval.cases import RawCase, read_date, split_cases
from policylang.eval.raw import too_long
from policylang.engines import DEFAULT as DEFAULT_ENGINE
from policylang.engines import engine as make_engine
from policylang.library import display, files_under, load, policies_dir, read_file, roots
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
    problem: str | None = None        # why the test cannot run as written (it fails with this)


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


def split_paths(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, bool]]]:
    """(`.ecp` files, case files with whether each was found in a folder) among the paths and
    below the folders (links to folders are not followed)."""
    ecp, cases = [], []
    for path, inside in files_under(paths, (".ecp", *CASE_SUFFIXES)):
        if path.suffix == ".ecp":
            ecp.append(path)
        else:
            cases.append((Path(display(path)), inside))
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


def _policy_path(test_file: Path, name: Any, allowed: list[Path]) -> str:
    """The `.ecp` file a test file's `policies:` entry names: a relative path, found next to the
    test file or in a folder above it, never above the folders `allowed`, whose real path lies in
    them. `BadTestFile` says why an entry is refused, quoting only the entry itself."""
    shown = str(name)[:200]
    if not isinstance(name, str) or not name.strip():
        raise BadTestFile(f"a `policies` entry is the relative path of a `.ecp` file, not `{shown}`")
    relative = PurePath(name)
    if relative.is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive \
            or ".." in relative.parts or ".." in PureWindowsPath(name).parts:
        raise BadTestFile(f"the `policies` entry `{shown}` must be a path relative to the test file "
                          "that stays inside the folders given to `policylang test`")
    if relative.suffix != ".ecp":
        raise BadTestFile(f"the `policies` entry `{shown}` is not a `.ecp` file")
    folder = _real(test_file.parent)
    while any(folder.is_relative_to(root) for root in allowed):
        candidate = folder / relative
        if os.path.lexists(candidate):
            if not any(_real(candidate).is_relative_to(root) for root in allowed):
                raise BadTestFile(f"the `policies` entry `{shown}` leads outside the folders given to "
                                  "`policylang test`: it is not read")
            return str(candidate)
        if folder.parent == folder:
            break
        folder = folder.parent
    raise BadTestFile(f"the `policies` entry `{shown}` is found next to the test file nor in a folder "
                      "above it inside the folders given to `policylang test`")


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


class BadTestFile(Exception):
    """A test file that cannot be run as written: the message says why."""


def file_tests(path: Path, allowed: list[Path] | None = None, inside: bool = False) -> list[CaseTest]:
    """The cases of one YAML or JSON case file; a file that cannot be read or run as written is
    one failing test that says why. `policies:` entries may name only `.ecp` files inside the
    folders `allowed` (default: the file's own folder, the current folder and the shipped
    library)."""
    allowed = allowed if allowed is not None else roots([path, Path.cwd()])
    try:
        return _file_tests(path, allowed, inside)
    except BadTestFile as exc:
        return [_failing(path, str(exc))]


def _failing(path: Path, problem: str) -> CaseTest:
    return CaseTest(path.name, str(path), str(path), RawCase(None, str(path)), {}, (), problem=problem)


def _file_tests(path: Path, allowed: list[Path], inside: bool) -> list[CaseTest]:
    bounds = limits.current()
    data, problem = read_file(path, inside, allowed, bounds.document_bytes)
    if problem is not None:
        raise BadTestFile(f"{problem.code} {problem.message}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadTestFile(f"the file is not UTF-8 (byte {exc.start + 1})") from None
    try:
        if path.suffix == ".json":
            doc = json.loads(text)
        else:
            import yaml
            doc = yaml.safe_load(text)
    except RecursionError:
        raise BadTestFile("the file is nested too deeply to be read") from None
    except Exception as exc:       # a syntax error of YAML or JSON, with where it is
        raise BadTestFile(f"the file is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: "
                          + " ".join(str(exc).split())[:300]) from None
    if not isinstance(doc, dict) or "cases" not in doc:
        return []
    if not isinstance(doc["cases"], list):
        raise BadTestFile("`cases` must be a list of {name, case, expect}")
    listed = doc.get("policies") or []
    if not isinstance(listed, list):
        raise BadTestFile("`policies` must be a list of `.ecp` files")
    policies = tuple(_policy_path(path, p, allowed) for p in listed)
    default = doc.get("date")
    day = read_date(default if isinstance(default, str) else str(default)) if default else None
    if default and day is None:
        raise BadTestFile(f"the default `date` `{str(default)[:40]}` is not written YYYY-MM-DD")
    out = []
    for i, entry in enumerate(doc["cases"]):
        if not isinstance(entry, dict):
            out.append(_failing(path, f"case {i} is not an object with `name`, `case` and `expect`"))
            continue
        name = str(entry.get("name", i))[:200]
        expect = entry.get("expect", {})
        if "raw" in entry and isinstance(entry["raw"], str):
            raw = split_cases(entry["raw"][: bounds.case_bytes + 1], "case.json")[0] \
                if len(entry["raw"]) <= bounds.case_bytes else too_long("case.json", len(entry["raw"]))
        else:  # YAML dates and numbers become JSON text first, read as the contract reads JSON
            raw = _as_json_case(entry.get("case"), bounds.case_bytes)
        if not isinstance(expect, dict):
            out.append(_failing(path, f"the `expect` of case `{name}` is not an object"))
            continue
        out.append(CaseTest(name, f"{path}::{name}", str(path), raw, expect, policies, day))
    return out


def _as_json_case(value: Any, bound: int) -> RawCase:
    """A case written in YAML or JSON, as the JSON text `eval` would read; its size counted
    before it is written out (YAML's aliases can make a few bytes stand for a huge value)."""
    size = _written_size(value, bound)
    if size > bound:
        return too_long("case.json", size)
    try:
        return split_cases(json.dumps(value, default=str), "case.json")[0]
    except (RecursionError, ValueError):
        return RawCase(None, "case.json", "the case is nested too deeply to be read")


def _written_size(value: Any, bound: int) -> int:
    """About how many characters `value` takes as JSON, counted only up to `bound` (iterative,
    so a value that contains itself or nests deeply ends the count too)."""
    size, stack = 0, [value]
    while stack and size <= bound:
        v = stack.pop()
        if isinstance(v, dict):
            size += 2 + 4 * len(v)
            stack += list(v.keys()) + list(v.values())
        elif isinstance(v, (list, tuple)):
            size += 2 + 2 * len(v)
            stack += list(v)
        else:
            size += len(str(v)) + 2 if isinstance(v, str) else 8
    return size


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
    if test.problem is not None:
        return Result(test, False, (test.problem,), None, 0.0)
    _, engine = libraries.get(test.policies)
    decision = engine.decide(test.raw, test.date or default_date).to_json()
    problems = tuple(mismatches(test.expect, decision))
    return Result(test, not problems, problems, decision, round(time.perf_counter() - started, 4))


def collect(paths: Iterable[Path], policies: list[Path] | None = None, engine: str = DEFAULT_ENGINE,
            with_stdlib: bool = True) -> tuple[list[CaseTest], Libraries]:
    """The tests under the paths, and the libraries to run them with."""
    paths = list(paths)
    ecp, cases = split_paths(paths)
    libraries = Libraries([*(policies or [policies_dir()]), *ecp], engine, with_stdlib)
    program, _ = libraries.get(())
    tests = block_tests(program, ecp)
    allowed = roots([*paths, *(policies or []), Path.cwd()])
    for path, inside in cases:
        tests += file_tests(path, allowed, inside)
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


def junit_xml(report: Report, times: bool = False) -> str:
    """JUnit XML: one test suite per file, one test case per test, failures with their reasons.
    The same tests give the same bytes: seconds taken are written only with `times`."""
    root = ET.Element("testsuites", name="policylang test", tests=str(len(report.results)),
                      failures=str(len(report.failed)))
    suites: dict[str, list[Result]] = {}
    for r in report.results:
        suites.setdefault(r.test.suite, []).append(r)
    for name, results in suites.items():
        timed = {"time": f"{sum(r.seconds for r in results):.4f}"} if times else {}
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(results)),
                              failures=str(sum(not r.passed for r in results)), **timed)
        for r in results:
            timed = {"time": f"{r.seconds:.4f}"} if times else {}
            case = ET.SubElement(suite, "testcase", classname=name, name=r.test.name, **timed)
            if not r.passed:
                failure = ET.SubElement(case, "failure", message=r.problems[0], type="DecisionMismatch")
                failure.text = "\n".join(r.problems) + "\n\ndecision:\n" + json.dumps(
                    r.decision, ensure_ascii=False, indent=1, default=str)
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
