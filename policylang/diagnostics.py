"""Diagnostics: what every stage reports, and how it is shown.

Takes: a stable code, a span (or none, for a problem with no place), the values the message
template names, and an optional help text.
Returns: `Diagnostic` values, and their renderings as text (rustc/Cedar style) and JSON.
Guarantees: every message comes from `MESSAGES`, the one registry of texts, so a code always means
one thing; messages are one lowercase sentence with no final period and user input in backticks.

>>> from policylang.source import SourceFile, Span
>>> f = SourceFile("p.ecp", "when item.orign == CN")
>>> d = error("E102", Span(f, 10, 15), attribute="orign", record="Item", help="did you mean `origin`?")
>>> print(render_text([d]).splitlines()[0])
error[E102]: unknown attribute `orign` on `Item`
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

import attrs

from policylang.source import Span

# E0xx syntax, E1xx names, E2xx types, E3xx analysis, E4xx evaluation, E5xx cases, E6xx the
# review desk's inputs (dispositions, decision logs).
MESSAGES: dict[str, str] = {
    "E001": "unexpected {found}",
    "E002": "unexpected character `{char}`",
    "E003": "invalid date `{text}`",
    "E004": "unexpected end of file",
    "E005": "a string of {size} characters, over the limit of {limit}",
    "E006": "unknown escape sequence `{escape}`",
    "E007": "nested more than {limit} levels deep",
    "E008": "a number of {size} digits, over the limit of {limit}",
    "E009": "the file is not UTF-8: {detail}",
    "E010": "the file is {size} bytes long, over the limit of {limit}",
    "E011": "a name of {size} characters, over the limit of {limit}",
    "E012": "cannot read `{file}`: {why}",
    "E013": "`{file}` is a link to a file outside the folders named: it is not read",
    "E014": "`within {days} days` is over the limit of {limit} days",
    "E015": "`{word}` needs {missing}: write `{phrase}`",
    "E101": "unknown name `{name}`",
    "E102": "unknown attribute `{attribute}` on `{record}`",
    "E103": "unknown module `{name}`",
    "E104": "unknown clause `{clause}` in `{announcement}`",
    "E105": "unknown announcement `{announcement}`",
    "E106": "`{name}` is defined more than once",
    "E107": "clause `{clause}` appears more than once in `{announcement}`",
    "E108": "`{name}` is a member of several enumerations: {enums}",
    "E109": "`{name}` depends on itself through {chain}",
    "E110": "clause `{clause}` is an exception to or refinement of itself through {chain}",
    "E111": "unknown function `{name}`",
    "E112": "`{name}` takes {expected} argument(s), not {given}",
    "E113": "unknown type `{name}`",
    "E114": "unknown category `{name}`",
    "E115": "announcement `{announcement}` is declared more than once",
    "E116": "`{name}` has no member `{member}`",
    "E117": "unknown outcome `{name}`",
    "E118": "nested {depth} levels deep with the definitions it uses, over the limit of {limit}",
    "E119": "clause `{clause}` begins a chain of {links} exceptions and refinements, over the limit of {limit}",
    "E121": "`{name}` is not a kind of finding an accept can name",
    "E122": "`accept {kind}` {problem}",
    "E123": "an accepted finding needs its reason",
    "E201": "expected {expected}, found {found}",
    "E202": "cannot compare {left} with {right}",
    "E203": "unknown unit `{unit}`",
    "E204": "operator `{op}` does not apply to {left} and {right}",
    "E205": "a quantity of {found} where {expected} is expected",
    "E206": "dates out of order: {what}",
    "E207": "`{op}` needs a collection on its right, found {found}",
    "E208": "attributes are read from records, and {found} is not one",
    "E209": "the default of `{field}` has type {found}, but the field is {expected}",
    "E210": "`{field}` cannot have a range: {why}",
    "E401": "division by zero in `{expr}`",
    "E402": "the due date of the {kind} of `{clause}`, {days}{working} days after the date, falls after 9999-12-31",
    "E499": "a fault of policylang while deciding this case, please report it: {detail}",
    "E501": "the case is not valid JSON: {detail}",
    "E502": "missing required field `{field}`",
    "E503": "expected {expected}, found {found}",
    "E504": "unknown {what} `{value}`",
    "E505": "a quantity of {found} where {expected} is expected",
    "E506": "unknown unit `{unit}`",
    "E507": "a quantity needs a unit: `{value}`",
    "E508": "invalid date `{value}`: dates are written YYYY-MM-DD",
    "E509": "invalid decimal `{value}`",
    "E510": "{message}",
    "E511": "a case must be a JSON object, found {found}",
    "E512": "no date: give the case a `date` or pass `--date`",
    "E513": "`{value}` is out of range for `{field}`: {why}",
    "E514": "`{value}` is too large or too precise for `{field}`: decimals have at most {digits} significant digits and an exponent within ±{exponent}",
    "E515": "`{field}` holds {size} characters, over the limit of {limit}",
    "E516": "`{field}` holds {size} entries, over the limit of {limit}",
    "E517": "{where} is nested more than {limit} levels deep",
    "E518": "the {what} is {size} bytes long: the limit is {limit}",
    "E519": "`{field}` is not valid Unicode text",
    "E520": "the key `{key}` is given more than once",
    "E521": "{count} more problem(s) in this case not shown",
    "E522": "row {row} of `{source}`: {detail}",
    "E601": "cannot read the dispositions file `{file}`: {detail}",
    "E602": "disposition {number} has no `{field}`",
    "E603": "disposition {number}: `{field}` {why}",
    "E604": "disposition {number}: `{entry}` is no entry of the library's lists{where}",
    "E605": "disposition {number}: `{entry}` is an entry of several lists ({lists})",
    "E606": "dispositions {first} and {second} give opposite verdicts on `{party}` and `{entry}` on {date}",
    "W101": "`{expr}` is a share, at most 1, compared with {value}",
    "W102": "unknown outcome `{name}` expected",
    "W103": "the {kind}'s detail can come out missing, and the duty then has none",
    "W104": "`{expr}` is always {truth}",
    "W105": "clause `{clause}` decides something but quotes no text of the law",
    "W301": "`accept {kind}` of {clauses} matches no finding of the analysis",
    "W401": "the PRC calendar has no official schedule for {year} yet: its working days are counted without make-up days",
    "W402": "the control code `{item_code}` is named by no clause of this library",
    "W403": "`{item_code}` is a placeholder of this library, not an official control code: {reason}",
    "W404": "`{policy}` {clauses} applies again only because the suspension by `{by}` ended on {end}; no later instrument in the library confirms it",
    "W405": "`{clause}` rests on a reading a person should confirm: {reading}",
    "W406": "`{policy}` is a provisional identifier: the announcement's number is not known",
    "W501": "unknown field `{field}` is ignored",
    "W502": "parameter `{name}` is not one the schema knows; it is ignored",
    "W601": "disposition {number} is stale: `{party}` and `{entry}` {why}",
}


@attrs.frozen
class Diagnostic:
    """One finding of a stage: an error or a warning, with its place and a hint."""

    code: str
    severity: str
    message: str
    span: Span | None = attrs.field(default=None, eq=False)
    help: str | None = None
    path: str | None = None  # for case diagnostics: the field, e.g. `item.parameters.wire_diameter`

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.path, self.span.line, self.span.column, self.code)


def _make(severity: str, code: str, span: Span | None, help: str | None, path: str | None,
          values: dict) -> Diagnostic:
    return Diagnostic(code, severity, MESSAGES[code].format(**values), span, help, path)


def error(code: str, span: Span | None = None, *, help: str | None = None,
          path: str | None = None, **values: object) -> Diagnostic:
    """An error with the registry's message for `code`."""
    return _make("error", code, span, help, path, values)


