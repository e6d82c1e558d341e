"""The incident list as an Excel workbook, one row per incident with its verdict."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..downloads.services import counted
from ..i18n import vn_datetime
from ..labels import INCIDENT_KINDS, VERDICTS
from ..reports import cells
from .wording import headline, people

XLSX = cells.XLSX


def _headers() -> list[str]:
    return [_("Date"), _("Village"), _("House no."), _("Head of household"), _("Kind"), _("Loss (VND)"),
            _("Verdict"), _("Conclusion"), _("Warned at"), _("Warned by"), _("Topics"), _("Youths reached"),
            _("Attempts"), _("Responsible that day"), _("Note"), _("Visit id"), _("Correction")]

WIDTHS = (12, 22, 10, 24, 22, 14, 22, 50, 17, 26, 8, 10, 10, 30, 40, 38, 40)


def _correction(visit) -> str:
    """"Đính chính 12/11/2025 09:15 bởi cskv1: lý do" for a corrected record in force."""
    if visit is None or visit.supersedes_id is None:
        return ""
    return _("Corrected on %(when)s by %(user)s: %(reason)s", when=vn_datetime(visit.received_at),
             user=visit.user.username, reason=visit.reason or "")


def _row(incident, verdict) -> list:
    household = incident.household
    warned = verdict.warned_visits[0] if verdict.warned_visits else None
    return [
        incident.occurred_on, f"{household.village.code} {household.village.name}", household.code,
        household.head_name, INCIDENT_KINDS.label(incident.kind), incident.loss_vnd,
        VERDICTS.label(verdict.status), headline(verdict, incident.occurred_on),
        vn_datetime(warned.recorded_at) if warned else "",
        people(warned.people) if warned else "",
        len(warned.topics) if warned else "", warned.youth_reached if warned else "",
        len(verdict.attempts), people(a.user for a in verdict.responsible), incident.note,
        str(warned.id) if warned else "", _correction(warned),
    ]


def incidents_workbook(rows) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Incidents")[:31]
    sheet.append(cells.row(_headers()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for incident, verdict in counted(rows, len(rows)):
        sheet.append(cells.row(_row(incident, verdict)))  # names and notes are text, never formulas
    for row in sheet.iter_rows(min_row=2, max_col=6):
        row[0].number_format, row[5].number_format = "DD/MM/YYYY", "#,##0"
    for index, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out
