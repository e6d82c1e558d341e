"""Every cell of every CSV and XLSX export passes here (coverage.csv/.xlsx, the campaign
report, the incident list, and any export to come).

Text a spreadsheet would read as a formula — starting with =, +, -, @, a tab or a carriage
return (OWASP "CSV injection") — gets a leading apostrophe, so a village or head-of-household
name typed as `=HYPERLINK(…)` opens as the text it is. Numbers, dates and empty cells pass as
they are (a negative number is a number, not text)."""
from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """The value to write into a cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable) -> list:
    """A row of values to write."""
    return [cell(value) for value in values]
