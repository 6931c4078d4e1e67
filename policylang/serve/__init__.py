"""`policylang serve`: the decision service (an ASGI app on starlette, served by uvicorn).

`app.py` holds the routes, `live.py` the library being served (swapped whole on reload),
`command.py` the command. Install with the `serve` extra: `pip install "policylang[serve]"`.
"""
