"""The language server (`policylang lsp`): what an editor needs to write `.ecp` files.

One module per feature: `diagnostics` (the checker's findings as you type), `hover` (a clause's
legal text, a control code's description, parameters and clauses, an attribute's type),
`definition` (imports, clause references, names), `completion` (attributes by record type,
control codes, countries, keywords), `symbols` (the outline of an announcement), `actions`
(quick fixes from the checker's "did you mean" hints), `formatting` (the formatter).
`workspace` analyses an open document together with the shipped stdlib and its `neighbours` (the
`.ecp` files directly in its own folder and in the workspace folders), and turns a stage that
raises into a diagnostic (`faults`); `lookup` finds what stands at a position; `positions`
converts offsets to the protocol's lines and columns; `framing` reads messages off the input
robustly and `stdio` serves them to pygls; `server` wires the features to pygls.
"""
