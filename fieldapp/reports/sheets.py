"""Coverage and campaign-report tables as CSV (UTF-8 with BOM) and XLSX (openpyxl); every
cell goes through `reports.cells` (no text read as a formula).

One column list per table drives the CSV, the XLSX and the printed report, so they agree.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..coverage.queries import Coverage
from ..downloads.services import counted
from ..labels import STATUSES
from . import cells


@dataclass(frozen=True)
class Column:
    key: str  # CSV header (stable, for tools)
    label: object  # XLSX / page header (translated)
    value: Callable[[Coverage], object]
    width: int = 12
    percent: bool = False


def _village(attr):
    return lambda r: getattr(r.village, attr) if r.village else None


def _pct(ratio):
    return None if ratio is None else round(ratio * 100, 1)


COVERAGE_COLUMNS = [
    Column("village_code", _l("Village code"), _village("code"), 10),
    Column("village_name", _l("Village"), _village("name"), 24),
    Column("households", _l("Households"), lambda r: r.households),
    *(Column(status, STATUSES[status], lambda r, s=status: r.counts[s])
      for status in ("warned", "revisit", "not_visited", "excluded")),
    Column("coverage_pct", _l("Coverage (%)"), lambda r: r.coverage, 12, True),
    Column("youth_households", _l("Households with youths"), lambda r: r.youth_households, 14),
    Column("youth_warned", _l("Youth households warned"), lambda r: r.youth["warned"], 14),
    Column("youth_coverage_pct", _l("Youth coverage (%)"), lambda r: r.youth_coverage, 14, True),
]

VERIFIED_COLUMNS = [
    Column("verified_coverage_pct", _l("Verified coverage (%)"), lambda r: r.verified_coverage, 14, True),
    Column("verified_sample", _l("Verification sample"),
           lambda r: r.verification.sample if r.verification else None, 12),
]


def coverage_columns(rows: list[Coverage]) -> list[Column]:
    """The coverage table's columns; the verified ones once the area has a verification sample."""
    return COVERAGE_COLUMNS + (VERIFIED_COLUMNS if any(r.verification for r in rows) else [])


def _material(code: str):
    return lambda r: r.materials.get(code, 0)


# Materials as the visits recorded them; "leaflets" keeps its key for tools that read it.
MATERIAL_COLUMNS = [
    Column("leaflets", _l("Leaflets handed out"), _material("leaflet"), 13),
    Column("handbooks", _l("Handbooks handed out"), _material("handbook"), 13),
    Column("qr_fanpage", _l("QR codes handed out"), _material("qr_fanpage"), 13),
    Column("hotline_stickers", _l("Hotline stickers put up"), _material("hotline_sticker"), 13),
]

REPORT_COLUMNS = [
    *COVERAGE_COLUMNS[:6],
    Column("people_reached", _l("People reached"), lambda r: r.people_reached, 13),
    Column("youth_reached", _l("Youths reached"), lambda r: r.youth_reached, 13),
    *MATERIAL_COLUMNS,
    Column("commitments", _l("Commitments signed"), lambda r: r.commitments, 13),
    Column("visits_standard", _l("Visits: standard package"), lambda r: r.standard_visits, 13),
    Column("visits_detailed", _l("Visits: detailed"), lambda r: r.detailed_visits, 13),
    COVERAGE_COLUMNS[7],
    *VERIFIED_COLUMNS,
]


def to_csv(columns: list[Column], rows: list[Coverage]) -> bytes:
    """One row per village, header of stable keys; percentages as 12.3; UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cells.row(c.key for c in columns))
    for row in counted(rows, len(rows)):
        writer.writerow(cells.row("" if (v := c.value(row)) is None else _pct(v) if c.percent else v for c in columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(columns: list[Column], rows: list[Coverage], totals: Coverage, title: str,
            info: list[tuple[str, str]], tables: list[tuple[str, list[str], list[list]]] = ()) -> bytes:
    """Header row, one row per village, a bold totals row; numbers as numbers, percentages
    formatted 0.0%; a sheet per extra table (title, header, rows); a last sheet with the
    campaign, period and who exported it."""
    book = Workbook()
    sheet = book.active
    sheet.title = cells.sheet_title(title)
    sheet.append(cells.row(str(c.label) for c in columns))
    for row in counted(rows, len(rows)):
        sheet.append(cells.row(c.value(row) for c in columns))
    sheet.append(cells.row(str(_l("Total")) if c.key == "village_code" else None if c.key == "village_name"
                           else c.value(totals) for c in columns))
    _style(sheet, columns, len(rows))
    for name, header, body in tables:
        extra = book.create_sheet(name[:31])
        extra.append(header)
        for cell in extra[1]:
            cell.font = Font(bold=True)
        for line in body:
            extra.append(line)
        extra.column_dimensions["A"].width = 60
    meta = book.create_sheet(str(_l("Information"))[:31])
    for pair in info:
        meta.append(cells.row(pair))
    meta.column_dimensions["A"].width, meta.column_dimensions["B"].width = 22, 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _style(sheet, columns: list[Column], n_rows: int) -> None:
    head = PatternFill("solid", fgColor="0D3B66")
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), head
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[n_rows + 2]:
        cell.font = Font(bold=True)
    for i, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
        if column.percent:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "0.0%"
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 32
