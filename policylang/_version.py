"""The package's version: one place, read by the build (pyproject `[tool.hatch.version]`) and by
decisions (`library.version`), without importing `importlib.metadata` at start-up."""

__version__ = "0.1.0"
