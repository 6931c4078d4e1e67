"""The checker: every declaration of a program, against the schema and each other.

Takes: a `Program` (parsed and indexed modules).
Returns: the list of diagnostics, every error of the stage at once.
Guarantees: a program with no error diagnostics can be evaluated: every name, attribute, unit,
clause reference and category resolves, conditions are conditions, quantities are compared within
one dimension, dates run forward, and exceptions and refinements form no cycle. The bounds of
`check/bounds.py` (nesting through definitions, clause chains, cycles) are checked first;
nothing else is checked when an expression nests too deeply through definitions, since typing
recurses through them.
"""

from __future__ import annotations

from policylang import ast
from policylang.check import bounds, types as T
from policylang.check.accepts import check_accepts
from policylang.check.invariants import check_invariants_and_tests
from policylang.check.typecheck import ExprChecker, Scope, did_you_mean
from policylang.diagnostics import Diagnostic, error
from policylang.program import CASE_RECORD, PRELUDE, Program
from policylang.source import Span

CATEGORY_ENUM = "Category"
TEXT_LIKE = (T.TEXT, T.CODE)


def check_program(program: Program) -> list[Diagnostic]:
    """All diagnostics of the checker for a program."""
    diags: list[Diagnostic] = bounds.check(program)   # first: typing recurses through definitions
    if any(d.code == bounds.TOO_DEEP for d in diags):
        return diags
    exprs = ExprChecker(program)
    if CASE_RECORD not in program.records:
        first = next((m.span for m in program.modules if m.span is not None), None)
        diags.append(error("E113", first and Span(first.file, 0, 0), name=CASE_RECORD,
                           help=f"the `{PRELUDE}` module of the stdlib declares `record {CASE_RECORD}`"))
        return diags
    for module in program.modules:
        _check_imports(program, module, diags)
    for record in program.records.values():
        _check_record(exprs, record)
    for name in program.definitions:
        exprs.definition_type(name)
    for entity_list in program.entity_lists.values():
        _check_entity_list(program, entity_list, diags)
    for rule, module in program.invalid_rules:
        _check_invalid_rule(exprs, rule, module, diags)
    for module in program.modules:
        scope = exprs.module_scope(module.name)
        for ann in (i for i in module.items if isinstance(i, ast.Announcement)):
            _check_announcement_dates(ann, diags)
            for clause in ann.clauses:
                _check_clause(exprs, program, ann, clause, scope, diags)
    diags += check_invariants_and_tests(program, exprs)
    diags += check_accepts(program)
    if not any(d.is_error for d in (*diags, *exprs.diagnostics)):
        from policylang.check.lint import lint_program
        diags += lint_program(program, exprs)
    return diags + exprs.diagnostics


def _check_imports(program: Program, module: ast.Module, diags: list[Diagnostic]) -> None:
    known = program.module_names()
    for item in module.items:
        if isinstance(item, ast.Import) and item.module not in known:
            diags.append(error("E103", item.span, name=item.module,
                               help=did_you_mean(item.module, known) or "modules are the `.ecp` files of the library"))


def _check_record(exprs: ExprChecker, record: ast.RecordDecl) -> None:
    scope = Scope(PRELUDE, frozenset(), record=record.name)
    for f in record.fields:
        declared = exprs.resolve_type(f.type)
        if f.minimum is not None or f.maximum is not None:
            if declared != T.DECIMAL and not isinstance(declared, T.AnyT):
                exprs.diagnostics.append(error("E210", f.span, field=f.name, why=f"it is {T.describe(declared)}",
                                               help="ranges apply to decimal fields; a quantity's range is physical"))
            elif f.maximum is not None and f.minimum > f.maximum:
                exprs.diagnostics.append(error("E210", f.span, field=f.name,
                                               why=f"no value lies in [{f.minimum}, {f.maximum}]",
                                               help="write the lower bound first"))
        if f.default is not None:
            found = exprs.typeof(f.default, scope)
            if not T.compatible(declared, found):
                exprs.diagnostics.append(error("E209", f.default.span, field=f.name, found=T.describe(found),
                                               expected=T.describe(declared)))


def _check_entity_list(program: Program, entity_list: ast.EntityList, diags) -> None:
    lists = program.enums.get("ListName")
    if lists is not None and entity_list.name not in {m.name for m in lists.members}:
        diags.append(error("E116", entity_list.span, name="ListName", member=entity_list.name,
                           help=did_you_mean(entity_list.name, [m.name for m in lists.members])))
    for entry in entity_list.entries:
        if entry.source is not None and entry.source not in program.announcements:
            diags.append(error("E105", entry.span, announcement=entry.source,
                               help=did_you_mean(entry.source, program.announcements)))


