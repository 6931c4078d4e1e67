"""Properties of the formatter on generated input.

1. Any AST the strategies build prints to text that parses back to the same AST, and formatting
   that text changes nothing (idempotence).
2. A library file (or a formatter test input) with comments and blank lines inserted at random
   line ends keeps every comment, keeps its AST, and formats idempotently.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylang import ast
from policylang.fmt import format_source
from policylang.fmt.comments import masked_text
from policylang.fmt.printer import Printer
from policylang.library import policies_dir, stdlib_dir
from policylang.source import SourceFile
from policylang.syntax.parser import parse, parse_with_comments

NAMES = st.sampled_from(["origin", "item", "code", "destination", "b", "x_1", "made_in", "annex1"])
FIELDS = st.sampled_from(["origin", "value", "lists", "control_code", "military"])
VARS = st.sampled_from(["c", "u", "t"])
FUNCS = st.sampled_from(["listed", "for_use", "f"])
UNITS = st.sampled_from(["um", "mm", "%", "Wh/kg", "kN", "m/s"])
CODES = st.sampled_from(["1C902", "1C902.a", "1C902.a.4", "2B902.s", "3C001"])
DECIMALS = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
DATES = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2099, 12, 31))
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)

atoms = st.one_of(
    DECIMALS.map(ast.Number),
    st.builds(ast.QuantityLit, DECIMALS, UNITS),
    DATES.map(ast.DateLit),
    CODES.map(ast.CodeLit),
    TEXT.map(ast.StringLit),
    st.booleans().map(ast.BoolLit),
    NAMES.map(ast.Name),
)


def _compound(inner):
    tuples = st.lists(inner, max_size=3).map(tuple)
    return st.one_of(
        st.builds(ast.Attribute, inner, FIELDS),
        st.builds(ast.Call, FUNCS, tuples),
        st.builds(ast.Aggregate, st.sampled_from(["sum", "count", "min", "max"]), inner, VARS, inner,
                  st.none() | inner),
        st.builds(ast.Quantified, st.sampled_from(["any", "all"]), VARS, inner, inner),
        st.builds(ast.SetLit, tuples),
        st.builds(ast.ListLit, tuples),
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), inner, inner),
        st.builds(ast.Member, inner, inner, st.booleans()),
        st.builds(ast.Within, inner, inner),
        st.builds(ast.Given, inner, st.booleans()),
        st.builds(ast.Arith, st.sampled_from(["+", "-", "*", "/"]), inner, inner),
        st.builds(ast.Negate, inner),
        st.builds(ast.And, inner, inner),
        st.builds(ast.Or, inner, inner),
        st.builds(ast.Not, inner),
        st.builds(ast.Conditional, inner, inner, inner),
    )


exprs = st.recursive(atoms, _compound, max_leaves=25)

refs = st.one_of(
    st.builds(ast.Ref, st.just("MOFCOM-2025-61"), st.none()),
    st.builds(ast.Ref, st.just("MOFCOM-2025-61"), st.sampled_from(["I", "I(1)", "2(a)"])),
    st.builds(ast.Ref, st.none(), st.sampled_from(["I", "II", "46.L"])),
)
obligations = st.builds(
    lambda kind, detail, due: ast.Obligation(kind, detail, *(due or (None, True))),
    st.sampled_from(["report", "compliance_notice", "customs_remark", "inquire"]),
    st.none() | exprs, st.none() | st.tuples(st.integers(0, 30), st.booleans()))
rules = st.builds(ast.Rule, exprs,
                  st.none() | st.sampled_from(["prohibited", "denied_in_principle", "license_required",
                                               "report_only", "excluded", "case_by_case"]),
                  st.lists(obligations, max_size=2).map(tuple))
clauses = st.builds(
    ast.Clause, st.sampled_from(["I", "I(1)", "2", "46.L"]), st.none() | TEXT,
    texts=st.lists(st.builds(ast.Text, st.sampled_from(["zh", "en"]), TEXT), max_size=2).map(tuple),
    source=st.none() | TEXT, url=st.none() | TEXT, provenance=st.none() | TEXT, disputed=st.none() | TEXT,
    effective=st.none() | DATES, until=st.none() | DATES,
    exception_to=st.lists(refs, max_size=2).map(tuple), refines=st.lists(refs, max_size=2).map(tuple),
    controls=st.lists(st.builds(ast.ControlScope, CODES, st.booleans()), max_size=3).map(tuple),
    classifications=st.lists(st.builds(ast.Classification, st.just("lithium_ion_battery"), CODES, exprs),
                             max_size=1).map(tuple),
    suspensions=st.lists(st.builds(ast.Suspension, st.lists(refs, min_size=1, max_size=2).map(tuple),
                                   DATES, DATES), max_size=1).map(tuple),
    repeals=st.lists(st.builds(ast.Repeal, st.lists(refs, min_size=1, max_size=2).map(tuple), DATES),
                     max_size=1).map(tuple),
    rules=st.lists(rules, max_size=2).map(tuple))
announcements = st.builds(
    ast.Announcement, st.just("MOFCOM-2025-99"),
    st.lists(st.builds(ast.Title, st.none() | st.sampled_from(["zh", "en"]), TEXT), max_size=2).map(tuple),
    st.none() | TEXT, st.none() | DATES, st.none() | DATES, st.none() | DATES, st.none() | TEXT,
    url=st.none() | TEXT, provenance=st.none() | TEXT, clauses=st.lists(clauses, max_size=3).map(tuple))
RANGES = st.sampled_from([(None, None), (Decimal(0), None), (Decimal(0), Decimal(1)), (Decimal("0.5"), Decimal(2))])
types = st.recursive(st.builds(ast.TypeRef, st.sampled_from(["decimal", "Country", "quantity"]),
                               st.none() | st.just("length")),
                     lambda t: st.builds(ast.ListType, t) | st.builds(ast.SetType, t), max_leaves=3)
definitions = st.builds(
    ast.Definition, NAMES,
    st.none() | st.lists(st.builds(ast.Param, VARS, types), min_size=1, max_size=2).map(tuple),
    st.none() | types, exprs, st.none() | TEXT)
declarations = st.one_of(
    NAMES.map(ast.Import),
    definitions,
    st.builds(ast.EnumDecl, st.just("E"), st.lists(st.builds(ast.EnumMember, NAMES, st.none() | TEXT),
                                                   min_size=1, max_size=4).map(tuple), st.none() | TEXT),
    st.builds(ast.RecordDecl, st.just("R"), st.lists(
        st.builds(lambda name, t, opt, default, doc, bounds: ast.Field(name, t, opt, default, doc, *bounds),
                  FIELDS, types, st.booleans(), st.none() | exprs, st.none() | TEXT, RANGES),
        max_size=3).map(tuple), st.none() | TEXT),
    st.builds(ast.CheckedThrough, DATES, st.none() | TEXT),
    st.builds(ast.Placeholder, CODES, TEXT),
    st.builds(ast.EntityList, st.just("control_list"),
              st.lists(st.builds(ast.Entity, TEXT, st.none() | st.just("UEL-2025-10")), max_size=2).map(tuple),
              st.none() | TEXT),
    st.builds(ast.InvalidRule, st.lists(FIELDS, min_size=1, max_size=3).map(tuple), exprs, TEXT),
    announcements,
)
modules = st.lists(declarations, max_size=4).map(lambda items: ast.Module("m", "m.ecp", tuple(items)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs)
def test_any_expression_prints_to_text_that_parses_back_to_it(expr):
    module = ast.Module("m", "m.ecp", (ast.Definition("d", None, None, expr),))
    text = Printer().print_module(module)
    parsed, diags = parse(SourceFile("m.ecp", text))
    assert diags == [], (text, [d.message for d in diags])
    assert parsed.items == module.items, text
    assert format_source(text)[0] == text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules)
def test_any_module_prints_to_text_that_parses_back_to_it(module):
    text = Printer().print_module(module)
    parsed, diags = parse(SourceFile("m.ecp", text))
    assert diags == [], (text, [d.message for d in diags])
    assert parsed.items == module.items, text
    assert format_source(text)[0] == text


FMT_INPUTS = sorted(Path(__file__).parent.glob("*.ecp"))
LIBRARY_TEXTS = [p.read_text(encoding="utf-8")
                 for p in [*sorted([*stdlib_dir().glob("*.ecp"), *policies_dir().glob("*.ecp")]), *FMT_INPUTS]]


def _line_ends(text: str) -> list[int]:
    """Line ends outside strings, where a comment or a blank line can go without changing the AST."""
    masked = masked_text(text, parse_with_comments(SourceFile("x.ecp", text))[2])
    return [m.start() for m in re.finditer(r"\n", text) if masked.count('"', 0, m.start()) % 2 == 0]


EDITS = st.sampled_from(["  # trailing {n}", "\n# own line {n}", "\n\n# after a blank line {n}", "\n"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LIBRARY_TEXTS), st.data())
def test_comments_and_blank_lines_anywhere_between_tokens_are_kept(text, data):
    sites = _line_ends(text)
    chosen = sorted(data.draw(st.sets(st.sampled_from(sites), min_size=1, max_size=6)), reverse=True)
    edited, expected = text, []
    for n, at in enumerate(chosen):
        edit = data.draw(EDITS).format(n=n)
        if edit.startswith("  #") and "#" in text[text.rfind("\n", 0, at) + 1:at]:
            edit = "\n# own line {n}".format(n=n)  # a line that ends in a comment takes no second one
        edited = edited[:at] + edit + edited[at:]
        expected += [edit.strip()] if "#" in edit else []
    once, diags = format_source(edited)
    assert once is not None, [d.message for d in diags]
    for comment in expected:
        assert comment in once
    assert parse(SourceFile("x", once))[0].items == parse(SourceFile("x", text))[0].items
    assert format_source(once)[0] == once
