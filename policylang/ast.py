"""The policylang abstract syntax tree.

Takes: nothing; this module only declares the node classes.
Returns: one frozen attrs class per construct of the language.
Guarantees: nodes are immutable and compare by meaning only: every `span` (and `*_span`) field is
declared with `eq=False`, so two parses of the same text laid out differently are equal.

>>> Name("origin") == Name("origin", span=None)
True
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Union

import attrs

from policylang.source import Span


def _span() -> Span | None:
    return attrs.field(default=None, eq=False, repr=False, kw_only=True)


node = attrs.frozen

# ------------------------------------------------------------------ expressions


@node
class Number:
    """An exact decimal literal: `0.001`."""
    value: Decimal
    span: Span | None = _span()


@node
class QuantityLit:
    """A number with a unit: `50 um`, `300 Wh/kg`, `0.1 %`."""
    value: Decimal
    unit: str
    span: Span | None = _span()
    unit_span: Span | None = _span()


@node
class DateLit:
    """A calendar date: `2025-10-09`."""
    value: datetime.date
    span: Span | None = _span()


@node
class CodeLit:
    """A control code of the dual-use list: `1C902.a.4`."""
    value: str
    span: Span | None = _span()


@node
class StringLit:
    """A text literal."""
    value: str
    span: Span | None = _span()


@node
class BoolLit:
    """`true` or `false`."""
    value: bool
    span: Span | None = _span()


@node
class Name:
    """A name: a definition, a case attribute, an enumeration member or a bound variable."""
    name: str
    span: Span | None = _span()


@node
class Attribute:
    """An attribute path step: `item.origin`."""
    obj: "Expr"
    name: str
    span: Span | None = _span()
    name_span: Span | None = _span()


@node
class Call:
    """A call of a parameterised definition or a built-in function: `listed(end_user, control_list)`."""
    func: str
    args: tuple["Expr", ...]
    span: Span | None = _span()


@node
class Aggregate:
    """`sum(c.value for c in item.contains if c.origin == CN)`; also count, min and max."""
    func: str
    body: "Expr"
    var: str
    collection: "Expr"
    filter: "Expr | None"
    span: Span | None = _span()


@node
class Quantified:
    """`any c in item.contains: c.origin == CN`, or `all …`."""
    quantifier: str
    var: str
    collection: "Expr"
    body: "Expr"
    span: Span | None = _span()


@node
class SetLit:
    """`{CN, HK, MO}`."""
    items: tuple["Expr", ...]
    span: Span | None = _span()


@node
class ListLit:
    """`[a, b]`."""
    items: tuple["Expr", ...]
    span: Span | None = _span()


@node
class Compare:
    """`a <= b` and the other ordering and equality tests."""
    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@node
class Member:
    """`x in S`, or `x not in S` when negated."""
    element: "Expr"
    collection: "Expr"
    negated: bool = False
    span: Span | None = _span()


@node
class Within:
    """`code within 1C902` (hierarchical), or within any code of a set."""
    code: "Expr"
    scope: "Expr"
    span: Span | None = _span()


@node
class Given:
    """`x is given`, or `x is not given` when negated."""
    expr: "Expr"
    negated: bool = False
    span: Span | None = _span()


@node
class Arith:
    """`a + b`, `a - b`, `a * b`, `a / b`."""
    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@node
class Negate:
    """`-a`."""
    operand: "Expr"
    span: Span | None = _span()


@node
class And:
    """`a and b`."""
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@node
class Or:
    """`a or b`."""
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@node
class Not:
    """`not a`."""
    operand: "Expr"
    span: Span | None = _span()


@node
class Conditional:
    """`if c then a else b`."""
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span | None = _span()


Expr = Union[Number, QuantityLit, DateLit, CodeLit, StringLit, BoolLit, Name, Attribute, Call,
             Aggregate, Quantified, SetLit, ListLit, Compare, Member, Within, Given, Arith, Negate,
             And, Or, Not, Conditional]

# ------------------------------------------------------------------ types


@node
class TypeRef:
    """A named type, with a dimension for quantities: `decimal`, `Country`, `quantity[length]`."""
    name: str
    dimension: str | None = None
    span: Span | None = _span()


@node
class ListType:
    """`list of T`."""
    element: "TypeExpr"
    span: Span | None = _span()


@node
class SetType:
    """`set of T`."""
    element: "TypeExpr"
    span: Span | None = _span()


TypeExpr = Union[TypeRef, ListType, SetType]

# ------------------------------------------------------------------ schema and definitions


@node
class Import:
    """`import annex61`: makes a stdlib module's names visible."""
    module: str
    span: Span | None = _span()


