"""Command-line option types shared by the commands.

Takes: option values as typed on the command line.
Returns: `DATE`, a click parameter type that reads `YYYY-MM-DD` into a `datetime.date`.
Guarantees: every command reads dates the same way and says the same thing about a bad one.

>>> DATE.convert("2026-11-21", None, None)
datetime.date(2026, 11, 21)
"""

from __future__ import annotations

import datetime
import re

import click

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime.date):
            return value
        try:
            if not _ISO_DATE.match(value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.fail(f"`{value}` is not a date: write YYYY-MM-DD", param, ctx)


DATE = _Date()