def warning(code: str, span: Span | None = None, *, help: str | None = None,
            path: str | None = None, **values: object) -> Diagnostic:
    """A warning with the registry's message for `code`."""
    return _make("warning", code, span, help, path, values)


MAX_SHOWN = 50


def sort_and_cap(diagnostics: Iterable[Diagnostic], cap: int = MAX_SHOWN) -> tuple[list[Diagnostic], int]:
    """Sort by place and code, drop exact repeats, keep at most `cap`; also return how many were cut."""
    unique = {(d.sort_key(), d.message): d for d in diagnostics}
    ordered = [unique[k] for k in sorted(unique)]
    return ordered[:cap], max(0, len(ordered) - cap)


_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}


def render_text(diagnostics: Sequence[Diagnostic], cap: int = MAX_SHOWN, paint=None) -> str:
    """Render as rustc/Cedar do: header, `-->` place, the source line, a caret line, `help:`;
    `paint` (see `colour.py`) colours the parts without changing the text."""
    paint = paint or (lambda text, style: text)
    shown, cut = sort_and_cap(diagnostics, cap)
    blocks = [_render_one(d, paint) for d in shown]
    if cut:
        blocks.append(f"... and {cut} more diagnostic(s) not shown")
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if diagnostics:
        blocks.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n\n".join(blocks)


def _render_one(d: Diagnostic, paint) -> str:
    lines = [paint(f"{d.severity}[{d.code}]", _SEVERITY_STYLE.get(d.severity, "bold")) + paint(f": {d.message}", "bold")]
    if d.span is not None:
        line, col = d.span.line, d.span.column
        gutter = " " * len(str(line))
        source = d.span.file.line_text(line)
        end_line = d.span.file.line_col(max(d.span.start, d.span.end - 1))[0]
        width = max(1, (d.span.end - d.span.start) if end_line == line else len(source) - col + 1)
        lines += [
            paint(f"{gutter}-->", "bold blue") + f" {d.span.path}:{line}:{col}",
            paint(f"{gutter} |", "bold blue"),
            paint(f"{line} |", "bold blue") + f" {source}",
            paint(f"{gutter} |", "bold blue") + " " + " " * (col - 1)
            + paint("^" * width, _SEVERITY_STYLE.get(d.severity, "bold")),
        ]
    elif d.path:
        lines.append(paint("  -->", "bold blue") + f" {d.path}")
    if d.help:
        lines.append(paint("  = help:", "bold cyan") + f" {d.help}")
    return "\n".join(lines)


def to_json(d: Diagnostic) -> dict:
    """A diagnostic as a JSON object (the `--format json` shape of `policylang check`)."""
    out: dict = {"code": d.code, "severity": d.severity, "message": d.message}
    if d.span is not None:
        out.update(file=d.span.path, line=d.span.line, column=d.span.column,
                   end_line=d.span.file.line_col(d.span.end)[0],
                   end_column=d.span.file.line_col(d.span.end)[1])
    if d.path is not None:
        out["path"] = d.path
    if d.help:
        out["help"] = d.help
    return out


def render_json(diagnostics: Sequence[Diagnostic], cap: int = MAX_SHOWN) -> str:
    shown, cut = sort_and_cap(diagnostics, cap)
    return json.dumps({"diagnostics": [to_json(d) for d in shown], "not_shown": cut},
                      ensure_ascii=False, indent=2)
