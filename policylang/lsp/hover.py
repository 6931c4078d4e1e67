"""Hover: what the thing under the cursor means, in Markdown.

Takes: a `Snapshot` and an offset.
Returns: Markdown text, or None where there is nothing to say. A clause (or a reference to one)
shows its title, dates and quoted legal text; a control code its catalogue notes, the clauses
that control and classify it (with the parameters they test) and the clauses whose conditions
use it; an attribute its type and description from the schema; a name its definition.
Guarantees: reads the snapshot only; a name it cannot resolve gives None, never an error.
"""

from __future__ import annotations

import datetime

from policylang import ast
from policylang.check import types as T
from policylang.semantics.builtins import BUILTINS
from policylang.fmt.doc import render
from policylang.fmt.expressions import ExpressionPrinter
from policylang.lsp import codes
from policylang.lsp.lookup import Target, path_before, resolve_path, target_at
from policylang.lsp.workspace import Snapshot
from policylang.program import CASE_RECORD, ClauseKey, Program
from policylang.semantics import validity

_PRINTER = ExpressionPrinter()
_MAX_USES = 12


def hover(snapshot: Snapshot, offset: int) -> str | None:
    program = snapshot.program
    target = target_at(snapshot.module, snapshot.file.text, offset)
    if program is None or target is None:
        return None
    match target.kind:
        case "ref":
            return _ref(program, target.value, target.home)
        case "clause":
            return _clause(program, ClauseKey(target.home, target.value.id))
        case "announcement":
            return _announcement(program, target.value)
        case "code":
            return _code(program, target.value)
        case "import":
            return _import(program, target.value)
        case "attribute":
            return _attribute(snapshot, target)
        case "name":
            return _name(program, target.value) or _local(snapshot, target.value, offset)
    return None


def _local(snapshot: Snapshot, name: str, offset: int) -> str | None:
    """A variable bound by `any`/`all`/`for`, or a parameter: its type."""
    t = resolve_path(snapshot.program, [name], snapshot.file.text[:offset])
    return f"`{name}`: {T.describe(t)}, bound here" if t is not None else None


def expression_text(expr) -> str:
    return render(_PRINTER.expr(expr, 0), 10_000)


def type_text(t: ast.TypeExpr) -> str:
    return _PRINTER.type_doc(t)


def _ref(program: Program, ref: ast.Ref, home: str | None) -> str | None:
    keys = program.clauses_for(ref, home or "")
    if not keys:
        return _announcement(program, ref.announcement) if ref.announcement else None
    if ref.clause is None:
        return _announcement(program, keys[0].policy)
    exact = [k for k in keys if k.clause == ref.clause] or keys
    return _clause(program, exact[0], also=[k for k in keys if k != exact[0]])


def clause_markdown(program: Program, key: ClauseKey) -> str:
    return _clause(program, key) or ""


def _clause(program: Program, key: ClauseKey, also=()) -> str | None:
    clause = program.clauses.get(key)
    if clause is None:
        return None
    lines = [f"**{key.policy} clause {clause.id}**" + (f" — {clause.title}" if clause.title else "")]
    lines.append(_life(program, key))
    for text in clause.texts:
        lines.append(f"\n> {text.text}  \n> — *{text.lang}*")
    if clause.source:
        lines.append(f"\nsource: {clause.source}")
    effects = [r.effect for r in clause.rules if r.effect]
    if effects:
        lines.append("\neffect: " + ", ".join(f"`{e}`" for e in effects))
    if also:
        lines.append("\nwith the clauses under it: " + ", ".join(f"`{k.clause}`" for k in also))
    return "\n".join(lines)


def _life(program: Program, key: ClauseKey) -> str:
    """When the clause is in force, suspended or repealed, and its state today."""
    life = validity.lives(program)[key]
    parts = [f"in force from {life.start}" if life.start else "no start date"]
    if life.until:
        parts.append(f"until {life.until}")
    if life.repealed_from:
        parts.append(f"repealed from {life.repealed_from}" + _by(life.repealed_by))
    parts += [f"suspended {w.start} through {w.end}" + _by(w.by) for w in life.windows]
    today = datetime.date.today()
    return "; ".join(parts) + f"  \non {today}: *{life.status(today).state.replace('_', ' ')}*"


def _by(key: ClauseKey | None) -> str:
    return f" by {key.policy} clause {key.clause}" if key else ""


def _announcement(program: Program, ident: str) -> str | None:
    ann = program.announcements.get(ident)
    if ann is None:
        return None
    lines = [f"**{ann.id}**"] + [f"\n{t.text}" for t in ann.titles]
    facts = [f"{name} {getattr(ann, name)}" for name in ("authority", "issued", "effective", "until")
             if getattr(ann, name)]
    if facts:
        lines.append("\n" + " · ".join(facts))
    lines.append(f"\n{len(ann.clauses)} clause(s): " + ", ".join(f"`{c.id}`" for c in ann.clauses))
    return "\n".join(lines)


