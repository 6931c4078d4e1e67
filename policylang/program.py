"""A program: the parsed modules of a library, indexed for the checker and the interpreter.

Takes: AST modules (one per `.ecp` file).
Returns: `Program`, which looks up enumerations, records, definitions, entity lists,
announcements and clauses by name, and `build_program`, which also reports duplicates.
Guarantees: a `Program` is immutable once built; every lookup table is derived from the modules,
so two programs of equal modules are interchangeable.
"""

from __future__ import annotations

import bisect

from typing import Iterator, NamedTuple

import attrs

from policylang import ast
from policylang.diagnostics import Diagnostic, error

PRELUDE = "schema"  # the module every other module sees without importing it
CASE_RECORD = "Case"


def clause_within(clause_id: str, scope: str) -> bool:
    """Whether clause `clause_id` is `scope` or numbered under it: `I(1)` and `I.2` lie within `I`.

    >>> clause_within("I(1)", "I"), clause_within("II", "I"), clause_within("2(a)", "2")
    (True, False, True)
    """
    return clause_id == scope or clause_id.startswith(scope + "(") or clause_id.startswith(scope + ".")


class _ClauseIndex:
    """The clauses of one announcement: in the library's order, and their numbers sorted, so that
    the clauses under a number (`I(1)`, `I.2` under `I`) are two ranges found by bisection."""

    def __init__(self, keys: list["ClauseKey"]):
        self.keys = keys
        self.position = {k.clause: n for n, k in enumerate(keys)}
        self.numbers = sorted(self.position)

    @staticmethod
    def of(clauses) -> dict[str, "_ClauseIndex"]:
        by_policy: dict[str, list[ClauseKey]] = {}
        for key in clauses:
            by_policy.setdefault(key.policy, []).append(key)
        return {policy: _ClauseIndex(keys) for policy, keys in by_policy.items()}

    def within(self, scope: str | None) -> list["ClauseKey"]:
        if scope is None:
            return list(self.keys)
        found = [scope] if scope in self.position else []
        for below in (scope + "(", scope + "."):
            start = bisect.bisect_left(self.numbers, below)
            end = start
            while end < len(self.numbers) and self.numbers[end].startswith(below):
                end += 1
            found += self.numbers[start:end]
        return [self.keys[n] for n in sorted(self.position[c] for c in found)]


class ClauseKey(NamedTuple):
    """A clause by announcement and number: the identity used in decisions (`policy`, `clause`).
    A named tuple: clause keys are looked up for every case, and a tuple hashes in C."""
    policy: str
    clause: str

    def __str__(self) -> str:
        return f"{self.policy} {self.clause}"


@attrs.frozen
class Program:
    """The modules of a library and the tables derived from them."""

    modules: tuple[ast.Module, ...]
    enums: dict[str, ast.EnumDecl] = attrs.field(factory=dict, eq=False)
    members: dict[str, tuple[str, ...]] = attrs.field(factory=dict, eq=False)
    records: dict[str, ast.RecordDecl] = attrs.field(factory=dict, eq=False)
    definitions: dict[str, tuple[ast.Definition, str]] = attrs.field(factory=dict, eq=False)
    entity_lists: dict[str, ast.EntityList] = attrs.field(factory=dict, eq=False)
    invalid_rules: tuple[tuple[ast.InvalidRule, str], ...] = attrs.field(default=(), eq=False)
    placeholders: dict[str, ast.Placeholder] = attrs.field(factory=dict, eq=False)
    checked: tuple[ast.CheckedThrough, ...] = attrs.field(default=(), eq=False)
    announcements: dict[str, ast.Announcement] = attrs.field(factory=dict, eq=False)
    clauses: dict[ClauseKey, ast.Clause] = attrs.field(factory=dict, eq=False)
    _index: dict[str, "_ClauseIndex"] = attrs.field(factory=dict, eq=False, init=False, repr=False)

    def module_names(self) -> set[str]:
        return {m.name for m in self.modules}

    def clauses_for(self, ref: ast.Ref, home: str | None) -> list[ClauseKey]:
        """The clauses a reference names: all of an announcement, or a clause and those under it,
        in the library's order. Looked up in an index (`_ClauseIndex`), not by a pass over every
        clause, so that checking a file of many references to many clauses stays linear."""
        policy = ref.announcement or home
        index = self._index.get(policy)
        if index is None:
            if not self._index:
                self._index.update(_ClauseIndex.of(self.clauses))
            index = self._index.get(policy)
            if index is None:
                return []
        return index.within(ref.clause)

    def all_clauses(self) -> Iterator[tuple[ast.Announcement, ast.Clause]]:
        for ann in self.announcements.values():
            for clause in ann.clauses:
                yield ann, clause

    def field(self, record: str, name: str) -> ast.Field | None:
        decl = self.records.get(record)
        if decl is None:
            return None
        return next((f for f in decl.fields if f.name == name), None)


def build_program(modules: list[ast.Module]) -> tuple[Program, list[Diagnostic]]:
    """Index the modules; report names, announcements and clauses declared twice."""
    diags: list[Diagnostic] = []
    enums: dict[str, ast.EnumDecl] = {}
    members: dict[str, list[str]] = {}
    records: dict[str, ast.RecordDecl] = {}
    definitions: dict[str, tuple[ast.Definition, str]] = {}
    entity_lists: dict[str, ast.EntityList] = {}
    invalid_rules: list[tuple[ast.InvalidRule, str]] = []
    placeholders: dict[str, ast.Placeholder] = {}
    checked: list[ast.CheckedThrough] = []
    announcements: dict[str, ast.Announcement] = {}
    clauses: dict[ClauseKey, ast.Clause] = {}
    names: set[str] = set()

    def claim(name: str, span) -> bool:
        if name in names:
            diags.append(error("E106", span, name=name, help="rename one of them"))
            return False
        names.add(name)
        return True

    for module in sorted(modules, key=lambda m: m.path):
        for item in module.items:
            match item:
                case ast.EnumDecl() if claim(item.name, item.span):
                    enums[item.name] = item
                    for m in item.members:
                        members.setdefault(m.name, []).append(item.name)
                case ast.RecordDecl() if claim(item.name, item.span):
                    records[item.name] = item
                case ast.Definition() if claim(item.name, item.span):
                    definitions[item.name] = (item, module.name)
                case ast.EntityList() if claim(item.name, item.span):
                    entity_lists[item.name] = item
                case ast.InvalidRule():
                    invalid_rules.append((item, module.name))
                case ast.Placeholder():
                    if item.code in placeholders:
                        diags.append(error("E106", item.span, name=item.code, help="declare each placeholder once"))
                    placeholders[item.code] = item
                case ast.CheckedThrough():
                    checked.append(item)
                case ast.Announcement():
                    if item.id in announcements:
                        diags.append(error("E115", item.id_span, announcement=item.id,
                                           help="each announcement lives in one file"))
                        continue
                    announcements[item.id] = item
                    for clause in item.clauses:
                        key = ClauseKey(item.id, clause.id)
                        if key in clauses:
                            diags.append(error("E107", clause.id_span, clause=clause.id,
                                               announcement=item.id,
                                               help="number each clause as the announcement does, once"))
                        else:
                            clauses[key] = clause
    program = Program(tuple(modules), enums, {k: tuple(v) for k, v in members.items()}, records,
                      definitions, entity_lists, tuple(invalid_rules), placeholders, tuple(checked),
                      announcements, clauses)
    return program, diags
