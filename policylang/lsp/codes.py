"""What the library says about a control code: the clauses that control, classify or test it, the
definitions that list it, and the catalogue notes of the stdlib.

Takes: a `Program` and a code such as `2C902.a`.
Returns: `CodeFacts`: each list names the clauses (`ClauseKey`) or definitions involved.
Guarantees: codes are compared hierarchically, both ways: facts about `2C902` and about `2C902.a.1`
are facts about `2C902.a` too, since one lies within the other. A condition uses a code when the
code, or a definition it reaches through other definitions, mentions a related code.

>>> related("2C902.a", "2C902"), related("2C902.a", "2C902.a.1"), related("2C902.a", "2C902.b")
(True, True, False)
"""

from __future__ import annotations

import re

import attrs

from policylang import ast
from policylang.eval.values import code_within
from policylang.lsp.lookup import CODE_RE, walk
from policylang.program import ClauseKey, Program


def related(a: str, b: str) -> bool:
    return code_within(a, b) or code_within(b, a)


@attrs.frozen
class CodeFacts:
    code: str
    controlled_by: tuple[tuple[ClauseKey, str], ...]  # the clause and the code it names
    classified_by: tuple[tuple[ClauseKey, ast.Classification], ...]
    used_by: tuple[ClauseKey, ...]
    listed_in: tuple[ast.Definition, ...]
    notes: tuple[str, ...]


def facts(program: Program, code: str) -> CodeFacts:
    mentions = _Mentions(program)
    controlled, classified, used = [], [], []
    for key, clause in program.clauses.items():
        controlled += [(key, c.value) for c in clause.controls if related(code, c.value)]
        classified += [(key, c) for c in clause.classifications if related(code, c.code)]
        if any(related(code, k) for rule in clause.rules for k in mentions.of(rule.condition)):
            used.append(key)
    listed = [d for d, _ in program.definitions.values()
              if isinstance(d.body, ast.SetLit) and any(related(code, k) for k in mentions.of(d.body))]
    return CodeFacts(code, tuple(controlled), tuple(classified), tuple(used), tuple(listed),
                     tuple(catalogue_notes(program, code)))


class _Mentions:
    """The codes an expression mentions, directly or through the definitions it names."""

    def __init__(self, program: Program):
        self.program = program
        self._defs: dict[str, frozenset[str]] = {}

    def of(self, expr) -> frozenset[str]:
        found: set[str] = set()
        for node in walk(expr):
            match node:
                case ast.CodeLit(value):
                    found.add(value)
                case ast.Name(name) | ast.Call(func=name) if name in self.program.definitions:
                    found |= self._definition(name)
        return frozenset(found)

    def _definition(self, name: str) -> frozenset[str]:
        if name not in self._defs:
            self._defs[name] = frozenset()  # a cycle has been reported by the checker
            self._defs[name] = self.of(self.program.definitions[name][0].body)
        return self._defs[name]


_COMMENT = re.compile(r"^#(\s+)(.*)$")
_ENTRY = re.compile(r"^(" + CODE_RE.pattern + r")\s+(.*)$")


def catalogue_notes(program: Program, code: str) -> list[str]:
    """Comment lines of the library that describe `code` or a code it lies within, as written.

    A note is a comment line that starts with a code (`#   3C001.a metal gallium …`), with the
    more deeply indented comment lines after it; several notes may share a line, split by ` · `.
    """
    notes: list[str] = []
    for module in program.modules:
        lines = module.span.file.text.splitlines() if module.span is not None else []
        for i, line in enumerate(lines):
            m = _COMMENT.match(line)
            if not m:
                continue
            segments = m.group(2).split(" · ")
            for j, segment in enumerate(segments):
                entry = _ENTRY.match(segment.strip())
                if entry and code_within(code, entry.group(1)):
                    more = _continuation(lines, i, len(m.group(1))) if j == len(segments) - 1 else ""
                    notes.append(f"{entry.group(1)} {entry.group(2).strip()}{more}")
    return notes


def _continuation(lines: list[str], i: int, indent: int) -> str:
    more = []
    for line in lines[i + 1:]:
        m = _COMMENT.match(line)
        if not m or len(m.group(1)) <= indent or CODE_RE.match(m.group(2)):
            break
        more.append(m.group(2).strip())
    return (" " + " ".join(more)) if more else ""