@node
class EnumMember:
    """One member of an enumeration, with an optional description."""
    name: str
    doc: str | None = None
    span: Span | None = _span()


@node
class EnumDecl:
    """`enum Country { CN "China", … }`."""
    name: str
    members: tuple[EnumMember, ...]
    doc: str | None = None
    span: Span | None = _span()


@node
class Field:
    """A record field: `made_in: Country = origin "where it was manufactured"`."""
    name: str
    type: TypeExpr
    optional: bool = False
    default: Expr | None = None
    doc: str | None = None
    minimum: Decimal | None = None   # `in [0, 1]`, `at least 0`: the values a case may give
    maximum: Decimal | None = None
    span: Span | None = _span()


@node
class RecordDecl:
    """`record Party { … }`."""
    name: str
    fields: tuple[Field, ...]
    doc: str | None = None
    span: Span | None = _span()


@node
class Param:
    """A parameter of a definition."""
    name: str
    type: TypeExpr
    span: Span | None = _span()


@node
class Definition:
    """`def origin = item.origin`, or with parameters `def listed_as(p: Party, l: ListName) = …`."""
    name: str
    params: tuple[Param, ...] | None
    type: TypeExpr | None
    body: Expr
    doc: str | None = None
    span: Span | None = _span()


@node
class Entity:
    """One entry of an entity list, with the announcement that listed it."""
    name: str
    source: str | None = None
    span: Span | None = _span()


@node
class EntityList:
    """`entities unreliable_entity_list { "Dedrone by Axon" source UEL-2025-10 … }`."""
    name: str
    entries: tuple[Entity, ...]
    doc: str | None = None
    span: Span | None = _span()


@node
class InvalidRule:
    """`invalid at item.part1_value_ratio when … because "…"`: a case that meets it is an error."""
    path: tuple[str, ...]
    condition: Expr
    message: str
    span: Span | None = _span()


@node
class CheckedThrough:
    """`checked through 2026-08-31 "…"`: the date up to which the library's sources were reviewed."""
    date: datetime.date
    doc: str | None = None
    span: Span | None = _span()


@node
class Placeholder:
    """`placeholder 1C999 "…"`: a control code the library made up, no official one being known."""
    code: str
    doc: str
    span: Span | None = _span()


# ------------------------------------------------------------------ announcements


@node
class Ref:
    """A reference to an announcement, or to a clause (and everything numbered under it)."""
    announcement: str | None
    clause: str | None
    span: Span | None = _span()


@node
class Text:
    """The quoted legal text of a clause, in one language."""
    lang: str
    text: str
    span: Span | None = _span()


@node
class Title:
    """A title of an announcement, optionally in a given language."""
    lang: str | None
    text: str
    span: Span | None = _span()


@node
class Obligation:
    """A duty: `report "…" within 10 working days`, `customs remark ("两用物项 " + code)`."""
    kind: str
    detail: Expr | None = None
    due_days: int | None = None
    working_days: bool = True
    span: Span | None = _span()


@node
class Rule:
    """`when <condition> <effect> <obligations>`; the effect may be absent (obligations only)."""
    condition: Expr
    effect: str | None
    obligations: tuple[Obligation, ...] = ()
    span: Span | None = _span()
    effect_span: Span | None = _span()


@node
class ControlScope:
    """`controls 1C902.a`: the entry and everything under it; `controls 2B005 exactly`: the code alone."""
    value: str
    exact: bool = False
    span: Span | None = _span()

    def covers(self, code: str) -> bool:
        """Whether an item coded `code` lies in this scope.

        >>> ControlScope("2B005", exact=True).covers("2B005.b"), ControlScope("2B005").covers("2B005.b")
        (False, True)
        """
        return code == self.value or (not self.exact and code.startswith(self.value + "."))


