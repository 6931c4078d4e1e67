"""`policylang lsp`: run the language server on standard input and output.

Takes: nothing; an editor starts it and speaks the Language Server Protocol over stdio.
Returns: runs until the editor sends `exit` (or closes the pipe).
Guarantees: nothing but protocol messages is written to standard output.
"""

from __future__ import annotations

import click


@click.command("lsp")
def lsp() -> None:
    """Run the language server over stdio (for editors: VS Code, Neovim, …)."""
    from policylang.lsp.server import build_server  # pygls is imported only when serving

    build_server().start_io()
