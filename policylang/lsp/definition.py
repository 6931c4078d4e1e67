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
from policylang.lsp.positions import UTF16, to_range
from policylang.lsp.workspace import Snapshot, path_to_uri
from policylang.program import CASE_RECORD, Program


def definition(snapshot: Snapshot, offset: int, encoding: str = UTF16) -> list[lsp.Location]:
    """The places the thing at `offset` is declared, in the editor's position encoding."""
    out = []
    for place in _places(snapshot, offset):
        if isinstance(place, str):  # a whole file: its start
            start = lsp.Position(line=0, character=0)
            out.append(lsp.Location(uri=path_to_uri(place), range=lsp.Range(start=start, end=start)))
        else:
            out.append(lsp.Location(uri=path_to_uri(place.path), range=to_range(place, encoding)))
    return out


def _places(snapshot: Snapshot, offset: int) -> list:
    """Spans of declarations, or the path of a file."""
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
                return [ann.id_span] if ann else []
            exact = [k for k in keys if k.clause == ref.clause] or keys
            return [program.clauses[k].id_span for k in exact]
        case "import":
            module = next((m for m in program.modules if m.name == target.value), None)
            return [module.path] if module is not None else []
        case "code":
            found = codes.facts(program, target.value).controlled_by
            return [c.span for key, _ in found for c in program.clauses[key].controls
                    if codes.related(target.value, c.value) and c.span is not None]
        case "attribute":
            name, at = target.value
            owner = owner_type(snapshot, at)
            if isinstance(owner, T.RecordT):
                f = program.field(owner.name, name)
                return [f.span] if f and f.span else []
            if isinstance(owner, T.EnumTypeT):
                return _member(program, owner.name, name)
        case "name":
            return _name(program, target.value)
    return []


def _member(program: Program, enum: str, name: str) -> list:
    return [m.span for m in program.enums[enum].members if m.name == name and m.span]


def _name(program: Program, name: str) -> list:
    if name in program.definitions:
        return [program.definitions[name][0].span]
    f = program.field(CASE_RECORD, name)
    if f is not None and f.span is not None:
        return [f.span]
    for table in (program.records, program.enums, program.entity_lists):
        if name in table and table[name].span is not None:
            return [table[name].span]
    return [loc for enum in program.members.get(name, ()) for loc in _member(program, enum, name)]
