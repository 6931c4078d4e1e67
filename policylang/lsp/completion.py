"""Completion: what may be typed at the cursor.

Takes: a `Snapshot` and an offset.
Returns: protocol `CompletionItem`s. After `path.` the fields of the record the path denotes
(`item.` gives the fields of `Item`, `c.` inside `any c in item.contains:` those of `Component`)
or the members of an enumeration; after `import ` the modules; after `refines clause ` and the
like the clauses of the announcement; a word that starts with a digit completes to control
codes; anywhere else keywords, country codes, definitions, the case's fields, built-ins and codes.
Guarantees: works while the document does not parse (it reads the text before the cursor and the
library's last good program); a path it cannot resolve gives no attribute items, not a guess.
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from policylang import ast
from policylang.check import types as T
from policylang.semantics.builtins import BUILTINS
from policylang.lsp.hover import type_text
from policylang.lsp.lookup import path_before, resolve_path
from policylang.lsp.positions import line_start
from policylang.lsp.workspace import Snapshot
from policylang.program import CASE_RECORD, Program

KEYWORDS = (
    "import", "def", "enum", "record", "entities", "invalid at", "because", "announcement", "title",
    "authority", "issued", "effective", "until", "source", "clause", "text zh", "text en", "when",
    "prohibit", "deny in principle", "review case by case", "require license", "exempt",
    "exclude from scope", "refines clause", "exception to clause", "controls", "classify", "as",
    "suspend", "repeal", "from", "through", "report", "compliance notice", "customs remark",
    "declare destination", "show license", "inquire", "chinese documents", "within", "working days",
    "and", "or", "not", "in", "not in", "is given", "is not given", "any", "all", "sum", "count", "min",
    "max", "for", "if", "then", "else", "true", "false", "list of", "set of",
    "invariant", "assume", "expect outcome", "under", "at most", "at least", "expect applies",
    "expect not applies", "test", "case",
    "accept conflict", "accept overlap", "accept silenced", "accept shadowed", "accept redundant",
    "accept vacuous", "accept gap", "with",
)
_K = lsp.CompletionItemKind


def completions(snapshot: Snapshot, offset: int) -> list[lsp.CompletionItem]:
    program = snapshot.program
    if program is None:
        return []
    text = snapshot.file.text
    line = text[line_start(text, offset): offset]
    found = path_before(text, offset)
    if found is not None:
        parts, typed = found
        return _members(program, resolve_path(program, parts, text[: offset - len(typed) - len(".".join(parts)) - 1]))
    if re.search(r"\bimport\s+\w*$", line):
        return [lsp.CompletionItem(label=m.name, kind=_K.Module, detail=m.path) for m in program.modules]
    if re.search(r"\S.*\bclause\s+[\w().]*$", line):
        return _clauses(program, snapshot, offset)
    word = re.search(r"[\w.]*$", line).group()
    if word[:1].isdigit():
        return _codes(program)
    return (_keywords() + _countries(program) + _definitions(program) + _case_fields(program)
            + _builtins() + _codes(program))


def _members(program: Program, owner: T.Type | None) -> list[lsp.CompletionItem]:
    if isinstance(owner, T.RecordT):
        return [_field_item(owner.name, f) for f in program.records[owner.name].fields]
    if isinstance(owner, T.EnumTypeT):
        return [lsp.CompletionItem(label=m.name, kind=_K.EnumMember, detail=m.doc)
                for m in program.enums[owner.name].members]
    return []


def _field_item(record: str, f: ast.Field) -> lsp.CompletionItem:
    detail = f"{record}.{f.name}: {type_text(f.type)}{'?' if f.optional else ''}"
    return lsp.CompletionItem(label=f.name, kind=_K.Field, detail=detail, documentation=f.doc)


def _clauses(program: Program, snapshot: Snapshot, offset: int) -> list[lsp.CompletionItem]:
    ann = snapshot.announcement_at(offset)
    home = ann.id if ann else None
    if home is None:
        m = list(re.finditer(r"\bannouncement\s+([A-Z]+-[0-9]{4}-[0-9]+)", snapshot.file.text[:offset]))
        home = m[-1].group(1) if m else None
    return [lsp.CompletionItem(label=k.clause, kind=_K.Reference, detail=c.title)
            for k, c in program.clauses.items() if k.policy == home]


def _keywords() -> list[lsp.CompletionItem]:
    return [lsp.CompletionItem(label=k, kind=_K.Keyword) for k in KEYWORDS]


def _countries(program: Program) -> list[lsp.CompletionItem]:
    enum = program.enums.get("Country")
    return [lsp.CompletionItem(label=m.name, kind=_K.EnumMember, detail=m.doc, filter_text=f"{m.name} {m.doc or ''}")
            for m in (enum.members if enum else ())]


def _definitions(program: Program) -> list[lsp.CompletionItem]:
    return [lsp.CompletionItem(label=name, kind=_K.Function if d.params else _K.Variable,
                               detail=f"def {name} (in {module})", documentation=d.doc)
            for name, (d, module) in program.definitions.items()]


def _case_fields(program: Program) -> list[lsp.CompletionItem]:
    record = program.records.get(CASE_RECORD)
    return [_field_item(CASE_RECORD, f) for f in (record.fields if record else ())]


def _builtins() -> list[lsp.CompletionItem]:
    return [lsp.CompletionItem(label=name, kind=_K.Function, detail="built-in", documentation=b.doc)
            for name, b in BUILTINS.items()]


def known_codes(program: Program) -> list[str]:
    """Every control code the library names: in `controls`, `classify` and code literals."""
    found: set[str] = set()
    for clause in program.clauses.values():
        found |= {c.value for c in clause.controls} | {c.code for c in clause.classifications}
    for d, _ in program.definitions.values():
        if isinstance(d.body, ast.SetLit):
            found |= {i.value for i in d.body.items if isinstance(i, ast.CodeLit)}
    return sorted(found)


def _codes(program: Program) -> list[lsp.CompletionItem]:
    return [lsp.CompletionItem(label=c, kind=_K.Constant, detail="control code") for c in known_codes(program)]
