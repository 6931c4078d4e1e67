"""The printer: an AST module (with its comments) back to text, in the one canonical layout.

Takes: an `ast.Module` and the `Trivia` of its comments (`comments.attach`), or none.
Returns: the text of the module, ending in one newline.
Guarantees: the text parses back to an equal module (parentheses are added where precedence
needs them, strings are quoted so that they read back the same); the layout is a function of the
AST, the comments and the blank lines between anchors only, so printing what was printed changes
nothing. One `visit_<Node>` method per declaration class; expressions are `ExpressionPrinter`'s.

The layout: two spaces of indentation; lines of at most `WIDTH` columns where a break can help
(strings are never split; expressions as `expressions` lays them out); a clause's properties in one fixed
order (texts, source, url, provenance, disputed, dates, exception to, refines, controls, classify,
suspend, repeal, rules); an announcement's accepts after its clauses;
one blank line between clauses, around blocks, and where the author left one; comments where the
author put them, a comment inside a broken condition moved to the line before its rule.
"""

from __future__ import annotations

import json
from decimal import Decimal

from policylang import ast
from policylang.fmt.comments import Attached, Trivia
from policylang.fmt.doc import Doc, align, fill, group, line, nest, render
from policylang.fmt.expressions import (EXPR, INDENT, POSTFIX, ExpressionPrinter, ends_in_number,
                                        quote)
from policylang.syntax.to_ast import EFFECTS, OBLIGATION_KINDS

WIDTH = 100

# The words of each effect and obligation: the grammar rule's name with spaces for `_`.
_EFFECT_WORDS = {effect: rule.replace("_", " ") for rule, effect in EFFECTS.items()}
_OBLIGATION_WORDS = {kind: kind.replace("_", " ") for kind in OBLIGATION_KINDS}
_BLOCKS = (ast.EnumDecl, ast.RecordDecl, ast.EntityList, ast.Announcement, ast.Invariant, ast.CaseTest)
_BOUNDS = {"at_most": "at most", "at_least": "at least", "exactly": "is"}


