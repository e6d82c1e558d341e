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
from ..i18n import number
from ..labels import STATUSES
from . import cells


@dataclass(frozen=True)
class Column:
    key: str  # CSV header (stable, for tools)
    label: object  # XLSX / page header (translated)
    value: Callable[[Coverage], object]
    width: int = 12
    percent: bool = False
    text: bool = False  # a name or code, left-aligned before the figures


def _village(attr):
    return lambda r: getattr(r.village, attr) if r.village else None


def _pct(ratio):
    return None if ratio is None else round(ratio * 100, 1)


COVERAGE_COLUMNS = [
    Column("village_code", _l("Village code"), _village("code"), 10, text=True),
    Column("village_name", _l("Village"), _village("name"), 24, text=True),
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

TEXT_KEYS = ("village_code", "village_name")

def _material(code: str):
    return lambda r: r.materials.get(code, 0)


# Materials as the visits recorded them; "leaflets" keeps its key for tools that read it.
MATERIAL_COLUMNS = [
    Column("leaflets", _l("Leaflets handed out"), _material("leaflet"), 13),
    Column("handbooks", _l("Handbooks handed out"), _material("handbook"), 13),
    Column("qr_fanpage", _l("QR codes handed out"), _material("qr_fanpage"), 13),
    Column("hotline_stickers", _l("Hotline stickers put up"), _material("hotline_sticker"), 13),
]


def _commune(attr):
    return lambda r: getattr(r.commune, attr) if r.commune else None


# The province's machine export: its header names are a contract (design.md, /exports/communes.csv).
COMMUNE_COLUMNS = [
    Column("commune_code", _l("Commune code"), _commune("code"), 10, text=True),
    Column("commune_name", _l("Commune"), _commune("name"), 26, text=True),
    *COVERAGE_COLUMNS[2:8],
]
YOUTH_COLUMNS = COVERAGE_COLUMNS[8:]


def commune_columns(rows: list[Coverage], people: bool = False) -> list[Column]:
    """The communes table: verified coverage once any commune has a verification sample;
    the youth columns in the people's workbook."""
    columns = list(COMMUNE_COLUMNS)
    if any(r.verification for r in rows):
        columns += VERIFIED_COLUMNS
    return columns + (YOUTH_COLUMNS if people else [])


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


IN_PERIOD = Column("in_period", _l("Warned in the period"), lambda r: r.in_period, 12)
# The report documents (.docx and the printed page): the period's figure beside the cumulative ones.
VILLAGE_REPORT_COLUMNS = [*COVERAGE_COLUMNS[:3], IN_PERIOD, *REPORT_COLUMNS[3:-len(VERIFIED_COLUMNS)]]
COMMUNE_REPORT_COLUMNS = [*COMMUNE_COLUMNS[:3], IN_PERIOD, *COMMUNE_COLUMNS[3:], *YOUTH_COLUMNS[:2]]


# The campaign a commune is counted in, when the province's communes run different ones.
CAMPAIGN = Column("campaign", _l("Campaign"), lambda r: r.campaign.name if r.campaign else None, 24, text=True)


def report_columns(rows: list[Coverage], province: bool, each: bool = False) -> list[Column]:
    """The report documents' table: per commune (with its campaign when `each` commune is
    counted in its own) or per village, the verified coverage once the area has a
    verification sample."""
    columns = COMMUNE_REPORT_COLUMNS if province else VILLAGE_REPORT_COLUMNS
    if each:
        columns = [*columns[:2], CAMPAIGN, *columns[2:]]
    return columns + (VERIFIED_COLUMNS if any(r.verification for r in rows) else [])


def to_csv(columns: list[Column], rows: list[Coverage]) -> bytes:
    """One row per village, header of stable keys; percentages as 12.3; UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cells.row(c.key for c in columns))
    for row in counted(rows, len(rows)):
        writer.writerow(cells.row("" if (v := c.value(row)) is None else _pct(v) if c.percent else v for c in columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_csv_vi(columns: list[Column], rows: list[Coverage], totals: Coverage) -> bytes:
    """The same table for people opening it in Excel set to Vietnamese: the headers they
    read, numbers as 1.234 and 85,3, ';' between fields (the Vietnamese list separator), a
    totals row; UTF-8 with BOM, every text cell through `cells` (no formulas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(cells.row(str(c.label) for c in columns))
    for row in [*rows, totals]:
        writer.writerow(cells.row(_vi(c, row) for c in columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _vi(column: Column, row: Coverage) -> str:
    if row.village is None and column.key in ("village_code", "village_name"):
        return str(_l("Total")) if column.key == "village_code" else ""
    value = column.value(row)
    if value is None:
        return ""
    if column.percent:
        return number(value * 100, 1)
    return number(value) if isinstance(value, int) else str(value)


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
    sheet.append(cells.row(str(_l("Total")) if i == 0 else None if i == 1 else c.value(totals)
                           for i, c in enumerate(columns)))
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
        # Excel shows these with the reader's own separators (1.234 and 85,3% in Vietnamese).
        number_format = "0.0%" if column.percent else "#,##0" if column.key not in TEXT_KEYS else None
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = number_format
    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 32
