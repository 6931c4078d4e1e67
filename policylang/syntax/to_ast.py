"""Parse tree -> AST, straight after parsing.

Takes: a Lark parse tree of one file (from `parser.py`, the only caller).
Returns: the file's declarations as `policylang.ast` nodes; problems that the grammar cannot
see (an impossible date such as `2025-02-30`) are collected in `diagnostics`.
Guarantees: every node carries the span of the text it came from; no `lark.Tree` survives.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import lark
from lark import Token, v_args

from policylang import ast
from policylang.diagnostics import Diagnostic, error
from policylang.source import SourceFile, Span
from policylang.syntax.bounds import unquote as _unquote

# The grammar rules of effects and obligations, named by their words joined with `_`: the
# formatter prints them back by turning `_` into spaces.
OBLIGATION_KINDS = {
    "report", "compliance_notice", "customs_remark", "declare_destination", "show_license",
    "inquire", "chinese_documents",
}
EFFECTS = {
    "prohibit": "prohibited", "deny_in_principle": "denied_in_principle",
    "review_case_by_case": "case_by_case", "require_license": "license_required",
    "exempt": "report_only", "exclude_from_scope": "excluded",
}
# Rules that stand for a constant: the bounds of an invariant's claim, JSON's literal names.
_CONSTANTS = {
    "at_most": "at_most", "at_least": "at_least", "exactly": "exactly",
    "json_true": "true", "json_false": "false", "json_null": "null",
}




@v_args(meta=True, inline=True)
class ToAst(lark.Transformer):
    """One method per grammar rule; each returns an AST node (or a piece of one)."""

    def __init__(self, file: SourceFile):
        super().__init__()
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    # -------------------------------------------------------------- helpers

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.file, meta.start_pos, meta.end_pos)

    def _tspan(self, token: Token) -> Span:
        return Span(self.file, token.start_pos, token.end_pos)

    def _date(self, token: Token) -> datetime.date:
        try:
            return datetime.date.fromisoformat(str(token))
        except ValueError:
            self.diagnostics.append(error("E003", self._tspan(token), text=str(token),
                                          help="a date is YYYY-MM-DD with a real month and day"))
            return datetime.date.min

    # -------------------------------------------------------------- file level

    def start(self, meta, *items):
        return list(items)

    def import_decl(self, meta, name):
        return ast.Import(str(name), span=self._span(meta))

    def doc(self, meta, s):
        return _unquote(s)

    def enum_member(self, meta, name, doc=None):
        return ast.EnumMember(str(name), doc, span=self._tspan(name))

    def enum_decl(self, meta, name, *rest):
        doc = rest[0] if rest and isinstance(rest[0], str) else None
        members = tuple(m for m in rest if isinstance(m, ast.EnumMember))
        return ast.EnumDecl(str(name), members, doc, span=self._span(meta))

    def optional_mark(self, meta):
        return True

    def field(self, meta, name, type_, optional, bounds, default, doc):
        low, high = bounds if bounds else (None, None)
        return ast.Field(str(name), type_, bool(optional), default, doc, low, high, span=self._tspan(name))

    def range_between(self, meta, low, high):
        return (Decimal(str(low)), Decimal(str(high)))

    def range_at_least(self, meta, low):
        return (Decimal(str(low)), None)

    def checked_decl(self, meta, day, doc):
        return ast.CheckedThrough(self._date(day), doc, span=self._span(meta))

    def placeholder_decl(self, meta, code, doc):
        return ast.Placeholder(str(code), doc, span=self._span(meta))

    def record_decl(self, meta, name, *rest):
        doc = rest[0] if rest and isinstance(rest[0], str) else None
        fields = tuple(f for f in rest if isinstance(f, ast.Field))
        return ast.RecordDecl(str(name), fields, doc, span=self._span(meta))

    def simple_type(self, meta, name, dim):
        return ast.TypeRef(str(name), str(dim) if dim is not None else None, span=self._span(meta))

    def list_type(self, meta, element):
        return ast.ListType(element, span=self._span(meta))

    def set_type(self, meta, element):
        return ast.SetType(element, span=self._span(meta))

    def param(self, meta, name, type_):
        return ast.Param(str(name), type_, span=self._tspan(name))

    def params(self, meta, *params):
        return tuple(params)

    def def_decl(self, meta, name, params, type_, body, doc):
        return ast.Definition(str(name), params, type_, body, doc, span=self._tspan(name))

    def entity(self, meta, name, source):
        return ast.Entity(_unquote(name), str(source) if source else None, span=self._span(meta))

    def entities_decl(self, meta, name, *rest):
        doc = rest[0] if rest and isinstance(rest[0], str) else None
        entries = tuple(e for e in rest if isinstance(e, ast.Entity))
        return ast.EntityList(str(name), entries, doc, span=self._tspan(name))

    def path(self, meta, *names):
        return tuple(str(n) for n in names)

    def invalid_decl(self, meta, path, condition, message):
        return ast.InvalidRule(path, condition, _unquote(message), span=self._span(meta))

    # -------------------------------------------------------------- announcements

    def title(self, meta, lang, text):
        return ast.Title(str(lang) if lang else None, _unquote(text), span=self._span(meta))

    def text(self, meta, lang, text):
        return ast.Text(str(lang), _unquote(text), span=self._span(meta))

    def authority(self, meta, s):
        return ("authority", _unquote(s))

    def issued(self, meta, d):
        return ("issued", self._date(d))

    def effective(self, meta, d):
        return ("effective", self._date(d))

    def until(self, meta, d):
        return ("until", self._date(d))

    def source(self, meta, s):
        return ("source", _unquote(s))

    def url(self, meta, s):
        return ("url", _unquote(s))

    def provenance(self, meta, s):
        return ("provenance", _unquote(s))

    def disputed(self, meta, s):
        return ("disputed", _unquote(s))

    def announcement(self, meta, ident, *parts):
        fields: dict = {"titles": [], "clauses": [], "accepts": []}
        for part in parts:
            if isinstance(part, ast.Title):
                fields["titles"].append(part)
            elif isinstance(part, ast.Clause):
                fields["clauses"].append(part)
            elif isinstance(part, ast.Accept):
                fields["accepts"].append(part)
            else:
                fields[part[0]] = part[1]
        for name in ("titles", "clauses", "accepts"):
            fields[name] = tuple(fields[name])
        return ast.Announcement(str(ident), **fields, span=self._span(meta),
                                id_span=self._tspan(ident))

    def clause(self, meta, ident, title, *props):
        lists: dict[str, list] = {k: [] for k in (
            "texts", "exception_to", "refines", "controls", "classifications", "suspensions",
            "repeals", "rules")}
        scalars: dict = {}
        for prop in props:
            if isinstance(prop, ast.Text):
                lists["texts"].append(prop)
            elif isinstance(prop, ast.Rule):
                lists["rules"].append(prop)
            elif isinstance(prop, ast.Classification):
                lists["classifications"].append(prop)
            elif isinstance(prop, ast.Suspension):
                lists["suspensions"].append(prop)
            elif isinstance(prop, ast.Repeal):
                lists["repeals"].append(prop)
            elif prop[0] in lists:
                lists[prop[0]].extend(prop[1])
            else:
                scalars[prop[0]] = prop[1]
        return ast.Clause(str(ident), _unquote(title) if title else None,
                          **{k: tuple(v) for k, v in lists.items()}, **scalars,
                          span=self._span(meta), id_span=self._tspan(ident))

    def exception_to(self, meta, refs):
        return ("exception_to", refs)

    def refines(self, meta, refs):
        return ("refines", refs)

    def controls(self, meta, *scopes):
        return ("controls", list(scopes))

    def control_scope(self, meta, code, exactly):
        return ast.ControlScope(str(code), exactly is not None, span=self._span(meta))

    def classify(self, meta, category, code, condition):
        return ast.Classification(str(category), str(code), condition, span=self._span(meta))

    def suspend(self, meta, refs, start, end):
        return ast.Suspension(refs, self._date(start), self._date(end), span=self._span(meta))

    def repeal(self, meta, refs, start):
        return ast.Repeal(refs, self._date(start), span=self._span(meta))

    def ref_list(self, meta, *refs):
        return tuple(refs)

    def ann_ref(self, meta, ann):
        return ast.Ref(str(ann), None, span=self._span(meta))

    def ann_clause_ref(self, meta, ann, clause):
        return ast.Ref(str(ann), str(clause), span=self._span(meta))

    def clause_ref(self, meta, clause):
        return ast.Ref(None, str(clause), span=self._span(meta))

    def rule(self, meta, condition, effect, *obligations):
        effect_name, effect_span = (effect if effect else (None, None))
        return ast.Rule(condition, effect_name, tuple(obligations), span=self._span(meta),
                        effect_span=effect_span)

    def __default__(self, data, children, meta):
        name = str(data)
        if name in EFFECTS:
            return (EFFECTS[name], self._span(meta))
        if name in OBLIGATION_KINDS:
            return name
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        return super().__default__(data, children, meta)

    def obligation(self, meta, kind, detail, due):
        days, working = due if due else (None, True)
        return ast.Obligation(kind, detail, days, working, span=self._span(meta))

    def due(self, meta, count, working):
        return (int(count), working is not None)

    # -------------------------------------------------------------- expressions

    def number(self, meta, tok):
        return ast.Number(Decimal(str(tok)), span=self._span(meta))

    def quantity(self, meta, num, unit):
        return ast.QuantityLit(Decimal(str(num)), str(unit), span=self._span(meta),
                               unit_span=self._tspan(unit))

    def date(self, meta, tok):
        return ast.DateLit(self._date(tok), span=self._span(meta))

    def code(self, meta, tok):
        return ast.CodeLit(str(tok), span=self._span(meta))

    def string(self, meta, tok):
        return ast.StringLit(_unquote(tok), span=self._span(meta))

    def true(self, meta):
        return ast.BoolLit(True, span=self._span(meta))

    def false(self, meta):
        return ast.BoolLit(False, span=self._span(meta))

    def name(self, meta, tok):
        return ast.Name(str(tok), span=self._span(meta))

    def attribute(self, meta, obj, name):
        return ast.Attribute(obj, str(name), span=self._span(meta), name_span=self._tspan(name))

    def call(self, meta, name, *args):
        return ast.Call(str(name), tuple(a for a in args if a is not None), span=self._span(meta))

    def aggregate(self, meta, func, body, var, collection, filter_):
        return ast.Aggregate(str(func), body, str(var), collection, filter_, span=self._span(meta))

    def quantified(self, meta, quantifier, var, collection, body):
        return ast.Quantified(str(quantifier), str(var), collection, body, span=self._span(meta))

    def set_literal(self, meta, *items):
        return ast.SetLit(tuple(i for i in items if i is not None), span=self._span(meta))

    def list_literal(self, meta, *items):
        return ast.ListLit(tuple(i for i in items if i is not None), span=self._span(meta))

    def compare(self, meta, left, op, right):
        return ast.Compare(str(op), left, right, span=self._span(meta))

    def member(self, meta, element, collection):
        return ast.Member(element, collection, False, span=self._span(meta))

    def not_member(self, meta, element, collection):
        return ast.Member(element, collection, True, span=self._span(meta))

    def within(self, meta, code, scope):
        return ast.Within(code, scope, span=self._span(meta))

    def given(self, meta, expr):
        return ast.Given(expr, False, span=self._span(meta))

    def not_given(self, meta, expr):
        return ast.Given(expr, True, span=self._span(meta))

    def arith(self, meta, left, op, right):
        return ast.Arith(str(op), left, right, span=self._span(meta))

    def negate(self, meta, operand):
        return ast.Negate(operand, span=self._span(meta))

    def and_(self, meta, left, right):
        return ast.And(left, right, span=self._span(meta))

    def or_(self, meta, left, right):
        return ast.Or(left, right, span=self._span(meta))

    def not_(self, meta, operand):
        return ast.Not(operand, span=self._span(meta))

    def conditional(self, meta, condition, then, otherwise):
        return ast.Conditional(condition, then, otherwise, span=self._span(meta))

    def accept_decl(self, meta, kind, clauses, others, reason):
        return ast.Accept(str(kind), clauses, others or (), _unquote(reason), span=self._span(meta),
                          kind_span=self._tspan(kind))

    # -------------------------------------------------------------- invariants and tests

    def invariant_decl(self, meta, name, *parts):
        assumptions = tuple(p[1] for p in parts if isinstance(p, tuple))
        claims = tuple(p for p in parts if isinstance(p, ast.Claim))
        return ast.Invariant(_unquote(name), assumptions, claims, span=self._span(meta))

    def assume(self, meta, condition):
        return ("assume", condition)

    def outcome_claim(self, meta, scope, bound, outcome):
        return ast.Claim("outcome", scope, bound, str(outcome), span=self._span(meta))

    def applies_claim(self, meta, ref):
        return ast.Claim("applies", ref, span=self._span(meta))

    def not_applies_claim(self, meta, ref):
        return ast.Claim("applies", ref, negated=True, span=self._span(meta))

    def test_decl(self, meta, name, case, *expectations):
        return ast.CaseTest(_unquote(name), case, tuple(expectations), span=self._span(meta))

    def expect_outcome(self, meta, outcome):
        return json.dumps({"outcome": str(outcome)})

    def expect_json(self, meta, obj):
        return obj

    def json_object(self, meta, *pairs):
        return "{" + ", ".join(p for p in pairs if p is not None) + "}"

    def json_pair(self, meta, key, value):
        return f"{self.json_string(meta, key)}: {value}"

    def json_array(self, meta, *items):
        return "[" + ", ".join(i for i in items if i is not None) + "]"

    def json_string(self, meta, tok):
        return json.dumps(_unquote(tok), ensure_ascii=False)

    def json_number(self, meta, tok):
        return str(tok)

    def json_negative(self, meta, tok):
        return "-" + str(tok)
