"""A Pygments lexer for `.ecp` files, so documentation and terminals can highlight policies.

Takes: policy text.
Returns: Pygments tokens; the lexer is registered under the entry point `pygments.lexers` as
`ecp`, so `pygmentize -l ecp file.ecp`, Sphinx and MkDocs code blocks marked `ecp` use it.
Guarantees: every character gets a token (nothing is an `Error` token in the shipped library,
which `tests/test_textmate_pygments.py` checks); the token classes follow the TextMate grammar of the
VS Code extension (control codes and dates as constants, effects and obligations as keywords).

>>> from pygments.token import Number
>>> (Number.Other, "1C902.a") in list(EcpLexer().get_tokens("controls 1C902.a"))
True
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String, Text,
                            Whitespace)

_CLAUSE_ID = r"[0-9A-Za-z]+(?:\([0-9A-Za-z]+\))*(?:\.[0-9A-Za-z]+(?:\([0-9A-Za-z]+\))*)*"
_UNIT_EXCLUDED = ("and|or|not|in|is|within|then|else|for|if|prohibit|deny|review|require|exempt|exclude|"
                  "report|compliance|customs|declare|show|inquire|chinese|when|clause|text|source|"
                  "effective|until|exception|refines|controls|classify|suspend|repeal|from|through|because|"
                  "url|provenance|disputed|exactly|at")


class EcpLexer(RegexLexer):
    """policylang policies and stdlib (`.ecp`)."""

    name = "policylang"
    aliases = ["ecp", "policylang"]
    filenames = ["*.ecp"]
    mimetypes = ["text/x-ecp"]

    tokens = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"""', String, "triple"),
            (r'"', String, "string"),
            (r"\b(def)(\s+)([A-Za-z_]\w*)", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"\b(enum|record|entities)(\s+)([A-Za-z_]\w*)", bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (r"\b(import)(\s+)([A-Za-z_]\w*)", bygroups(Keyword.Namespace, Whitespace, Name.Namespace)),
            (r"\b(announcement)(\s+)([A-Z]+-[0-9]{4}-(?:U[0-9]{4}|[0-9]+))", bygroups(Keyword.Declaration, Whitespace, Name.Namespace)),
            (r"\b(clause)(\s+)(" + _CLAUSE_ID + ")", bygroups(Keyword, Whitespace, Name.Label)),
            (r"\b[A-Z]+-[0-9]{4}-(?:U[0-9]{4}|[0-9]+)\b", Name.Namespace),
            (r"\b(?:prohibit|deny\s+in\s+principle|review\s+case\s+by\s+case|require\s+licen[cs]e|exempt|"
             r"exclude\s+from\s+scope)\b", Keyword.Reserved),
            (r"\b(?:report|compliance\s+notice|customs\s+remark|declare\s+destination|show\s+licen[cs]e|"
             r"inquire|chinese\s+documents)\b", Name.Builtin),
            (r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b", Number.Other),
            (r"\b[0-9][A-E][0-9]{3}(?:\.[a-z0-9]+)*\b", Number.Other),
            (r"\b([0-9]+(?:\.[0-9]+)?)([ \t]+)((?!(?:" + _UNIT_EXCLUDED + r")\b)[A-Za-zµμΩ℃°%‰Δ][A-Za-z0-9µμΩ℃°%‰³²/·^]*)",
             bygroups(Number, Whitespace, Keyword.Type)),
            (r"\b[0-9]+(?:\.[0-9]+)?\b", Number),
            (words(("true", "false"), suffix=r"\b"), Keyword.Constant),
            (words(("when", "if", "then", "else", "because"), suffix=r"\b"), Keyword),
            (words(("title", "authority", "issued", "effective", "until", "source", "text", "zh", "en",
                    "refines", "exception", "to", "controls", "classify", "as", "suspend", "repeal",
                    "from", "through", "invalid", "at", "within", "working", "days", "clause",
                    "invariant", "assume", "expect", "outcome", "under", "applies", "most", "least",
                    "test", "case", "null", "url", "provenance", "disputed", "exactly", "checked",
                    "placeholder", "accept", "with"),
                   prefix=r"\b", suffix=r"\b"), Keyword),
            (words(("and", "or", "not", "in", "is", "given", "any", "all", "for"), prefix=r"\b", suffix=r"\b"),
             Operator.Word),
            (r"\b(?:sum|count|min|max)(?=\s*\()", Name.Builtin),
            (words(("bool", "decimal", "text", "date", "code", "quantity", "list", "set", "of"),
                   prefix=r"\b", suffix=r"\b"), Keyword.Type),
            (r"\b[A-Z]{2}\b", Name.Constant),
            (r"\b[A-Z]\w*\b", Name.Class),
            (r"[A-Za-z_]\w*", Name),
            (r"==|!=|<=|>=|<|>|\+|-|\*|/", Operator),
            (r"[{}\[\](),.:?=]", Punctuation),
        ],
        "triple": [
            (r'"""', String, "#pop"),
            (r'[^"]+|"', String),
        ],
        "string": [
            (r'\\.', String.Escape),
            (r'"', String, "#pop"),
            (r'\n', Text, "#pop"),
            (r'[^"\\\n]+', String),
        ],
    }
