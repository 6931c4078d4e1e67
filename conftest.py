"""Root conftest: keep `python -m policylang` out of doctest collection."""

collect_ignore = ["policylang/__main__.py"]
