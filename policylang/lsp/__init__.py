"""The language server (`policylang lsp`): what an editor needs to write `.ecp` files.

One module per feature: `diagnostics` (the checker's findings as you type), `hover` (a clause's
legal text, a control code's description, parameters and clauses, an attribute's type),
`definition` (imports, clause references, names), `completion` (attributes by record type,
control codes, countries, keywords), `symbols` (the outline of an announcement), `actions`
(quick fixes from the checker's "did you mean" hints), `formatting` (the formatter). `workspace` analyses an open document together with the shipped stdlib and the
other files of its folder; `lookup` finds what stands at a position; `positions` converts offsets
to the protocol's lines and UTF-16 columns; `server` wires the features to pygls.
"""
