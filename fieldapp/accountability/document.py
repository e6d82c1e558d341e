"""Word documents (.docx, python-docx) of the incident verdict and the incident list. The
Decree 30/2020 layout (A4, letterhead, title, body, signer) is the reports' one
(`reports.documents`, `reports.letterhead`); only the record's table is drawn here, with
widths set per column, as a visit trail of text needs them.
"""
from __future__ import annotations

from dataclasses import dataclass

from docx.shared import Cm, Pt

from ..reports.documents import (add_letterhead, add_paragraph, add_signature, add_title,  # noqa: F401
                                 new_document, to_bytes)
from ..reports.letterhead import Letterhead  # noqa: F401


@dataclass
class Grid:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # cm


def add_table(document, grid: Grid, size: float = 11) -> None:
    """A ruled table of text, the header row bold."""
    table = document.add_table(rows=len(grid.rows) + 1, cols=len(grid.headers))
    table.style = "Table Grid"
    for r, values in enumerate([grid.headers, *grid.rows]):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            run = cells[c].paragraphs[0].add_run(str(value))
            run.font.size, run.bold = Pt(size), r == 0
            if grid.widths:
                cells[c].width = Cm(grid.widths[c])