def _check_invalid_rule(exprs: ExprChecker, rule: ast.InvalidRule, module: str, diags) -> None:
    record = CASE_RECORD
    for step in rule.path:
        f = exprs.program.field(record, step)
        if f is None:
            diags.append(error("E102", rule.span, attribute=step, record=record,
                               help=did_you_mean(step, [x.name for x in exprs.program.records[record].fields])))
            break
        t = exprs.resolve_type(f.type)
        record = t.name if isinstance(t, T.RecordT) else record
    exprs.expect(rule.condition, exprs.module_scope(module), T.BOOL)


def _dates_out_of_order(diags, span, what: str, help: str) -> None:
    diags.append(error("E206", span, what=what, help=help))


def _check_announcement_dates(ann: ast.Announcement, diags) -> None:
    if ann.issued and ann.effective and ann.effective < ann.issued:
        _dates_out_of_order(diags, ann.id_span, f"`{ann.id}` takes effect on {ann.effective}, before it was issued on {ann.issued}",
                            "an announcement takes effect on or after its issue date")
    start = ann.effective or ann.issued
    if start and ann.until and ann.until < start:
        _dates_out_of_order(diags, ann.id_span, f"`{ann.id}` ends on {ann.until}, before it starts on {start}",
                            "`until` names the last day in force")


def _check_clause(exprs: ExprChecker, program: Program, ann: ast.Announcement, clause: ast.Clause,
                  scope: Scope, diags: list[Diagnostic]) -> None:
    if clause.effective and ann.issued and clause.effective < ann.issued:
        _dates_out_of_order(diags, clause.id_span,
                            f"clause `{clause.id}` takes effect on {clause.effective}, before `{ann.id}` was issued on {ann.issued}",
                            "a clause takes effect on or after its announcement's issue date")
    start = clause.effective or ann.effective or ann.issued
    if clause.until and start and clause.until < start:
        _dates_out_of_order(diags, clause.id_span, f"clause `{clause.id}` ends on {clause.until}, before it starts on {start}",
                            "`until` names the last day in force")
    for ref in (*clause.exception_to, *clause.refines):
        _check_ref(program, ref, ann.id, diags)
    for s in clause.suspensions:
        for ref in s.targets:
            _check_ref(program, ref, ann.id, diags)
        if s.end < s.start:
            _dates_out_of_order(diags, s.span, f"the suspension runs from {s.start} through {s.end}",
                                "write the first and the last suspended day, both inclusive")
    for r in clause.repeals:
        for ref in r.targets:
            _check_ref(program, ref, ann.id, diags)
    for c in clause.classifications:
        _check_category(program, c, diags)
        exprs.expect(c.condition, scope, T.BOOL, "a classification tests the item's parameters")
    for rule in clause.rules:
        exprs.expect(rule.condition, scope, T.BOOL, "a rule applies when its condition holds")
        for ob in rule.obligations:
            if ob.detail is not None:
                t = exprs.typeof(ob.detail, scope)
                if t not in TEXT_LIKE and not isinstance(t, (T.AnyT, T.EnumT)):
                    diags.append(error("E201", ob.detail.span, expected="text", found=T.describe(t),
                                       help="an obligation's detail is text, e.g. `\"两用物项 \" + item.control_code`"))


def _check_ref(program: Program, ref: ast.Ref, home: str, diags) -> None:
    policy = ref.announcement or home
    if policy not in program.announcements:
        diags.append(error("E105", ref.span, announcement=policy,
                           help=did_you_mean(policy, program.announcements) or "is its file part of the library?"))
        return
    if ref.clause is not None and not program.clauses_for(ref, home):
        numbers = [k.clause for k in program.clauses if k.policy == policy]
        diags.append(error("E104", ref.span, clause=ref.clause, announcement=policy,
                           help=did_you_mean(ref.clause, numbers) or
                           f"`{policy}` has clauses " + ", ".join(f"`{n}`" for n in numbers)))


def _check_category(program: Program, c: ast.Classification, diags) -> None:
    enum = program.enums.get(CATEGORY_ENUM)
    members = [m.name for m in enum.members] if enum else []
    if c.category not in members:
        diags.append(error("E114", c.span, name=c.category,
                           help=did_you_mean(c.category, members) or f"categories are the members of `enum {CATEGORY_ENUM}`"))


