"""`policylang schema`: the case format (and the decision format) as JSON Schema 2020-12.

Takes: a checked `Program` (the shipped library by default): its `record Case` and the records,
enumerations, field types, ranges and defaults it uses (`stdlib/schema.ecp`), the unit table, the
entity lists and outcomes.
Returns: `case_schema(program)` and `decision_schema(program)`, plain dicts; the command prints
one of them as JSON.
Guarantees: generated, never written by hand, so the schema and the library cannot drift: every
record is a `$defs` entry; an optional field or one with a default may be left out or `null`
(the reader treats `null` as not given); a decimal is a JSON number or a string holding one (its
declared range checks numbers); a quantity is `"50 um"` or `{"value", "unit"}` with a unit of
its dimension (a ratio also a plain decimal, a temperature difference also a temperature unit
and `±`); a record may be written as a string that fills its first field (`"military"`); fields
the schema does not know are allowed, as the reader allows them (with a warning). What the
schema accepts, the reader may still reject (a date that does not exist, a unit of the wrong
dimension in `{"value", "unit"}` cannot be told by JSON Schema alone), but what it rejects the
reader rejects too: `tests/test_schema.py` checks both on the corpus.

>>> from policylang.library import load_shipped
>>> schema = case_schema(load_shipped()[0])
>>> schema["$schema"], sorted(schema["$defs"]["Case"]["properties"])[:3]
('https://json-schema.org/draft/2020-12/schema', ['action', 'date', 'destination'])
"""

from __future__ import annotations

import json
import re
import sys

import click

from policylang import ast
from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.eval.cases import CODE_PATTERN
from policylang.program import CASE_RECORD, Program
from policylang.semantics import decimals, units
from policylang.semantics.outcomes import EFFECT_OUTCOME, OUTCOMES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DECIMAL_TEXT = "^" + decimals.JSON_NUMBER.pattern + "$"
_NUMBER_IN_QUANTITY = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"     # units.parse_quantity's number
DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
NULL = {"type": "null"}


# ------------------------------------------------------------------ cases

def case_schema(program: Program) -> dict:
    """The schema of a case file: one case, or an array of cases."""
    writer = _CaseSchema(program)
    case = writer.record(CASE_RECORD)
    return {"$schema": DRAFT,
            "title": "A policylang case",
            "description": "One proposed act to decide (docs/cases.md), or an array of them (a case file). "
                           "Generated from the library's `record Case` by `policylang schema`.",
            "anyOf": [case, {"type": "array", "items": case}],
            "$defs": writer.defs}


class _CaseSchema:
    def __init__(self, program: Program):
        self.program = program
        self.types = ExprChecker(program)
        self.defs: dict[str, dict] = {}

    def record(self, name: str) -> dict:
        """A reference to a record's definition (written once)."""
        if name not in self.defs:
            self.defs[name] = {}        # a record that contains itself (`Service.for: Case`)
            decl = self.program.records[name]
            properties, required = {}, []
            for f in decl.fields:
                properties[f.name] = self.field(name, f)
                if not f.optional and f.default is None and not (name == CASE_RECORD and f.name == "date"):
                    required.append(f.name)
            found = {"type": "object", "properties": properties}
            if required:
                found["required"] = required
            if decl.doc:
                found["description"] = decl.doc
            self.defs[name] = found
        return {"$ref": f"#/$defs/{name}"}

    def field(self, record: str, f: ast.Field) -> dict:
        value = dict(self.value(self.types.resolve_type(f.type), f))
        notes = [f.doc] if f.doc else []
        if record == CASE_RECORD and f.name == "date":
            notes.append("required, unless `policylang eval --date` gives a default")
        annotations: dict = {}
        if f.default is not None:
            constant = _constant(self.program, record, f.default)
            if constant is not _NOT_CONSTANT:
                annotations["default"] = constant
            else:
                notes.append(f"default: `{_source(f.default)}`")
        described = value.pop("description", None)
        if notes or described:
            annotations["description"] = "; ".join(notes) if notes else described
        if not (f.optional or f.default is not None or (record == CASE_RECORD and f.name == "date")):
            return {**value, **annotations}
        branches = value["anyOf"] if set(value) == {"anyOf"} else [value]
        return {"anyOf": [*branches, NULL], **annotations}

    def value(self, t: T.Type, f: ast.Field | None = None) -> dict:
        match t:
            case T.Prim("bool"):
                return {"type": "boolean"}
            case T.Prim("text"):
                return {"type": "string"}
            case T.Prim("date"):
                return dict(DATE)
            case T.Prim("code"):
                return {"type": "string", "pattern": CODE_PATTERN.pattern}
            case T.Prim("decimal"):
                return _decimal(f.minimum if f else None, f.maximum if f else None)
            case T.QuantityT(dimension):
                return _quantity(dimension)
            case T.EnumT(name):
                decl = self.program.enums[name]
                found = {"enum": [m.name for m in decl.members]}
                if any(m.doc for m in decl.members):
                    found["enumDescriptions"] = [m.doc or "" for m in decl.members]   # read by editors
                if decl.doc:
                    found["description"] = decl.doc
                return found
            case T.RecordT(name):
                ref = self.record(name)
                first = self.program.records[name].fields[:1]
                shorthand = self.value(self.types.resolve_type(first[0].type), first[0]) if first else None
                if shorthand is not None and _admits_text(shorthand):
                    # A string fills the record's first field: "military" is {"use": "military"}.
                    return {"anyOf": [ref, {"allOf": [shorthand, {"type": "string"}]}]}
                return ref
            case T.ListT(element) | T.SetT(element):
                return {"type": "array", "items": self.value(element)}
        raise AssertionError(f"no schema for {t}")  # pragma: no cover - the checker rules it out


