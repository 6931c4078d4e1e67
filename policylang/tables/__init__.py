"""Cases and decisions as tables: CSV, Parquet and DuckDB through an embedded DuckDB and Arrow,
and Spark (`policylang.spark`).

Takes: rows of tables (Arrow record batches, CSV rows) and a checked program's schema.
Returns: the same `RawCase` values the JSON reader gives (`mapping.py`), decisions as columns
(`decisions.py`), the readers and writers of `policylang eval` (`sources.py`, `sinks.py`), and
cases written as tables (`writing.py`, the mapping's inverse, for tests and benchmarks).
Guarantees: tables are one more way of feeding the one decision function (the engines'
`decide`): a row and the JSON case it maps to get byte-identical decisions. duckdb and pyarrow
come with the optional extra `policylang[batch]` and are imported only where a table is read or
written; without them, `need` says which extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRAS = {"pyarrow": "batch", "duckdb": "batch", "pyspark": "spark"}


class MissingExtra(Exception):
    """An optional dependency is not installed; the message names the extra that brings it."""


def need(module: str, what: str) -> ModuleType:
    """The module, imported; or `MissingExtra` naming the extra to install for `what`.

    >>> need("json", "reading JSON").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = EXTRAS.get(module.split(".")[0], "batch")
        raise MissingExtra(f"{what} needs `{module.split('.')[0]}`, which comes with policylang's `{extra}` "
                           f"extra: pip install 'policylang[{extra}]'") from None
