"""Reading cases: JSON in, typed record values (or errors naming the field) out.

Takes: the text of a `.json` file (one case or an array), a `.jsonl` file (one case a line) or
standard input; and the schema of the program (`record Case` and what it uses).
Returns: for every case read, a `CaseRead`: the record value, or the errors that make it invalid,
plus warnings for fields the schema does not know.
Guarantees: one `CaseRead` for every case in, in input order; a case that cannot be read never
stops the others. Numbers are read as decimals, never as binary floats. Every error names its
field (`item.parameters.wire_diameter`). Defaults are the schema's own expressions.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from policylang.check import types as T
from policylang.check.typecheck import ExprChecker
from policylang.diagnostics import Diagnostic, error, warning
from policylang.eval.expressions import Env, Evaluator
from policylang.eval.values import MISSING, EnumValue, RecordValue
from policylang.program import CASE_RECORD, Program
from policylang.semantics import decimals, units

CODE_PATTERN = re.compile(r"^[0-9][A-E][0-9]{3}(\.[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PARAMETERS_RECORD = "Parameters"


@attrs.frozen
class RawCase:
    """One case as found in the input: the parsed JSON (or the error that stopped parsing)."""
    data: Any
    origin: str
    parse_error: str | None = None


@attrs.frozen
class CaseRead:
    """A case after reading: its value, or the errors that make it invalid."""
    raw: RawCase
    value: RecordValue | None
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def id(self) -> Any:
        return self.raw.data.get("id") if isinstance(self.raw.data, dict) else None


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def split_cases(text: str, name: str) -> list[RawCase]:
    """The cases of one input: a JSON object or array, or JSON lines (by name or by shape)."""
    if name.endswith(".jsonl"):
        return _split_lines(text, name)
    try:
        data = _loads(text)
    except json.JSONDecodeError as exc:
        if name == "-" and "\n" in text.strip():
            return _split_lines(text, name)
        return [RawCase(None, name, f"{exc.msg} at line {exc.lineno} column {exc.colno}")]
    if isinstance(data, list):
        return [RawCase(d, f"{name}[{i}]") for i, d in enumerate(data)]
    return [RawCase(data, name)]


def _split_lines(text: str, name: str) -> list[RawCase]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(RawCase(_loads(line), f"{name}:{number}"))
        except json.JSONDecodeError as exc:
            out.append(RawCase(None, f"{name}:{number}", f"{exc.msg} at column {exc.colno}"))
    return out


class _Invalid(Exception):
    """Internal: a value that could not be read (its error is already recorded)."""


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


class CaseReader:
    """Reads raw cases against the schema of one program."""

    def __init__(self, program: Program, evaluator: Evaluator):
        self.program = program
        self.types = ExprChecker(program)
        self.evaluator = evaluator

    def read(self, raw: RawCase, default_date: datetime.date | None) -> CaseRead:
        if raw.parse_error is not None:
            return CaseRead(raw, None, (error("E501", detail=raw.parse_error, path=""),))
        if not isinstance(raw.data, dict):
            return CaseRead(raw, None, (error("E511", found=type(raw.data).__name__, path=""),))
        data = dict(raw.data)
        if data.get("date") is None and default_date is not None:
            data["date"] = default_date.isoformat()
        self._errors: list[Diagnostic] = []
        self._warnings: list[Diagnostic] = []
        if data.get("date") is None:
            self._errors.append(error("E512", path="date", help="pass `--date YYYY-MM-DD` for cases without one"))
        try:
            value = self._record(CASE_RECORD, data, "")
        except _Invalid:
            value = None
        if self._errors:
            return CaseRead(raw, None, tuple(self._errors), tuple(self._warnings))
        return CaseRead(raw, value, (), tuple(self._warnings))

    # -------------------------------------------------------------- records

    def _record(self, name: str, data: Any, path: str) -> RecordValue:
        decl = self.program.records[name]
        if isinstance(data, str) and decl.fields:
            data = {decl.fields[0].name: data}  # shorthand: "military" means {"use": "military"}
        if not isinstance(data, dict):
            self._fail(path, f"an object (`{name}`)", data)
        known = {f.name for f in decl.fields}
        for key in data:
            if key not in known:
                code = "W502" if name == PARAMETERS_RECORD else "W501"
                self._warnings.append(warning(code, path=_join(path, key), field=_join(path, key), name=key,
                                              help=_close(key, known)))
        fields: dict[str, Any] = {}
        failed = False
        for f in decl.fields:
            if f.name in data and data[f.name] is not None:
                try:
                    fields[f.name] = self._value(self.types.resolve_type(f.type), data[f.name], _join(path, f.name))
                    self._in_range(f, fields[f.name], _join(path, f.name))
                except _Invalid:
                    failed = True
        for f in decl.fields:
            if f.name in fields or (f.name in data and data[f.name] is not None):
                continue
            if f.default is not None:
                env = Env(record=fields, record_type=name)
                fields[f.name] = self.evaluator.eval(f.default, env)
            elif f.optional:
                fields[f.name] = MISSING
            elif not (name == CASE_RECORD and f.name == "date"):
                self._errors.append(error("E502", path=_join(path, f.name), field=_join(path, f.name)))
                failed = True
        if failed:
            raise _Invalid()
        return RecordValue(name, fields)

    def _in_range(self, f, value: Any, path: str) -> None:
        """A decimal field's declared range (`share: decimal in [0, 1]`), contract §1."""
        low, high = f.minimum, f.maximum
        if (low is None and high is None) or not isinstance(value, Fraction):
            return
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"[{low}, {high}]" if high is not None else f"at least {low}"
            self._errors.append(error("E513", path=path, value=_number(value), field=path,
                                      why=f"it lies in {bounds}" if high is not None else f"it is {bounds}"))
            raise _Invalid()

    # -------------------------------------------------------------- values

    def _value(self, t: T.Type, data: Any, path: str) -> Any:
        match t:
            case T.Prim("bool"):
                if isinstance(data, bool):
                    return data
                self._fail(path, "true or false", data)
            case T.Prim("decimal"):
                return self._decimal(data, path)
            case T.Prim("text"):
                if isinstance(data, str):
                    return data
                self._fail(path, "text", data)
            case T.Prim("date"):
                day = read_date(data)
                if day is None:
                    self._errors.append(error("E508", path=path, value=_show(data)))
                    raise _Invalid()
                return day
            case T.Prim("code"):
                if isinstance(data, str) and CODE_PATTERN.match(data):
                    return data
                self._fail(path, "a control code such as `1C902.a`", data)
            case T.QuantityT(dim):
                return self._quantity(dim, data, path)
            case T.EnumT(name):
                return self._enum(name, data, path)
            case T.RecordT(name):
                return self._record(name, data, path)
            case T.ListT(el) | T.SetT(el):
                if not isinstance(data, list):
                    self._fail(path, "a list", data)
                items, failed = [], False
                for i, item in enumerate(data):
                    try:
                        items.append(self._value(el, item, f"{path}[{i}]"))
                    except _Invalid:
                        failed = True
                if failed:
                    raise _Invalid()
                return tuple(items) if isinstance(t, T.ListT) else frozenset(items)
        raise AssertionError(f"no reader for {t}")  # pragma: no cover - the checker rules it out

    def _fail(self, path: str, expected: str, data: Any) -> None:
        self._errors.append(error("E503", path=path, expected=expected, found=_show(data)))
        raise _Invalid()

    def _decimal(self, data: Any, path: str) -> Fraction:
        if isinstance(data, bool) or not isinstance(data, (Decimal, str)):
            self._fail(path, "a decimal", data)
        try:
            return decimals.read(data)
        except decimals.DecimalError as exc:
            self._errors.append(error("E509", path=path, value=_show(data), help=_decimal_help(exc)))
            raise _Invalid() from None

    def _quantity(self, dimension: str, data: Any, path: str) -> Any:
        if dimension == "ratio" and (isinstance(data, Decimal) and not isinstance(data, bool)
                                     or isinstance(data, str) and decimals.JSON_NUMBER.fullmatch(data.strip())):
            ratio = self._decimal(data.strip() if isinstance(data, str) else data, path)
            self._physical(units.from_base(ratio, "ratio"), data, path)
            return ratio     # a ratio may be a plain decimal: 0.9995, "0.9995" (contract §2)
        try:
            if isinstance(data, dict) and "value" in data:
                if "unit" not in data:
                    raise units.UnitError("missing_unit", _show(data))
                magnitude = data["value"]
                if isinstance(magnitude, bool) or not isinstance(magnitude, (Decimal, str)):
                    self._fail(path + ".value", "a decimal", magnitude)
                self._decimal(magnitude, path + ".value")
                q = units.make(Decimal(magnitude), str(data["unit"]), dimension)
            elif isinstance(data, str):
                q = units.parse_quantity(data, dimension)
            elif isinstance(data, Decimal):
                raise units.UnitError("missing_unit", _show(data))
            else:
                self._fail(path, f"a quantity of {dimension.replace('_', ' ')}", data)
        except units.UnitError as exc:
            if exc.kind == "unknown_unit":
                hints = units.suggest(exc.text)
                self._errors.append(error("E506", path=path, unit=exc.text,
                                          help=f"did you mean `{hints[0]}`?" if hints else None))
            elif exc.kind == "missing_unit":
                self._errors.append(error("E507", path=path, value=exc.text))
            else:
                self._errors.append(error("E509", path=path, value=exc.text))
            raise _Invalid() from None
        if q.dimension != dimension:
            self._errors.append(error("E505", path=path, found=q.dimension.replace("_", " "),
                                      expected=dimension.replace("_", " "),
                                      help=f"`{q.unit.symbol}` measures {q.dimension.replace('_', ' ')}"))
            raise _Invalid()
        self._physical(q, data, path)
        return q

    def _physical(self, q: units.Quantity, data: Any, path: str) -> None:
        why = units.physical_range(q)
        if why is not None:
            self._errors.append(error("E513", path=path, value=_show(data), field=path, why=why))
            raise _Invalid()

    def _enum(self, name: str, data: Any, path: str) -> EnumValue:
        members = [m.name for m in self.program.enums[name].members]
        if isinstance(data, str) and data in members:
            return EnumValue(name, data)
        hint = None
        if isinstance(data, str):
            folded = {m.casefold(): m for m in members}
            hint = (f"did you mean `{folded[data.casefold()]}`?" if data.casefold() in folded
                    else _close(data, members))
        self._errors.append(error("E504", path=path, what=_words(name), value=_show(data), help=hint))
        raise _Invalid()


def read_date(data: Any) -> datetime.date | None:
    """A date written exactly YYYY-MM-DD (contract §2), or None.

    >>> read_date("2026-11-30"), read_date("20261130"), read_date("2026-W48-1")
    (datetime.date(2026, 11, 30), None, None)
    """
    if not isinstance(data, str) or not DATE_PATTERN.fullmatch(data):
        return None
    try:
        return datetime.date.fromisoformat(data)
    except ValueError:
        return None


def _decimal_help(exc: decimals.DecimalError) -> str:
    if exc.reason == "not a decimal":
        return "write a JSON number such as `0.001`, or a string holding one"
    return (f"decimals have at most {decimals.MAX_DIGITS} significant digits and an exponent "
            f"within ±{decimals.MAX_EXPONENT}")


def _number(value: Fraction) -> str:
    return str(Decimal(value.numerator) / Decimal(value.denominator)) if value.denominator != 1 else str(value.numerator)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(data: Any) -> str:
    if isinstance(data, Decimal):
        return str(data)
    try:
        return json.dumps(data, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover
        return repr(data)


def _close(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