@node
class Classification:
    """`classify synthetic_diamond_micropowder as 2C902.a when …`."""
    category: str
    code: str
    condition: Expr
    span: Span | None = _span()


@node
class Suspension:
    """`suspend MOFCOM-2025-61 from 2025-11-07 through 2026-11-10` (both ends inclusive)."""
    targets: tuple[Ref, ...]
    start: datetime.date
    end: datetime.date
    span: Span | None = _span()


@node
class Repeal:
    """`repeal MOFCOM-2006-50 from 2023-12-01`: the targets are no longer in force from that day."""
    targets: tuple[Ref, ...]
    start: datetime.date
    span: Span | None = _span()


@node
class Clause:
    """One clause of an announcement under the announcement's own number."""
    id: str
    title: str | None = None
    texts: tuple[Text, ...] = ()
    source: str | None = None
    url: str | None = None           # the official page, where one is known
    provenance: str | None = None    # where the quoted text was read (a publication, not a label)
    disputed: str | None = None      # a reading of this clause that a person should confirm
    effective: datetime.date | None = None
    until: datetime.date | None = None
    exception_to: tuple[Ref, ...] = ()
    refines: tuple[Ref, ...] = ()
    controls: tuple[ControlScope, ...] = ()
    classifications: tuple[Classification, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    repeals: tuple[Repeal, ...] = ()
    rules: tuple[Rule, ...] = ()
    span: Span | None = _span()
    id_span: Span | None = _span()


@node
class Announcement:
    """A legal instrument: its identity, its dates, and its clauses."""
    id: str
    titles: tuple[Title, ...] = ()
    authority: str | None = None
    issued: datetime.date | None = None
    effective: datetime.date | None = None
    until: datetime.date | None = None
    source: str | None = None
    url: str | None = None
    provenance: str | None = None
    clauses: tuple[Clause, ...] = ()
    accepts: tuple["Accept", ...] = ()
    span: Span | None = _span()
    id_span: Span | None = _span()


@node
class Accept:
    """`accept conflict clause V with MOFCOM-2024-46 clause 1 because "…"`: an interaction of
    clauses that the authors intend, which `policylang analyze` shows as accepted. In an
    announcement, a reference without one names a clause of that announcement."""
    kind: str                       # a finding kind: conflict, overlap, silenced, shadowed, …
    clauses: Ref                    # the clause (or clauses) the finding is about
    others: tuple[Ref, ...] = ()    # for a finding about two clauses: the other one(s)
    reason: str = ""
    span: Span | None = _span()
    kind_span: Span | None = _span()


Decl = Union[Import, CheckedThrough, Placeholder, EnumDecl, RecordDecl, Definition, EntityList,
             InvalidRule, Announcement, Accept]


@node
class Module:
    """One `.ecp` file: its module name (the file stem) and its declarations in order."""
    name: str
    path: str
    items: tuple[Decl, ...]
    span: Span | None = _span()


# ------------------------------------------------------------------ invariants and tests


@node
class Claim:
    """`outcome under MOFCOM-2025-61 at most report_only`, or `[not] applies MOFCOM-2025-61 clause V`."""
    kind: str                      # "outcome" or "applies"
    scope: Ref | None = None       # for outcome: the announcement or clause it is read under
    bound: str | None = None       # for outcome: "at_most", "at_least" or "exactly"
    outcome: str | None = None
    negated: bool = False          # for applies: `not applies`
    span: Span | None = _span()


@node
class Invariant:
    """`invariant "…" { assume <condition> expect <claim> }`: for every case that meets the
    assumptions, on every date, each claim holds."""
    name: str
    assumptions: tuple[Expr, ...]
    claims: tuple[Claim, ...]
    span: Span | None = _span()


@node
class CaseTest:
    """`test "…" { case {…} expect outcome license_required }`: a case in the contract format
    (JSON text) and what its decision must show (JSON objects, matched as the YAML tests are)."""
    name: str
    case: str
    expectations: tuple[str, ...]
    span: Span | None = _span()
