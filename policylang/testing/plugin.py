"""The pytest plugin: `test` blocks in `.ecp` files and `test_*.yaml`/`test_*.json` case files
become pytest items.

Takes: the files pytest visits: a `.ecp` file that holds a `test "…"` block, and case files named
`test_*.yaml`, `test_*.yml` or `test_*.json` in the format of `policylang test`.
Returns: one pytest item per test, named by the test; a failure shows why the decision does not
meet the expectation, and the decision.
Guarantees: the tests run against the shipped library, or the folders and files the ini option
`policylang_policies` names (relative to the rootdir), plus the `.ecp` file itself; a library is
loaded once per session. Turn the plugin off with `-p no:policylang`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylang import limits
from policylang.library import read_file
from policylang.testing.suite import CaseTest, Libraries, LibraryError, collect, run_test

_CASE_FILES = ("test_*.yaml", "test_*.yml", "test_*.json")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("policylang_policies", type="paths", default=[],
                  help="policylang: the library `test` blocks and case files run against (default: shipped)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".ecp":
        data, problem = read_file(file_path, False, [], limits.current().policy_bytes)
        if problem is not None:     # not a regular file, too large: `policylang check` says so
            return None
        if b'test "' in data:
            return PolicyTestFile.from_parent(parent, path=file_path)
    elif any(file_path.match(p) for p in _CASE_FILES):
        return PolicyTestFile.from_parent(parent, path=file_path)
    return None


class PolicyTestFile(pytest.File):
    """A file of policy tests."""

    def collect(self):
        policies = [Path(p) for p in self.config.getini("policylang_policies")] or None
        try:
            tests, libraries = collect([self.path], policies)
        except LibraryError as exc:
            raise self.CollectError("the library does not check:\n  " + "\n  ".join(exc.args[0])) from None
        for test in tests:
            yield PolicyTestItem.from_parent(self, name=test.name, test=test, libraries=libraries)


class PolicyTestFailure(Exception):
    """A decision that does not meet its expectation."""


class PolicyTestItem(pytest.Item):
    """One case and its expected decision."""

    def __init__(self, *, test: CaseTest, libraries: Libraries, **kwargs):
        super().__init__(**kwargs)
        self.test, self.libraries = test, libraries

    def runtest(self) -> None:
        result = run_test(self.test, self.libraries, None)
        if not result.passed:
            raise PolicyTestFailure("\n".join(result.problems) + "\n\ndecision:\n" +
                                    json.dumps(result.decision, ensure_ascii=False, indent=1))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PolicyTestFailure):
            return f"{self.test.origin}: {self.test.name}\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"policy test: {self.test.name}"
