"""Word documents (.docx, python-docx) of the incident verdict and the incident list, in
the layout of Decree 30/2020/NĐ-CP: A4, Times New Roman 13, the letterhead (issuing body;
national name and motto, place and date), title, body, table, then the signer.

The names mirror the report module the `province` lane is writing (`reports.documents`:
`new_document`, `add_letterhead`, `add_title`, `add_paragraph`, `add_table`, `add_signature`,
`to_bytes`, and a `Letterhead`): once it is on main, this module keeps only `verdict_docx` and
`list_docx` and imports the rest from there.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"  # fixed legal wording, never translated
MOTTO = "Độc lập - Tự do - Hạnh phúc"
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY


@dataclass
class Letterhead:
    parent: str  # cơ quan chủ quản, upper case
    issuer: str  # cơ quan ban hành, upper case
    place: str
    on: date
    signer_title: str
    signer_name: str
    recipients: list[str] = field(default_factory=list)

    @property
    def place_date(self) -> str:
        return f"{self.place}, ngày {self.on.day:02d} tháng {self.on.month:02d} năm {self.on.year}"


@dataclass
class Grid:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # cm


def new_document(landscape: bool = False):
    """A4 with the Decree's margins (20 mm top and bottom, 30 left, 15 right), 13 pt."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    normal.paragraph_format.space_after = Pt(0)
    return document


def _line(parent, text: str, size: float = 13, bold=False, italic=False, align=CENTER):
    paragraph = parent.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size, run.bold, run.italic, run.font.name = Pt(size), bold, italic, FONT
    return paragraph


def _columns(document, widths: tuple[float, float]):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = table.rows[0].cells
    for cell, width in zip(cells, widths):
        cell.width = Cm(width)
        cell._tc.remove(cell.paragraphs[0]._p)
    return cells


def add_letterhead(document, letterhead: Letterhead) -> None:
    left, right = _columns(document, (6.5, 9.5))
    if letterhead.parent:
        _line(left, letterhead.parent, 12)
    _line(left, letterhead.issuer, 12, bold=True)
    _line(left, "―――――", 12)
    _line(right, NATIONAL_NAME, 12, bold=True)
    _line(right, MOTTO, 13, bold=True)
    _line(right, "―――――――――――――", 12)
    _line(right, letterhead.place_date, 13, italic=True)


def add_title(document, title: str, subtitle: str = "") -> None:
    _line(document, "")
    _line(document, title.upper(), 14, bold=True)
    if subtitle:
        _line(document, subtitle, 14, bold=True)
    _line(document, "")


def add_paragraph(document, text: str, bold: bool = False) -> None:
    paragraph = _line(document, text, 13, bold=bold, align=JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(6)


def add_table(document, grid: Grid, size: float = 11) -> None:
    """A ruled table, the header row bold."""
    table = document.add_table(rows=len(grid.rows) + 1, cols=len(grid.headers))
    table.style = "Table Grid"
    for r, values in enumerate([grid.headers, *grid.rows]):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            run = cells[c].paragraphs[0].add_run(str(value))
            run.font.size, run.bold = Pt(size), r == 0
            if grid.widths:
                cells[c].width = Cm(grid.widths[c])


def add_signature(document, letterhead: Letterhead) -> None:
    _line(document, "")
    left, right = _columns(document, (7.5, 8.5))
    _line(left, "Nơi nhận:", 12, bold=True, italic=True, align=None)
    for recipient in letterhead.recipients:
        _line(left, f"- {recipient}", 11, align=None)
    _line(right, letterhead.signer_title, 13, bold=True)
    for _ in range(3):
        _line(right, "")
    _line(right, letterhead.signer_name, 13, bold=True)


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
