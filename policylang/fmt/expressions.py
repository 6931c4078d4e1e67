"""Expressions back to layout documents: operator precedence, parentheses, literals.

Takes: AST expressions (and type expressions).
Returns: `Doc`s for the layout engine (`doc.render`), one `visit_<Node>` method per expression
class; `quote` and `number` for literals.
Guarantees: the text reads back as the same AST: an operand that binds less tightly than its
place is put in parentheses, and a few more get them for the reader (`a and b` inside an `or`)
or for the lexer (a number before a name would read as a quantity); a condition too long for its
line breaks before each `and` / `or` of its outermost chain, continuation lines indented by two.

>>> from policylang.fmt.doc import render
>>> from policylang.syntax.parser import parse
>>> from policylang.source import SourceFile
>>> body = parse(SourceFile("x.ecp", "def x = a and b or not (c or d)"))[0].items[0].body
>>> render(ExpressionPrinter().expr(body, 0), 100)
'(a and b) or not (c or d)'
"""

from __future__ import annotations

from decimal import Decimal

from policylang import ast
from policylang.fmt.doc import Doc, align, fill, group, join, line, nest, softline

INDENT = 2

# Binding strength: an operand weaker than its place is put in parentheses.
_EXPR, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _POSTFIX, _ATOM = range(10)
EXPR, POSTFIX = _EXPR, _POSTFIX


def quote(value: str) -> str:
    r"""A string literal that reads back as `value`.

    >>> print(quote('say "hi"'))
    "say \"hi\""
    """
    if not any(ch in value for ch in '"\\\n') and all(ch >= " " or ch == "\t" for ch in value):
        return f'"{value}"'
    if "\n" in value and '"""' not in value and not value.endswith('"'):
        return f'"""{value}"""'
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch < " ":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def number(value: Decimal) -> str:
    return format(value, "f")


def ends_in_number(e: ast.Expr) -> bool:
    """Whether the printed expression ends with a bare number (which a following name would turn
    into a quantity)."""
    match e:
        case ast.Number():
            return True
        case ast.Arith() | ast.Compare() | ast.And() | ast.Or():
            return _precedence(e.right) >= _precedence(e) and ends_in_number(e.right)
        case ast.Negate() | ast.Not():
            return ends_in_number(e.operand)
        case ast.Member():
            return ends_in_number(e.collection)
        case ast.Within():
            return ends_in_number(e.scope)
        case ast.Conditional():
            return ends_in_number(e.otherwise)
        case ast.Quantified():
            return ends_in_number(e.body)
    return False


def _precedence(e: ast.Expr) -> int:
    match e:
        case ast.Conditional() | ast.Quantified():
            return _EXPR
        case ast.Or():
            return _OR
        case ast.And():
            return _AND
        case ast.Not():
            return _NOT
        case ast.Compare() | ast.Member() | ast.Within() | ast.Given():
            return _COMPARE
        case ast.Arith(op=op):
            return _SUM if op in "+-" else _PRODUCT
        case ast.Negate():
            return _UNARY
        case ast.Attribute():
            return _POSTFIX
    return _ATOM