def _decimal(minimum=None, maximum=None) -> dict:
    number: dict = {"type": "number"}
    if minimum is not None:
        number["minimum"] = _json_number(minimum)
    if maximum is not None:
        number["maximum"] = _json_number(maximum)
    return {"anyOf": [number, {"type": "string", "pattern": DECIMAL_TEXT}]}


def _json_number(value) -> int | float:
    return int(value) if value == int(value) else float(value)


def _quantity(dimension: str) -> dict:
    symbols = [s for s, u in units.UNITS.items() if u.dimension == dimension]
    sign = ""
    if dimension == "temperature_difference":     # a case may write a difference in temperature units
        symbols += [s for s, u in units.UNITS.items() if u.dimension == "temperature"]
        sign = r"(±\s*)?"
    pattern = (r"^\s*" + sign + _NUMBER_IN_QUANTITY + r"\s*(" + "|".join(re.escape(s) for s in symbols) + r")\s*$")
    forms = [{"type": "string", "pattern": pattern},
             {"type": "object", "required": ["value", "unit"],
              "properties": {"value": _decimal(), "unit": {"enum": symbols}}}]
    if dimension == "ratio":                       # a ratio may be a plain decimal: 0.9995, " 0.9995 "
        forms += [{"type": "number", "minimum": 0, "maximum": 1},
                  {"type": "string", "pattern": r"^\s*" + decimals.JSON_NUMBER.pattern + r"\s*$"}]
    return {"anyOf": forms, "description": f"a quantity of {dimension.replace('_', ' ')}: "
                                           f"\"<number> <unit>\", units {', '.join(symbols)}"}


def _admits_text(schema: dict) -> bool:
    if schema.get("type") == "string" or "enum" in schema:
        return True
    return any(_admits_text(s) for s in schema.get("anyOf", ()))


_NOT_CONSTANT = object()


def _constant(program: Program, record: str, e: ast.Expr):
    """A default's JSON value when it reads no other field (a literal, an empty collection, a
    member), else `_NOT_CONSTANT`."""
    if isinstance(e, ast.BoolLit):
        return e.value
    if isinstance(e, ast.StringLit):
        return e.value
    if isinstance(e, (ast.SetLit, ast.ListLit)) and not e.items:
        return []
    if isinstance(e, ast.Name) and e.name in program.members and program.field(record, e.name) is None:
        return e.name
    return _NOT_CONSTANT


def _source(e: ast.Expr) -> str:
    from policylang.fmt.doc import render
    from policylang.fmt.expressions import ExpressionPrinter
    return render(ExpressionPrinter().expr(e, 0), 10**6)


# ------------------------------------------------------------------ decisions

