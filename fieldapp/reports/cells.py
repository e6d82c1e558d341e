"""Every cell of every CSV and XLSX export passes here (coverage.csv/.xlsx, the campaign
report, the incident list, and any export to come).

Text a spreadsheet would read as a formula — starting with =, +, -, @, a tab or a carriage
return (OWASP "CSV injection") — gets a leading apostrophe, so a village or head-of-household
name typed as `=HYPERLINK(…)` opens as the text it is. Numbers, dates and empty cells pass as
they are (a negative number is a number, not text)."""
from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"  # every workbook we answer


def cell(value):
    """The value to write into a cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable) -> list:
    """A row of values to write."""
    return [cell(value) for value in values]


def sheet_title(text: str, fallback: str = "Sheet") -> str:
    """A worksheet name from any text (a village code): without the characters Excel forbids
    there, at most 31 characters, never empty."""
    return str(text).translate(SHEET_NAME_FORBIDDEN).strip("' ")[:31] or fallback
