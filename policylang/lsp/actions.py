"""Quick fixes: the checker's "did you mean" hints as edits the editor can apply.

Takes: the document's text and the diagnostics the editor sends back with a code-action request.
Returns: protocol `CodeAction`s of kind `quickfix`, one per diagnostic whose hint names a
replacement (`help: did you mean \\`origin\\`?`), replacing the misspelt word.
Guarantees: a fix is offered only where the diagnostic's range holds exactly the name its message
quotes (`unknown attribute \\`orign\\``), so applying it never rewrites more than that word.

>>> from lsprotocol import types as lsp
>>> r = lsp.Range(start=lsp.Position(line=0, character=5), end=lsp.Position(line=0, character=10))
>>> d = lsp.Diagnostic(range=r, message="unknown attribute `orign` on `Item`\\nhelp: did you mean `origin`?")
>>> [a.title for a in quick_fixes("item.orign", "file:///x.ecp", [d])]
['replace `orign` with `origin`']
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from policylang.lsp.positions import UTF16, to_offset

_QUOTED = re.compile(r"`([^`]+)`")
_HINT = re.compile(r"did you mean `([^`]+)`\?")


def quick_fixes(text: str, uri: str, diagnostics: list[lsp.Diagnostic],
                encoding: str = UTF16) -> list[lsp.CodeAction]:
    actions = []
    for d in diagnostics:
        hint = _HINT.search(d.message)
        quoted = _QUOTED.search(d.message)
        if hint is None or quoted is None:
            continue
        start, end = to_offset(text, d.range.start, encoding), to_offset(text, d.range.end, encoding)
        if text[start:end] != quoted.group(1):
            continue
        edit = lsp.TextEdit(range=d.range, new_text=hint.group(1))
        actions.append(lsp.CodeAction(
            title=f"replace `{quoted.group(1)}` with `{hint.group(1)}`", kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[d], is_preferred=True, edit=lsp.WorkspaceEdit(changes={uri: [edit]})))
    return actions