def decision_schema(program: Program) -> dict:
    """The schema of one decision as `eval --format json` prints it (contract §4), with what the
    options add (`as_of`, `explanation`, a near match's `disposition`, a reason's `listed_by`)."""
    from policylang.eval.assemble import SCREENED_PARTIES
    from policylang.syntax.to_ast import OBLIGATION_KINDS

    text, maybe_text = {"type": "string"}, {"type": ["string", "null"]}
    date, maybe_date = dict(DATE), {"anyOf": [dict(DATE), NULL]}
    clause = {"policy": text, "clause": text}
    verdict = {"verdict": {"enum": ["match", "no_match"]}, "reviewer": text, "date": date, "note": text}

    def obj(properties: dict, optional: tuple[str, ...] = ()) -> dict:
        return {"type": "object", "properties": properties, "additionalProperties": False,
                "required": [k for k in properties if k not in optional]}

    lists = sorted(program.entity_lists)
    diagnostic = obj({"code": {"type": "string", "pattern": "^[EW][0-9]{3}$"}, "message": text, "path": text,
                      "help": text}, ("path", "help"))
    decision = obj({
        "id": {"description": "the case's `id`, echoed"},
        "date": maybe_date,
        "as_of": {**date, "description": "with `--as-of`: the date the case was decided as of"},
        "outcome": {"enum": [*OUTCOMES, "error"]},
        "needs_review": {"type": "boolean"},
        "reasons": {"type": "array", "items": obj({
            **clause, "effect": {"enum": list(EFFECT_OUTCOME)}, "source": text, "url": text, "title": maybe_text,
            "text": {"type": "object", "additionalProperties": text},
            "listed_by": {"type": "array", "items": obj({"party": text, "list": {"enum": lists}, "entry": text,
                                                          **verdict}, ("note",))}},
            ("url", "listed_by"))},
        "explanation": {"type": "array", "description": "with `--explain`: why each relevant clause did not apply",
                        "items": obj({**clause, "classifies": text, "failed": text, "value": maybe_text,
                                      "bound": maybe_text, "path": maybe_text}, ("classifies",))},
        "obligations": {"type": "array", "items": obj({"kind": {"enum": sorted(OBLIGATION_KINDS)}, **clause,
                                                       "due": date, "detail": text}, ("due", "detail"))},
        "suspended": {"type": "array", "items": obj({**clause, "by": maybe_text, "from": date, "through": date})},
        "not_in_force": {"type": "array", "items": obj({**clause, "state": {"enum": ["not_yet", "expired", "repealed"]},
                                                        "from": maybe_date, "through": maybe_date})},
        "overridden": {"type": "array", "items": obj({**clause, "by": {"type": "array", "items": obj(clause)}})},
        "screening": {"type": "array", "items": obj({
            "party": {"enum": list(SCREENED_PARTIES)}, "list": {"enum": lists}, "entry": text,
            "score": {"type": "number", "minimum": 0, "maximum": 100},
            "disposition": obj(verdict, ("note",))}, ("disposition",))},
        "classification": {"type": "array", "items": obj({"code": text, **clause})},
        "errors": {"type": "array", "items": diagnostic},
        "warnings": {"type": "array", "items": diagnostic},
        "library": {"anyOf": [obj({"version": text, "digest": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                                   "checked_through": maybe_date}), NULL]},
    }, ("as_of", "explanation"))
    return {"$schema": DRAFT, "title": "A policylang decision",
            "description": "What `policylang eval --format json` prints for one case (docs/cases.md). "
                           "Generated by `policylang schema --decision`.", **decision}


# ------------------------------------------------------------------ the command

@click.command("schema")
@click.option("--decision", is_flag=True, help="The schema of a decision, not of a case.")
@click.option("--policies", "policy_dirs", multiple=True, type=click.Path(exists=True),
              help="A folder or file of policies (repeatable). Default: the shipped policies.")
@click.option("--no-stdlib", is_flag=True, help="Do not load the shipped stdlib: the policies bring their own schema.")
def schema(decision: bool, policy_dirs, no_stdlib: bool) -> None:
    """Print the JSON Schema (2020-12) of a case, or of a decision: for validators and editors."""
    from policylang.cli import _load_or_exit
    from policylang.library import policies_dir

    program, _ = _load_or_exit([str(p) for p in (policy_dirs or [policies_dir()])], with_stdlib=not no_stdlib)
    found = decision_schema(program) if decision else case_schema(program)
    sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