class Printer(ExpressionPrinter):
    """Prints one module; `trivia` supplies its comments and blank lines."""

    def __init__(self, trivia: Trivia | None = None, width: int = WIDTH):
        self.trivia = trivia or Trivia()
        self.width = width

    # -------------------------------------------------------------- blocks and comments

    def print_module(self, module: ast.Module) -> str:
        entries = []
        previous = None
        for item in module.items:
            separate = previous is not None and (
                isinstance(item, _BLOCKS) or isinstance(previous, _BLOCKS) or type(item) is not type(previous))
            entries.append((id(item), separate, self.visit(item, 0)))
            previous = item
        lines = self._block(entries, id(module), 0)
        return "\n".join(lines).rstrip("\n") + "\n" if lines else ""

    def _block(self, entries: list[tuple[object, bool, str]], key, indent: int) -> list[str]:
        """The lines of a block: each entry's comments, its text, its trailing comment."""
        pad = " " * indent
        out: list[str] = []
        for anchor, separate, text in entries:
            attached = self.trivia.attached.get(anchor) or Attached()
            elements = [(c.text, c.blank_before) for c in attached.leading]
            elements.append((text, attached.blank_before))
            for i, (content, blank) in enumerate(elements):
                if out and (blank or (i == 0 and separate)):
                    out.append("")
                out.append(content if i == len(elements) - 1 else pad + content)
            if attached.trailing is not None:
                out[-1] += "  " + attached.trailing
        for c in self.trivia.left_over(key):
            if out and c.blank_before:
                out.append("")
            out.append(pad + c.text)
        return out

    def _braced(self, header: str, entries, key, indent: int) -> str:
        body = self._block(entries, key, indent + INDENT)
        pad = " " * indent
        if not body:
            return f"{header} {{}}"
        return "\n".join([header + " {", *body, pad + "}"])

    def _line(self, doc: Doc, indent: int) -> str:
        return " " * indent + render(doc, self.width, indent)

    def visit(self, node, indent: int):
        return getattr(self, f"visit_{type(node).__name__}")(node, indent)

    # -------------------------------------------------------------- declarations

    def visit_Import(self, node: ast.Import, indent: int) -> str:
        return self._line(f"import {node.module}", indent)

    def visit_CheckedThrough(self, node: ast.CheckedThrough, indent: int) -> str:
        return self._line(group([f"checked through {node.date.isoformat()}",
                                 nest(INDENT, [line, quote(node.doc)]) if node.doc is not None else ""]), indent)

    def visit_Placeholder(self, node: ast.Placeholder, indent: int) -> str:
        return self._line(group([f"placeholder {node.code}", nest(INDENT, [line, quote(node.doc)])]), indent)

    def _doc_suffix(self, doc: str | None) -> str:
        return f" {quote(doc)}" if doc is not None else ""

    def visit_EnumDecl(self, node: ast.EnumDecl, indent: int) -> str:
        header = " " * indent + f"enum {node.name}{self._doc_suffix(node.doc)}"
        pad = indent + INDENT
        one_per_line = any(m.doc is not None or self._commented(id(m)) for m in node.members)
        if one_per_line:
            last = len(node.members) - 1
            entries = [(id(m), False, " " * pad + m.name + self._doc_suffix(m.doc) + ("," if i < last else ""))
                       for i, m in enumerate(node.members)]
        else:
            names = [m.name + ("," if i < len(node.members) - 1 else "") for i, m in enumerate(node.members)]
            entries = [(id(node.members[0]), False, self._line(fill(names), pad))]
        return self._braced(header, entries, id(node), indent)

    def _commented(self, key) -> bool:
        attached = self.trivia.attached.get(key)
        return attached is not None and (bool(attached.leading) or attached.trailing is not None)

    def visit_RecordDecl(self, node: ast.RecordDecl, indent: int) -> str:
        header = " " * indent + f"record {node.name}{self._doc_suffix(node.doc)}"
        last = len(node.fields) - 1
        entries = [(id(f), False, self._line(self.visit_Field(f, followed=i < last), indent + INDENT))
                   for i, f in enumerate(node.fields)]
        return self._braced(header, entries, id(node), indent)

    def visit_Field(self, node: ast.Field, followed: bool = False) -> Doc:
        doc: list = [node.name, ": ", self.type_doc(node.type), "?" if node.optional else ""]
        if node.maximum is not None:
            doc.append(f" in [{node.minimum}, {node.maximum}]")
        elif node.minimum is not None:
            doc.append(f" at least {node.minimum}")
        if node.default is not None:
            default = self.expr(node.default, EXPR + 1)
            if followed and node.doc is None and ends_in_number(node.default):
                # `= 5` before the next field's name would read that name as a unit: `5 origin`
                default = ["(", default, ")"]
            doc += [" = ", default]
        if node.doc is not None:
            doc += [" ", quote(node.doc)]
        return doc

    def visit_Definition(self, node: ast.Definition, indent: int) -> str:
        header: list = ["def ", node.name]
        if node.params is not None:
            params = [f"{p.name}: {self.type_doc(p.type)}" for p in node.params]
            header += ["(", ", ".join(params), ")"]
        if node.type is not None:
            header += [": ", self.type_doc(node.type)]
        body = self.expr(node.body, EXPR)
        if isinstance(node.body, (ast.SetLit, ast.ListLit)):
            # a literal opens on the `=` line, breaks inside, and its doc follows the closing bracket
            doc = [header, " = ", body] + ([" ", quote(node.doc)] if node.doc is not None else [])
            return self._line(doc, indent)
        head = group([header, " =", nest(INDENT, [line, body])])
        if node.doc is None:
            return self._line(head, indent)
        return self._line(group([head, nest(INDENT, [line, quote(node.doc)])]), indent)

    def visit_EntityList(self, node: ast.EntityList, indent: int) -> str:
        header = " " * indent + f"entities {node.name}{self._doc_suffix(node.doc)}"
        pad = " " * (indent + INDENT)
        entries = [(id(e), False, pad + quote(e.name) + (f" source {e.source}" if e.source else ""))
                   for e in node.entries]
        return self._braced(header, entries, id(node), indent)

    def visit_InvalidRule(self, node: ast.InvalidRule, indent: int) -> str:
        doc = group(["invalid at ", ".".join(node.path),
                     nest(INDENT, [line, "when ", self.expr(node.condition, EXPR),
                                   line, "because ", quote(node.message)])])
        return self._line(doc, indent)

    # -------------------------------------------------------------- invariants and tests

    def visit_Invariant(self, node: ast.Invariant, indent: int) -> str:
        pad = indent + INDENT
        entries = [(id(a), False, self._line(group(["assume ", self.expr(a, EXPR)]), pad))
                   for a in node.assumptions]
        entries += [(id(c), False, self._line(self.claim(c), pad)) for c in node.claims]
        return self._braced(" " * indent + f"invariant {quote(node.name)}", entries, id(node), indent)

    def claim(self, c: ast.Claim) -> str:
        if c.kind == "outcome":
            under = f" under {self.ref(c.scope)}" if c.scope is not None else ""
            return f"expect outcome{under} {_BOUNDS[c.bound]} {c.outcome}"
        return f"expect {'not ' if c.negated else ''}applies {self.ref(c.scope)}"

    def visit_CaseTest(self, node: ast.CaseTest, indent: int) -> str:
        entries = [((id(node), "case"), False, self._line(["case ", _json_fill(node.case)], indent + INDENT))]
        for i, expectation in enumerate(node.expectations):
            expected = _expectation(expectation)
            doc = ["expect ", _json_fill(expected) if expected.startswith("{") else expected]
            entries.append(((id(node), i), False, self._line(doc, indent + INDENT)))
        return self._braced(" " * indent + f"test {quote(node.name)}", entries, id(node), indent)

    # -------------------------------------------------------------- announcements

    def visit_Announcement(self, node: ast.Announcement, indent: int) -> str:
        pad = indent + INDENT
        entries = [(id(t), False, self._line(self.visit_Title(t), pad)) for t in node.titles]
        for prop in ("authority", "issued", "effective", "until", "source", "url", "provenance"):
            value = getattr(node, prop)
            if value is not None:
                text = quote(value) if isinstance(value, str) else value.isoformat()
                entries.append(((id(node), prop), False, " " * pad + f"{prop} {text}"))
        for i, clause in enumerate(node.clauses):
            entries.append((id(clause), bool(entries), self.visit_Clause(clause, pad)))
        for i, accept in enumerate(node.accepts):
            entries.append((id(accept), i == 0 and bool(entries), self.visit_Accept(accept, pad)))
        return self._braced(" " * indent + f"announcement {node.id}", entries, id(node), indent)

    def visit_Accept(self, node: ast.Accept, indent: int) -> str:
        head: list = [f"accept {node.kind} ", self.ref(node.clauses)]
        if node.others:
            head += [" with ", align(self.refs(node.others))]
        return self._line(group([head, nest(INDENT, [line, "because ", quote(node.reason)])]), indent)

    def visit_Title(self, node: ast.Title) -> Doc:
        return "title " + (f"{node.lang} " if node.lang else "") + quote(node.text)

    def visit_Clause(self, node: ast.Clause, indent: int) -> str:
        pad = indent + INDENT
        key = id(node)
        entries = [(id(t), False, self._line(f"text {t.lang} {quote(t.text)}", pad)) for t in node.texts]

        def prop(name: str, doc: Doc) -> None:
            entries.append(((key, name), False, self._line(doc, pad)))

        for name in ("source", "url", "provenance", "disputed"):
            if getattr(node, name) is not None:
                prop(name, f"{name} {quote(getattr(node, name))}")
        if node.effective is not None:
            prop("effective", f"effective {node.effective.isoformat()}")
        if node.until is not None:
            prop("until", f"until {node.until.isoformat()}")
        if node.exception_to:
            prop("exception_to", ["exception to ", align(self.refs(node.exception_to))])
        if node.refines:
            prop("refines", ["refines ", align(self.refs(node.refines))])
        if node.controls:
            codes = [c.value + (" exactly" if c.exact else "") + ("," if i < len(node.controls) - 1 else "")
                     for i, c in enumerate(node.controls)]
            prop("controls", ["controls ", align(fill(codes))])
        for n in (*node.classifications, *node.suspensions, *node.repeals, *node.rules):
            entries.append((id(n), False, self._line(self.visit(n, pad), pad)))
        header = " " * indent + f"clause {node.id}" + (f" {quote(node.title)}" if node.title is not None else "")
        return self._braced(header, entries, key, indent)

    def refs(self, refs: tuple[ast.Ref, ...]) -> Doc:
        return fill([self.ref(r) + ("," if i < len(refs) - 1 else "") for i, r in enumerate(refs)])

    def ref(self, ref: ast.Ref) -> str:
        if ref.announcement is None:
            return f"clause {ref.clause}"
        return ref.announcement + (f" clause {ref.clause}" if ref.clause is not None else "")

    def visit_Classification(self, node: ast.Classification, indent: int) -> Doc:
        return group([f"classify {node.category} as {node.code}",
                      nest(INDENT, [line, "when ", self.expr(node.condition, EXPR)])])

    def visit_Suspension(self, node: ast.Suspension, indent: int) -> Doc:
        return ["suspend ", self.refs(node.targets),
                f" from {node.start.isoformat()} through {node.end.isoformat()}"]

    def visit_Repeal(self, node: ast.Repeal, indent: int) -> Doc:
        return ["repeal ", self.refs(node.targets), f" from {node.start.isoformat()}"]

    def visit_Rule(self, node: ast.Rule, indent: int) -> Doc:
        condition = group(["when ", self.expr(node.condition, EXPR)])
        tail: list = []
        if node.effect is not None:
            tail.append([line, _EFFECT_WORDS[node.effect]])
            obligations = [[line, self.visit_Obligation(o)] for o in node.obligations]
            tail.append(nest(INDENT, obligations))
        else:
            tail += [[line, self.visit_Obligation(o)] for o in node.obligations]
        # the effect and each duty on a line of their own, as the README lays a clause out:
        # what the clause requires is read down the left edge, under its condition
        return [condition, *tail]

    def visit_Obligation(self, node: ast.Obligation) -> Doc:
        doc: list = [_OBLIGATION_WORDS[node.kind]]
        if node.detail is not None:
            doc += [" ", self.expr(node.detail, POSTFIX, literal_safe=True)]
        if node.due_days is not None:
            doc.append(f" within {node.due_days}" + (" working" if node.working_days else "") + " days")
        return doc


def _expectation(text: str) -> str:
    """`outcome X` for an expectation of the outcome alone (as written), else the JSON object."""
    value = json.loads(text)
    if isinstance(value, dict) and list(value) == ["outcome"] and isinstance(value["outcome"], str):
        return f"outcome {value['outcome']}"
    return text


def _json_fill(text: str) -> Doc:
    """A case object filled across lines at its top-level pairs, each line aligned after `{`."""
    value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    if not isinstance(value, dict) or len(value) < 2:
        return text
    pairs = [f"{json.dumps(k, ensure_ascii=False)}: {_json_text(v)}" for k, v in value.items()]
    items = [("{" if i == 0 else "") + p + ("}" if i == len(pairs) - 1 else ",") for i, p in enumerate(pairs)]
    return align(fill(items))


def _json_text(value) -> str:
    """JSON as the parser writes it back (`", "` and `": "`, numbers as written), so it round-trips."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