def _code(program: Program, code: str) -> str:
    f = codes.facts(program, code)
    lines = [f"**{code}** — control code"]
    if f.notes:
        lines.append("\n" + "\n".join(f"- {n}" for n in f.notes))
    if f.controlled_by:
        lines.append("\n**Controlled by**")
        for key, named in f.controlled_by:
            clause = program.clauses[key]
            lines.append(f"- {key.policy} clause {key.clause}" + (f" — {clause.title}" if clause.title else "")
                         + (f" (`controls {named}`)" if named != code else ""))
    if f.classified_by:
        lines.append("\n**Parameters** (classification)")
        for key, c in f.classified_by:
            lines.append(f"- `{c.category}` is `{c.code}` when `{expression_text(c.condition)}` "
                         f"({key.policy} clause {key.clause})")
    if f.used_by:
        lines.append("\n**Used in the conditions of**")
        lines += [f"- {k.policy} clause {k.clause}" for k in f.used_by[:_MAX_USES]]
        if len(f.used_by) > _MAX_USES:
            lines.append(f"- … and {len(f.used_by) - _MAX_USES} more")
    if f.listed_in:
        lines.append("\n**Listed in** " + ", ".join(f"`{d.name}`" for d in f.listed_in))
    if len(lines) == 1:
        lines.append("\nno clause of the library controls, classifies or tests this code")
    return "\n".join(lines)


def _import(program: Program, name: str) -> str | None:
    module = next((m for m in program.modules if m.name == name), None)
    if module is None:
        return None
    names = [i.name for i in module.items if isinstance(i, (ast.Definition, ast.RecordDecl, ast.EnumDecl))]
    return f"**module `{name}`** — {module.path}\n\ndefines " + ", ".join(f"`{n}`" for n in names[:20]) + \
        (" …" if len(names) > 20 else "")


def _field(record: str, f: ast.Field) -> str:
    text = f"```ecp\n{record}.{f.name}: {type_text(f.type)}{'?' if f.optional else ''}"
    if f.default is not None:
        text += f" = {expression_text(f.default)}"
    return text + "\n```" + (f"\n\n{f.doc}" if f.doc else "")


def _attribute(snapshot: Snapshot, target: Target) -> str | None:
    name, at = target.value
    owner = owner_type(snapshot, at)
    if isinstance(owner, T.RecordT):
        f = snapshot.program.field(owner.name, name)
        return _field(owner.name, f) if f else None
    if isinstance(owner, T.EnumTypeT):
        return _member(snapshot.program, owner.name, name)
    return None


def owner_type(snapshot: Snapshot, at: int) -> T.Type | None:
    """The type of the path before the attribute name that starts at `at`."""
    text = snapshot.file.text
    found = path_before(text, at)
    if found is None:
        return None
    parts = found[0]
    return resolve_path(snapshot.program, parts, text[: at - len(".".join(parts)) - 1])


def _member(program: Program, enum: str, name: str) -> str | None:
    member = next((m for m in program.enums[enum].members if m.name == name), None)
    if member is None:
        return None
    return f"```ecp\n{enum}.{name}\n```" + (f"\n\n{member.doc}" if member.doc else "")


def _name(program: Program, name: str) -> str | None:
    if name in program.definitions:
        d, module = program.definitions[name]
        sig = f"def {name}"
        if d.params:
            sig += "(" + ", ".join(f"{p.name}: {type_text(p.type)}" for p in d.params) + ")"
        if d.type is not None:
            sig += f": {type_text(d.type)}"
        return f"```ecp\n{sig}\n```\n\n" + (f"{d.doc}\n\n" if d.doc else "") + \
            f"= `{expression_text(d.body)}`\n\ndefined in `{module}`"
    case_field = program.field(CASE_RECORD, name)
    if case_field is not None:
        return _field(CASE_RECORD, case_field)
    if name in BUILTINS:
        b = BUILTINS[name]
        return f"```ecp\n{name}({', '.join(T.describe(p) for p in b.params)}) -> {T.describe(b.result)}\n```\n\n" \
               f"built-in: {b.doc}"
    if name in program.records:
        r = program.records[name]
        return f"**record {name}**" + (f" — {r.doc}" if r.doc else "") + "\n\n" + \
            ", ".join(f"`{f.name}`" for f in r.fields)
    if name in program.enums:
        e = program.enums[name]
        return f"**enum {name}**" + (f" — {e.doc}" if e.doc else "") + f"\n\n{len(e.members)} members"
    owners = program.members.get(name)
    if owners:
        return "\n\n".join(filter(None, (_member(program, o, name) for o in owners)))
    return None
