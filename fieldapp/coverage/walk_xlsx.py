"""The walk list as a workbook, to send to the team (Zalo): the same rows in the same
walking order as the printed page, with empty columns to tick."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..reports import cells

XLSX = cells.XLSX
WIDTHS = (14, 10, 26, 30, 14, 12, 12, 24)


def walk_workbook(village, groups, labels: dict, personal: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = cells.sheet_title(village.code, _("Walk list"))
    sheet.append(cells.row([_("Walk list") + f" · {village.code} {village.name}"]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Alley"), _("House no."), _("Head of household"), _("Address"), _("Status"),
                  _("Warned"), _("Nobody home"), _("Note")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for alley, rows in groups:
        for h, status, *_rest in rows:
            sheet.append(cells.row([alley or _("No alley"), h.code, h.head_name if personal else "",
                                    h.address if personal else "", labels[status], "", "", ""]))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