class ExpressionPrinter:
    """One `visit_<Node>` method per expression class, each returning a `Doc`."""

    def expr(self, e: ast.Expr, place: int, literal_safe: bool = False) -> Doc:
        """The expression, in parentheses when it binds less tightly than `place` needs."""
        doc = getattr(self, f"visit_{type(e).__name__}")(e)
        needs = _precedence(e) < place or (literal_safe and isinstance(e, (ast.Number, ast.QuantityLit, ast.CodeLit)))
        return ["(", align(doc), ")"] if needs else doc

    def _chain(self, e: ast.Expr, kind: type, word: str, place: int) -> Doc:
        operands = []
        while isinstance(e, kind):
            operands.append(e.right)
            e = e.left
        operands.append(e)
        operands.reverse()
        # `a and b` inside an `or` gets parentheses too: readers of legal conditions should not
        # need the precedence table
        inner = _NOT if kind is ast.Or else place
        first = self.expr(operands[0], max(place, inner))
        rest = [[line, f"{word} ", self.expr(o, max(place + 1, inner))] for o in operands[1:]]
        return group([first, nest(INDENT, rest)])

    def visit_Or(self, e: ast.Or) -> Doc:
        return self._chain(e, ast.Or, "or", _OR)

    def visit_And(self, e: ast.And) -> Doc:
        return self._chain(e, ast.And, "and", _AND)

    def visit_Not(self, e: ast.Not) -> Doc:
        return ["not ", self.expr(e.operand, _NOT)]

    def visit_Compare(self, e: ast.Compare) -> Doc:
        return [self.expr(e.left, _SUM), f" {e.op} ", self.expr(e.right, _SUM)]

    def visit_Member(self, e: ast.Member) -> Doc:
        word = " not in " if e.negated else " in "
        return [self.expr(e.element, _SUM), word, self.expr(e.collection, _SUM)]

    def visit_Within(self, e: ast.Within) -> Doc:
        return [self.expr(e.code, _SUM), " within ", self.expr(e.scope, _SUM)]

    def visit_Given(self, e: ast.Given) -> Doc:
        return [self.expr(e.expr, _SUM), " is not given" if e.negated else " is given"]

    def visit_Arith(self, e: ast.Arith) -> Doc:
        place = _SUM if e.op in "+-" else _PRODUCT
        return group([self.expr(e.left, place), nest(INDENT, [line, e.op, " ", self.expr(e.right, place + 1)])])

    def visit_Negate(self, e: ast.Negate) -> Doc:
        return ["-", self.expr(e.operand, _UNARY)]

    def visit_Attribute(self, e: ast.Attribute) -> Doc:
        return [self.expr(e.obj, _POSTFIX, literal_safe=True), ".", e.name]

    def visit_Conditional(self, e: ast.Conditional) -> Doc:
        return group(["if ", self.expr(e.condition, _OR), nest(INDENT, [
            line, "then ", self.expr(e.then, _OR), line, "else ", self.expr(e.otherwise, _EXPR)])])

    def visit_Quantified(self, e: ast.Quantified) -> Doc:
        return group([f"{e.quantifier} {e.var} in ", self.expr(e.collection, _SUM), ":",
                      nest(INDENT, [line, self.expr(e.body, _EXPR)])])

    def visit_Aggregate(self, e: ast.Aggregate) -> Doc:
        inner: list = [self.expr(e.body, _OR), line, f"for {e.var} in ", self.expr(e.collection, _SUM)]
        if e.filter is not None:
            inner += [line, "if ", self.expr(e.filter, _OR)]
        return group([e.func, "(", nest(INDENT, [softline, *inner]), softline, ")"])

    def visit_Call(self, e: ast.Call) -> Doc:
        if not e.args:
            return f"{e.func}()"
        args = join([",", line], [self.expr(a, _OR) for a in e.args])
        return group([e.func, "(", nest(INDENT, [softline, *args]), softline, ")"])

    def _collection(self, items, open_: str, close: str) -> Doc:
        if not items:
            return open_ + close
        docs = [self.expr(i, _OR) for i in items]
        if all(isinstance(d, str) for d in docs):
            body = fill([d + ("," if i < len(docs) - 1 else "") for i, d in enumerate(docs)])
        else:
            body = join([",", line], docs)
        return group([open_, nest(INDENT, [softline, body]), softline, close])

    def visit_SetLit(self, e: ast.SetLit) -> Doc:
        return self._collection(e.items, "{", "}")

    def visit_ListLit(self, e: ast.ListLit) -> Doc:
        return self._collection(e.items, "[", "]")

    def visit_Number(self, e: ast.Number) -> Doc:
        return number(e.value)

    def visit_QuantityLit(self, e: ast.QuantityLit) -> Doc:
        return f"{number(e.value)} {e.unit}"

    def visit_DateLit(self, e: ast.DateLit) -> Doc:
        return e.value.isoformat()

    def visit_CodeLit(self, e: ast.CodeLit) -> Doc:
        return e.value

    def visit_StringLit(self, e: ast.StringLit) -> Doc:
        return quote(e.value)

    def visit_BoolLit(self, e: ast.BoolLit) -> Doc:
        return "true" if e.value else "false"

    def visit_Name(self, e: ast.Name) -> Doc:
        return e.name

    def type_doc(self, t: ast.TypeExpr) -> str:
        match t:
            case ast.ListType(element):
                return f"list of {self.type_doc(element)}"
            case ast.SetType(element):
                return f"set of {self.type_doc(element)}"
        return t.name + (f"[{t.dimension}]" if t.dimension is not None else "")
