"""`policylang serve`: the decision service (an ASGI app on starlette, served by uvicorn).

`app.py` holds the routes, `live.py` the library being served (swapped whole on reload),
`command.py` the command. Install with the `serve` extra: `pip install "policylang[serve]"`.
"""

from pathlib import Path

STATIC = Path(__file__).parent / "static"     # the page: plain HTML, CSS and JavaScript, no build step
