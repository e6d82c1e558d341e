"""Word documents (.docx, python-docx) in the layout of Decree 30/2020/NĐ-CP: A4, Times New
Roman, the letterhead table (parent and issuing body, number; national name, motto, place and
date), the title, the body, then "Nơi nhận" beside the signer's title and name.

Reusable by any report: `new_document()`, `add_letterhead()`, `add_title()`, `add_paragraph()`,
`add_table()`, `add_signature()`, `to_bytes()`; `campaign_report()` puts them together.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from docx import Document
from docx.api import _default_docx_path
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Mm, Pt
from lxml import etree

from .letterhead import MOTTO, NATIONAL_NAME, RECIPIENTS, Letterhead

FONT = "Times New Roman"
CENTER, RIGHT, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY


@dataclass
class Grid:
    """A table: header labels, rows of text, a totals row (or none); columns from `numeric_from`
    on are right-aligned numbers (None: all text); `widths` in cm per column (None: even)."""

    headers: list[str]
    rows: list[list[str]]
    total: list[str] | None = None
    numeric_from: int | None = 1
    widths: list[float] | None = None


@cache
def _template() -> bytes:
    """python-docx's empty document, read from disk once."""
    with open(_default_docx_path(), "rb") as file:
        return file.read()


def new_document(landscape: bool = False):
    """An empty A4 document with the Decree's margins (top/bottom 20 mm, left 30, right 15) and
    Times New Roman 13 pt."""
    document = Document(io.BytesIO(_template()))
    section = document.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(13)
    normal.paragraph_format.space_after = Pt(0)
    return document


def _line(cell_or_doc, text: str, size: float = 13, bold=False, italic=False, align=CENTER, upper=False):
    paragraph = cell_or_doc.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text.upper() if upper else text)
    run.font.size, run.bold, run.italic, run.font.name = Pt(size), bold, italic, FONT
    return paragraph


def _fresh(cell):
    """A table cell's first paragraph removed, so `_line` starts at the top."""
    cell._tc.remove(cell.paragraphs[0]._p)
    return cell


def _two_columns(document, left: float, right: float):
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, width in zip(table.rows[0].cells, (left, right)):
        cell.width = Cm(width)
    return [_fresh(cell) for cell in table.rows[0].cells]


def add_letterhead(document, letterhead: Letterhead) -> None:
    """Left: parent body, issuing body (bold), a rule, the number. Right: the national name,
    the motto (bold, ruled beneath), place and date (italic)."""
    left, right = _two_columns(document, 6.5, 9.5)
    if letterhead.parent:
        _line(left, letterhead.parent, 12)
    _line(left, letterhead.issuer, 12, bold=True)
    _line(left, "―――――", 12)
    _line(left, letterhead.number, 13)
    _line(right, NATIONAL_NAME, 12, bold=True)
    _line(right, MOTTO, 13, bold=True)
    _line(right, "―――――――――――――", 12)
    _line(right, letterhead.place_date, 13, italic=True)


def add_title(document, title: str, subtitle: str = "") -> None:
    _line(document, "", 13)
    _line(document, title, 14, bold=True, upper=True)
    if subtitle:
        _line(document, subtitle, 14, bold=True)
    _line(document, "", 13)


def add_paragraph(document, text: str, bold: bool = False) -> None:
    paragraph = _line(document, text, 13, bold=bold, align=JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(6)


def _cell_styles(document, size: float) -> dict[str, str]:
    """Paragraph styles of table cells (`size` pt): text, numbers (right), header and totals
    (bold, centred / right), by style id; made once per document and size. Styles, not per-run
    formatting: a province's table has a thousand cells."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = {}
    for name, align, bold in (("text", None, False), ("number", RIGHT, False), ("head", CENTER, True),
                              ("total", RIGHT, True), ("total text", None, True)):
        style_name = f"Figures {name} {size:g}"
        if style_name not in document.styles:
            style = document.styles.add_style(style_name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.font.size, style.font.bold = Pt(size), bold
            style.paragraph_format.alignment = align
        styles[name] = document.styles[style_name].style_id
    return styles


def add_table(document, grid: Grid, size: float = 11) -> None:
    """A ruled table, header and totals in bold, 11 pt so a province's columns fit. The rows
    are written as one piece of XML and parsed once: python-docx's cell by cell calls
    (`add_run`, `style = …`) search the element's children on every call, most of a
    report's time."""
    styles = _cell_styles(document, size)
    table = document.add_table(rows=1, cols=len(grid.headers))
    table.style = "Table Grid"
    first = table.rows[0]._tr
    if grid.widths:
        widths = [f'<w:tcPr><w:tcW w:w="{Cm(cm).twips}" w:type="dxa"/></w:tcPr>' for cm in grid.widths]
    else:
        widths = [etree.tostring(tc.tcPr).decode() if tc.tcPr is not None else "" for tc in first.tc_lst]
    numeric_from = len(grid.headers) if grid.numeric_from is None else grid.numeric_from
    last = len(grid.rows) + 1
    rows = []
    for r, values in enumerate([grid.headers, *grid.rows, *([grid.total] if grid.total else [])]):
        cells = []
        for c, (width, value) in enumerate(zip(widths, values)):
            number = c >= numeric_from
            kind = "head" if r == 0 else ("total" if number else "total text") if r == last else \
                "number" if number else "text"
            cells.append(_cell_xml(width, styles[kind], value))
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    for tr in list(parsed):
        first.addprevious(tr)
    first.getparent().remove(first)


def _cell_xml(properties: str, style_id: str, text: str) -> str:
    run = f'<w:r><w:t xml:space="preserve">{escape(str(text))}</w:t></w:r>' if text else ""
    return f'<w:tc>{properties}<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{run}</w:p></w:tc>'


def add_signature(document, letterhead: Letterhead) -> None:
    """Left: "Nơi nhận:" and the recipients; right: the signer's title, room to sign, the name."""
    _line(document, "", 13)
    left, right = _two_columns(document, 7.5, 8.5)
    _line(left, RECIPIENTS, 12, bold=True, italic=True, align=None)
    for recipient in letterhead.recipients:
        _line(left, f"- {recipient}", 11, align=None)
    _line(right, letterhead.signer_title, 13, bold=True)
    for _ in range(3):
        _line(right, "", 13)
    _line(right, letterhead.signer_name, 13, bold=True)


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def campaign_report(letterhead: Letterhead, title: str, subtitle: str, paragraphs: list[str], grid: Grid,
                    landscape: bool = False) -> bytes:
    """The whole report: letterhead, title, paragraphs, the figures table, recipients and signer."""
    document = new_document(landscape)
    add_letterhead(document, letterhead)
    add_title(document, title, subtitle)
    for text in paragraphs:
        add_paragraph(document, text)
    add_table(document, grid)
    add_signature(document, letterhead)
    return to_bytes(document)
