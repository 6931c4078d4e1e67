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
from pathlib import Path
from types import ModuleType

EXTRAS = {"pyarrow": "batch", "duckdb": "batch", "pyspark": "spark"}
TABLE_INPUTS = (".csv", ".parquet")
TABLE_OUTPUTS = (".parquet", ".csv", ".duckdb")
GLOB_CHARACTERS = "*?["


def is_table(name: str) -> bool:
    """A CSV or Parquet file, or a glob (which may match them).

    >>> is_table("ledger/*.parquet"), is_table("orders.CSV"), is_table("cases.jsonl")
    (True, True, False)
    """
    return name.lower().endswith(TABLE_INPUTS) or any(c in name for c in GLOB_CHARACTERS)


def is_table_output(output: Path | None) -> bool:
    """An `--output` that gets the decisions as a table."""
    return output is not None and output.suffix.lower() in TABLE_OUTPUTS


def involves_tables(inputs: tuple[str, ...], output: Path | None, query: str | None) -> bool:
    """Whether a run of `eval` reads or writes a table (and so goes through `tables.evaluate`)."""
    return query is not None or is_table_output(output) or any(map(is_table, inputs))


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
