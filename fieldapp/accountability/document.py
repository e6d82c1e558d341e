"""Word documents (.docx, python-docx) of the incident verdict and the incident list. The
Decree 30/2020 layout (A4, letterhead, title, body, table, signer) is the reports' one
(`reports.documents`, `reports.letterhead`); the record's tables are text with widths set per
column, as a visit trail needs them (`text_grid`).
"""
from __future__ import annotations

from ..reports.documents import (Grid, add_letterhead, add_paragraph, add_signature, add_table,  # noqa: F401
                                 add_title, new_document, to_bytes)
from ..reports.letterhead import Letterhead  # noqa: F401


def text_grid(headers: list[str], rows: list[list[str]], widths: list[float]) -> Grid:
    """A table of text only (no totals row), `widths` in cm per column."""
    return Grid(headers, rows, numeric_from=None, widths=widths)
