"""Go to definition: from a use to the declaration it names.

Takes: a `Snapshot` and an offset.
Returns: protocol `Location`s: an import goes to its module's file; a clause reference to the
clause (an announcement reference to the announcement); a name to its definition, record,
enumeration or enumeration member, or to the field of the case it reads; an attribute to the
field of its record; a control code to the `controls` lines that declare it.
Guarantees: reads the snapshot only; nothing found is an empty list.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from policylang import ast
from policylang.check import types as T
from policylang.lsp import codes
from policylang.lsp.hover import owner_type
from policylang.lsp.lookup import target_at
from policylang.lsp.positions import to_range
from policylang.lsp.workspace import Snapshot, path_to_uri
from policylang.program import CASE_RECORD, Program


def _location(span) -> lsp.Location:
    return lsp.Location(uri=path_to_uri(span.path), range=to_range(span))


def definition(snapshot: Snapshot, offset: int) -> list[lsp.Location]:
    program = snapshot.program
    target = target_at(snapshot.module, snapshot.file.text, offset)
    if program is None or target is None:
        return []
    match target.kind:
        case "ref":
            ref: ast.Ref = target.value
            keys = program.clauses_for(ref, target.home or "")
            if ref.clause is None:
                ann = program.announcements.get(ref.announcement)
                return [_location(ann.id_span)] if ann else []
            exact = [k for k in keys if k.clause == ref.clause] or keys
            return [_location(program.clauses[k].id_span) for k in exact]
        case "import":
            module = next((m for m in program.modules if m.name == target.value), None)
            if module is None:
                return []
            start = lsp.Position(line=0, character=0)
            return [lsp.Location(uri=path_to_uri(module.path), range=lsp.Range(start=start, end=start))]
        case "code":
            found = codes.facts(program, target.value).controlled_by
            return [_location(c.span) for key, _ in found for c in program.clauses[key].controls
                    if codes.related(target.value, c.value) and c.span is not None]
        case "attribute":
            name, at = target.value
            owner = owner_type(snapshot, at)
            if isinstance(owner, T.RecordT):
                f = program.field(owner.name, name)
                return [_location(f.span)] if f and f.span else []
            if isinstance(owner, T.EnumTypeT):
                return _member(program, owner.name, name)
        case "name":
            return _name(program, target.value)
    return []


def _member(program: Program, enum: str, name: str) -> list[lsp.Location]:
    return [_location(m.span) for m in program.enums[enum].members if m.name == name and m.span]


def _name(program: Program, name: str) -> list[lsp.Location]:
    if name in program.definitions:
        return [_location(program.definitions[name][0].span)]
    f = program.field(CASE_RECORD, name)
    if f is not None and f.span is not None:
        return [_location(f.span)]
    for table in (program.records, program.enums, program.entity_lists):
        if name in table and table[name].span is not None:
            return [_location(table[name].span)]
    return [loc for enum in program.members.get(name, ()) for loc in _member(program, enum, name)]
