"""Reading cases: parsed JSON in, typed record values (or errors naming the field) out.

Takes: raw cases (`RawCase`, from `eval/raw.py`, which reads the bytes of `.json` and `.jsonl`
inputs and screens them against the limits); and the schema of the program (`record Case` and
what it uses).
Returns: for every case read, a `CaseRead`: the record value, or the errors that make it invalid,
plus warnings for fields the schema does not know.
Guarantees: one `CaseRead` for every case in, in input order; a case that cannot be read never
stops the others. Numbers are read as decimals, never as binary floats, within the limits of
`semantics/decimals.py` (E514 beyond them). Every error names its field
(`item.parameters.wire_diameter`) and quotes at most a short cut of the value. Defaults are the
schema's own expressions."""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable

import attrs

from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.diagnostics import Diagnostic, error, warning
from policylang import ast
from policylang.eval.expressions import Context, Env, Evaluator
from policylang.eval.raw import RawCase, case_id, split_cases  # noqa: F401 - read here, as before
from policylang.eval.values import MISSING, EnumValue, RecordValue
from policylang.program import CASE_RECORD, Program
from policylang import limits
from policylang.semantics import decimals, units

CODE_PATTERN = re.compile(r"^[0-9][A-E][0-9]{3}(\.[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PARAMETERS_RECORD = "Parameters"


@attrs.frozen
class CaseRead:
    """A case after reading: its value, or the errors that make it invalid."""
    raw: RawCase
    value: RecordValue | None
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def id(self) -> Any:
        return case_id(self.raw)


class _Invalid(Exception):
    """Internal: a value that could not be read (its error is already recorded)."""


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


class _Reading:
    """The findings of reading one case: the errors that make it invalid, and the warnings."""
    __slots__ = ("errors", "warnings")

    def __init__(self) -> None:
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []


@attrs.frozen
class _FieldPlan:
    """How one field of a record is read: its reader (for its type, resolved once), its default,
    its range."""
    name: str
    read: Callable[[Any, str, "_Reading"], Any]
    optional: bool
    default: Callable[[dict], Any] | None     # computes the default from the record's other fields
    constant: Any                              # the default's value when it reads no other field
    minimum: Fraction | None
    maximum: Fraction | None


@attrs.frozen
class _RecordPlan:
    """How one record type is read: its fields in order, by name, and those a record must get a
    value for when the case leaves them out (a default, or an error when required). An optional
    field without a default is left out of the record: reading it gives `MISSING`."""
    name: str
    fields: tuple[_FieldPlan, ...]
    by_name: dict[str, tuple[int, _FieldPlan]]
    fill: tuple[_FieldPlan, ...]


_COMPUTED = object()
_MEMO_LIMIT = 10_000           # texts remembered per field (`"50 um"` read once)
_STRAIGHT_LINE_FIELDS = 20     # records with more fields (Parameters) are read field by given field
Defaults = Callable[[str, ast.Field], Callable[[dict], Any]]


class CaseReader:
    """Reads raw cases against the schema of one program. Build once, read many: each record
    type's fields, their readers (one per type), ranges and constant defaults are resolved when
    it is built (a reading plan per record type). A default that reads other fields of its record
    (`made_in = origin`) is computed by `defaults`, given by the engine: the reference evaluator
    by default, a compiled function in the compiled engine (which must agree, and is tested to)."""

    def __init__(self, program: Program, evaluator: Evaluator | None = None, defaults: Defaults | None = None):
        self.program = program
        self.evaluator = evaluator or Evaluator(Context(program, datetime.date.min, None, None, lambda code: False))
        self.members = {name: {m.name: EnumValue(name, m.name) for m in decl.members}
                        for name, decl in program.enums.items()}
        self._defaults = defaults or self._evaluated_default
        self._types = ExprChecker(program)
        self._readers: dict[T.Type, Callable] = {}
        self._kinds: dict[Callable, Any] = {}      # a reader, and what straight-line code it allows
        self.plans: dict[str, _RecordPlan] = {}
        for name in program.records:
            self._record_plan(name)
        self._fast = {name: self._straight_line(plan) for name, plan in self.plans.items()
                      if len(plan.fields) <= _STRAIGHT_LINE_FIELDS}

    def _evaluated_default(self, record: str, f: ast.Field) -> Callable[[dict], Any]:
        evaluator = self.evaluator
        return lambda fields: evaluator.eval(f.default, Env(record=fields, record_type=record))

    def _record_plan(self, name: str) -> _RecordPlan:
        if name not in self.plans:
            self.plans[name] = None     # a record type that contains itself (`Service.for: Case`)
            fields = []
            for f in self.program.records[name].fields:
                constant, compute = _COMPUTED, None
                if f.default is not None and _constant_default(self.program, name, f.default):
                    constant = self.evaluator.eval(f.default, Env(record={}, record_type=name))
                elif f.default is not None:
                    compute = self._defaults(name, f) or self._evaluated_default(name, f)
                fields.append(_FieldPlan(f.name, self._reader(self._types.resolve_type(f.type)), f.optional,
                                         compute, constant,
                                         None if f.minimum is None else Fraction(f.minimum),
                                         None if f.maximum is None else Fraction(f.maximum)))
            self.plans[name] = _RecordPlan(name, tuple(fields), {f.name: (i, f) for i, f in enumerate(fields)},
                                           tuple(f for f in fields if f.default is not None or not f.optional))
        return self.plans[name]

    def read(self, raw: RawCase, default_date: datetime.date | None) -> CaseRead:
        if raw.parse_error is not None:
            return CaseRead(raw, None, (error("E501", detail=raw.parse_error, path=""),))
        if raw.problems:
            return CaseRead(raw, None, raw.problems)
        if not isinstance(raw.data, dict):
            return CaseRead(raw, None, (error("E511", found=type(raw.data).__name__, path=""),))
        data = raw.data
        if "id" in data and type(data["id"]) is not str:
            # Any JSON value may be an id: the decision echoes it as given (`case_id`); the
            # schema's `id` is the text a policy may read, so another value is not read as one.
            data = {k: v for k, v in data.items() if k != "id"}
        if data.get("date") is None and default_date is not None:
            data = {**data, "date": default_date.isoformat()}
        st = _Reading()
        if data.get("date") is None:
            st.errors.append(error("E512", path="date", help="pass `--date YYYY-MM-DD` for cases without one"))
        try:
            value = self._record(CASE_RECORD, data, "", st)
        except _Invalid:
            value = None
        if st.errors:
            return CaseRead(raw, None, tuple(st.errors), tuple(st.warnings))
        return CaseRead(raw, value, (), tuple(st.warnings))

    # -------------------------------------------------------------- records

    def _straight_line(self, plan: _RecordPlan) -> Callable:
        """A reader of one record type written out field by field (the plan as straight-line
        code: what `_record` does, with no loop over the fields and no call for the common
        cases of text, truth values and members). It hands any record with a field it does not
        know to `_record`, which warns about it."""
        env: dict[str, Any] = {"M": MISSING, "owning": RecordValue.owning, "Invalid": _Invalid,
                               "error": error, "into": self._read_into, "generic": self._generic,
                               "code_match": CODE_PATTERN.match, "KNOWN": frozenset(plan.by_name)}
        lines = [f"def read_{plan.name}(data, path, st):",
                 "    if not KNOWN.issuperset(data):",
                 f"        return generic({plan.name!r}, data, path, st)",
                 "    f = {}",
                 "    bad = False"]
        for n, field in enumerate(plan.fields):
            env[f"F{n}"] = field
            name = repr(field.name)
            lines.append(f"    v = data.get({name})")
            lines.append("    if v is not None:")
            kind = self._kinds.get(field.read)
            if kind == "text":
                lines += [f"        if type(v) is str: f[{name}] = v",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif kind == "bool":
                lines += [f"        if v is True or v is False: f[{name}] = v",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif kind == "code":
                lines += [f"        if type(v) is str and code_match(v): f[{name}] = v",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif isinstance(kind, dict):
                env[f"E{n}"] = kind
                lines += [f"        m = E{n}.get(v) if type(v) is str else None",
                          f"        if m is not None: f[{name}] = m",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif kind == "date":
                env["read_date"] = read_date
                lines += [f"        d = read_date(v)",
                          f"        if d is not None: f[{name}] = d",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif kind == "decimal" and field.minimum is None and field.maximum is None:
                env["Decimal"], env["exact"] = Decimal, _exact_or_none
                lines += [f"        x = exact(v) if type(v) is Decimal else None",
                          f"        if x is not None: f[{name}] = x",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif kind in ("decimal", "quantity"):
                # A JSON number in range, or a text read before (`"0.001"`, `"50 um"`): the same
                # value the slow path gives, which reads everything else and says what is wrong.
                env["Decimal"], env["exact"], env["remember"] = Decimal, _exact_or_none, self._read_remembered
                env[f"C{n}"] = {}
                lo = "" if field.minimum is None else f"LO{n} <= x"
                hi = "" if field.maximum is None else f"x <= HI{n}"
                env[f"LO{n}"], env[f"HI{n}"] = field.minimum, field.maximum
                in_range = " and ".join(t for t in (lo, hi) if t) or "True"
                lines += ["        if type(v) is str:",
                          f"            x = C{n}.get(v)",
                          f"        elif type(v) is Decimal and {kind == 'decimal'}:",
                          "            x = exact(v)",
                          f"            if x is not None and not ({in_range}): x = None",
                          "        else:",
                          "            x = None",
                          f"        if x is not None: f[{name}] = x",
                          f"        else: bad = remember(C{n}, f, F{n}, v, path, st) or bad"]
            elif isinstance(kind, tuple) and kind[0] == "members":     # a list or set of members
                env[f"E{n}"], env[f"S{n}"] = kind[1], kind[2]
                lines += ["        x = None",
                          "        if type(v) is list:",
                          f"            x = [E{n}.get(i) if type(i) is str else None for i in v]",
                          "            if None in x: x = None",
                          f"        if x is not None: f[{name}] = S{n}(x)",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            elif isinstance(kind, tuple):            # a record: its own straight-line reader
                env[f"R{n}"] = kind[1]
                lines += ["        if type(v) is dict:",
                          "            try:",
                          f"                f[{name}] = R{n}(v, path + '.' + {name} if path else {name}, st)",
                          "            except Invalid:",
                          "                bad = True",
                          f"        else: bad = into(f, F{n}, v, path, st) or bad"]
            else:
                lines.append(f"        bad = into(f, F{n}, v, path, st) or bad")
        for n, field in enumerate(plan.fields):
            if field not in plan.fill or (plan.name == CASE_RECORD and field.name == "date" and field.default is None):
                continue
            name = repr(field.name)
            lines.append(f"    if {name} not in f and data.get({name}) is None:")
            if field.constant is not _COMPUTED:
                env[f"K{n}"] = field.constant
                lines.append(f"        f[{name}] = K{n}")
            elif field.default is not None:
                env[f"D{n}"] = field.default
                lines.append(f"        f[{name}] = D{n}(f)")
            else:
                lines += [f"        where = path + '.' + {name} if path else {name}",
                          "        st.errors.append(error('E502', path=where, field=where))",
                          "        bad = True"]
        lines += ["    if bad:", "        raise Invalid()", f"    return owning({plan.name!r}, f)"]
        exec(compile("\n".join(lines), f"<policylang reader of {plan.name}>", "exec"), env)
        return env[f"read_{plan.name}"]

    def _read_into(self, fields: dict, f: _FieldPlan, value: Any, path: str, st: _Reading) -> bool:
        """Read one given field into `fields`; True when it could not be read."""
        where = path + "." + f.name if path else f.name
        try:
            fields[f.name] = f.read(value, where, st)
            if f.minimum is not None or f.maximum is not None:
                self._in_range(f, fields[f.name], where, st)
        except _Invalid:
            return True
        return False

    def _read_remembered(self, memo: dict, fields: dict, f: _FieldPlan, value: Any, path: str,
                         st: _Reading) -> bool:
        """`_read_into`, remembering the value a text gave when it was read without a word (the
        same text always reads the same: `"50 um"`, `"0.001"`); at most `_MEMO_LIMIT` texts."""
        warned = len(st.warnings)
        failed = self._read_into(fields, f, value, path, st)
        if not failed and type(value) is str and len(st.warnings) == warned:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[value] = fields[f.name]
        return failed

    def _record(self, name: str, data: Any, path: str, st: _Reading) -> RecordValue:
        fast = self._fast.get(name)
        if fast is not None:
            if type(data) is str and self.plans[name].fields:
                data = {self.plans[name].fields[0].name: data}   # shorthand: "military" is {"use": …}
            if type(data) is dict:
                return fast(data, path, st)
        return self._generic(name, data, path, st)

    def _generic(self, name: str, data: Any, path: str, st: _Reading) -> RecordValue:
        plan = self.plans[name]
        if isinstance(data, str) and plan.fields:
            data = {plan.fields[0].name: data}  # shorthand: "military" means {"use": "military"}
        if not isinstance(data, dict):
            self._fail(path, f"an object (`{name}`)", data, st)
        given: list[tuple[int, _FieldPlan]] = []
        for key, value in data.items():
            found = plan.by_name.get(key)
            if found is None:
                code = "W502" if name == PARAMETERS_RECORD else "W501"
                st.warnings.append(warning(code, path=_join(path, key), field=_join(path, key), name=key,
                                           help=_close(key, plan.by_name)))
            elif value is not None:
                given.append(found)
        if len(given) > 1:
            given.sort()   # in the schema's order (positions are unique), so errors come in that order
        fields: dict[str, Any] = {}
        failed = False
        prefix = path + "." if path else ""
        for _, f in given:
            try:
                value = fields[f.name] = f.read(data[f.name], prefix + f.name, st)
                if f.minimum is not None or f.maximum is not None:
                    self._in_range(f, value, prefix + f.name, st)
            except _Invalid:
                failed = True
        for f in plan.fill:
            if f.name in fields or data.get(f.name) is not None:
                continue
            if f.constant is not _COMPUTED:
                fields[f.name] = f.constant
            elif f.default is not None:
                fields[f.name] = f.default(fields)
            elif not (name == CASE_RECORD and f.name == "date"):
                st.errors.append(error("E502", path=prefix + f.name, field=prefix + f.name))
                failed = True
        if failed:
            raise _Invalid()
        return RecordValue.owning(name, fields)

    def _in_range(self, f: _FieldPlan, value: Any, path: str, st: _Reading) -> None:
        """A decimal field's declared range (`share: decimal in [0, 1]`), contract §1."""
        low, high = f.minimum, f.maximum
        if not isinstance(value, Fraction):
            return
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"[{_number(low)}, {_number(high)}]" if high is not None else f"at least {_number(low)}"
            st.errors.append(error("E513", path=path, value=_number(value), field=path,
                                   why=f"it lies in {bounds}" if high is not None else f"it is {bounds}"))
            raise _Invalid()

    # -------------------------------------------------------------- values

    def _reader(self, t: T.Type) -> Callable[[Any, str, _Reading], Any]:
        """The function that reads a value of type `t` (made once per type)."""
        if t not in self._readers:
            reader = self._readers[t] = self._make_reader(t)
            match t:
                case T.Prim("text") | T.Prim("bool") | T.Prim("code") | T.Prim("date") | T.Prim("decimal"):
                    self._kinds[reader] = t.name
                case T.EnumT(name):
                    self._kinds[reader] = self.members[name]
                case T.QuantityT():
                    self._kinds[reader] = "quantity"
                case T.ListT(T.EnumT(name)) | T.SetT(T.EnumT(name)):
                    self._kinds[reader] = ("members", self.members[name],
                                           tuple if isinstance(t, T.ListT) else frozenset)
                case T.RecordT(name):
                    self._kinds[reader] = ("record", lambda data, path, st, _n=name: self._fast[_n](data, path, st)
                                           if _n in self._fast else self._generic(_n, data, path, st))
        return self._readers[t]

    def _make_reader(self, t: T.Type) -> Callable[[Any, str, _Reading], Any]:
        fail = self._fail
        match t:
            case T.Prim("bool"):
                def read_bool(data, path, st):
                    if data is True or data is False:
                        return data
                    fail(path, "true or false", data, st)
                return read_bool
            case T.Prim("decimal"):
                return self._decimal
            case T.Prim("text"):
                def read_text(data, path, st):
                    if isinstance(data, str):
                        return data
                    fail(path, "text", data, st)
                return read_text
            case T.Prim("date"):
                def read_day(data, path, st):
                    day = read_date(data)
                    if day is None:
                        st.errors.append(error("E508", path=path, value=_show(data)))
                        raise _Invalid()
                    return day
                return read_day
            case T.Prim("code"):
                def read_code(data, path, st):
                    if isinstance(data, str) and CODE_PATTERN.match(data):
                        return data
                    fail(path, "a control code such as `1C902.a`", data, st)
                return read_code
            case T.QuantityT(dim):
                return lambda data, path, st: self._quantity(dim, data, path, st)
            case T.EnumT(name):
                members = self.members[name]

                def read_member(data, path, st):
                    member = members.get(data) if isinstance(data, str) else None
                    return member if member is not None else self._enum(name, data, path, st)
                return read_member
            case T.RecordT(name):
                self._record_plan(name)
                return lambda data, path, st: self._record(name, data, path, st)
            case T.ListT(el) | T.SetT(el):
                element = self._reader(el)
                collect = tuple if isinstance(t, T.ListT) else frozenset

                def read_collection(data, path, st):
                    if not isinstance(data, list):
                        fail(path, "a list", data, st)
                    items, failed = [], False
                    for i, item in enumerate(data):
                        try:
                            items.append(element(item, f"{path}[{i}]", st))
                        except _Invalid:
                            failed = True
                    if failed:
                        raise _Invalid()
                    return collect(items)
                return read_collection
        raise AssertionError(f"no reader for {t}")  # pragma: no cover - the checker rules it out

    def _fail(self, path: str, expected: str, data: Any, st: _Reading) -> None:
        st.errors.append(error("E503", path=path, expected=expected, found=_show(data)))
        raise _Invalid()

    def _decimal(self, data: Any, path: str, st: _Reading) -> Fraction:
        if isinstance(data, bool) or not isinstance(data, (Decimal, str)):
            self._fail(path, "a decimal", data, st)
        try:
            return decimals.read(data)
        except decimals.DecimalError as exc:
            st.errors.append(_decimal_error(exc.reason, path, _show(data)))
            raise _Invalid() from None

    def _quantity(self, dimension: str, data: Any, path: str, st: _Reading) -> Any:
        if dimension == "ratio" and (isinstance(data, Decimal) and not isinstance(data, bool)
                                     or isinstance(data, str) and decimals.JSON_NUMBER.fullmatch(data.strip())):
            ratio = self._decimal(data.strip() if isinstance(data, str) else data, path, st)
            self._physical(units.from_base(ratio, "ratio"), data, path, st)
            return ratio     # a ratio may be a plain decimal: 0.9995, "0.9995" (contract §2)
        try:
            if isinstance(data, dict) and "value" in data:
                if "unit" not in data:
                    raise units.UnitError("missing_unit", _show(data))
                magnitude = data["value"]
                if isinstance(magnitude, bool) or not isinstance(magnitude, (Decimal, str)):
                    self._fail(path + ".value", "a decimal", magnitude, st)
                self._decimal(magnitude, path + ".value", st)
                q = units.make(Decimal(magnitude), str(data["unit"]), dimension)
            elif isinstance(data, str):
                q = units.parse_quantity_cached(data, dimension)
            elif isinstance(data, Decimal):
                raise units.UnitError("missing_unit", _show(data))
            else:
                self._fail(path, f"a quantity of {dimension.replace('_', ' ')}", data, st)
        except units.UnitError as exc:
            if exc.kind == "unknown_unit":
                hints = units.suggest(exc.text)
                st.errors.append(error("E506", path=path, unit=_cut(exc.text),
                                          help=f"did you mean `{hints[0]}`?" if hints else None))
            elif exc.kind == "missing_unit":
                st.errors.append(error("E507", path=path, value=_cut(exc.text)))
            else:
                st.errors.append(_decimal_error(exc.kind, path, _cut(exc.text)))
            raise _Invalid() from None
        if q.dimension != dimension:
            st.errors.append(error("E505", path=path, found=q.dimension.replace("_", " "),
                                      expected=dimension.replace("_", " "),
                                      help=f"`{q.unit.symbol}` measures {q.dimension.replace('_', ' ')}"))
            raise _Invalid()
        self._physical(q, data, path, st)
        return q

    def _physical(self, q: units.Quantity, data: Any, path: str, st: _Reading) -> None:
        why = units.physical_range(q)
        if why is not None:
            st.errors.append(error("E513", path=path, value=_show(data), field=path, why=why))
            raise _Invalid()

    def _enum(self, name: str, data: Any, path: str, st: _Reading) -> EnumValue:
        members = self.members[name]
        hint = None
        if isinstance(data, str):
            folded = {m.casefold(): m for m in members}
            hint = (f"did you mean `{folded[data.casefold()]}`?" if data.casefold() in folded
                    else _close(data, members))
        st.errors.append(error("E504", path=path, what=_words(name), value=_show(data), help=hint))
        raise _Invalid()


def _exact_or_none(value: Decimal) -> Fraction | None:
    """A JSON number's exact value, or None when it is out of bounds (the slow path says why)."""
    try:
        return decimals.read(value)
    except decimals.DecimalError:
        return None


def _constant_default(program: Program, record: str, e: ast.Expr) -> bool:
    """A default that reads no other field: a literal, an empty collection, a member name (not a
    field of the record: `made_in = origin` is computed per record)."""
    if isinstance(e, ast.Name):
        return e.name in program.members and program.field(record, e.name) is None
    return isinstance(e, (ast.BoolLit, ast.Number, ast.StringLit)) or \
        (isinstance(e, (ast.SetLit, ast.ListLit)) and not e.items)


def read_date(data: Any) -> datetime.date | None:
    """A date written exactly YYYY-MM-DD (contract §2), or None.

    >>> read_date("2026-11-30"), read_date("20261130"), read_date("2026-W48-1")
    (datetime.date(2026, 11, 30), None, None)
    """
    if not isinstance(data, str) or len(data) != 10:
        return None
    return _date_of_text(data)


@functools.lru_cache(maxsize=65536)
def _date_of_text(text: str) -> datetime.date | None:
    if not DATE_PATTERN.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _decimal_error(reason: str, path: str, shown: str) -> Diagnostic:
    """E514 for a number beyond the limits, E509 for anything else that is no decimal."""
    if reason in (decimals.TOO_LARGE, "too_large"):
        bounds = limits.current()
        return error("E514", path=path, value=_cut(shown), field=path, digits=bounds.decimal_digits,
                     exponent=bounds.decimal_exponent,
                     help="raise the limits if it is meant: `--limit decimal_digits=N`, `--limit decimal_exponent=N`")
    return error("E509", path=path, value=shown,
                 help="write a JSON number such as `0.001`, or a string holding one" if reason == decimals.NOT_A_DECIMAL
                 else None)


def _number(value: Fraction) -> str:
    return str(Decimal(value.numerator) / Decimal(value.denominator)) if value.denominator != 1 else str(value.numerator)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


SHOWN = 80     # characters of a value an error message quotes


def _show(data: Any) -> str:
    """A value as an error message quotes it: as JSON, cut to `SHOWN` characters."""
    if isinstance(data, Decimal):
        return _cut(str(data))
    try:
        return _cut(json.dumps(data, ensure_ascii=False, default=str))
    except (TypeError, ValueError):  # pragma: no cover
        return _cut(repr(data))


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _close(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
