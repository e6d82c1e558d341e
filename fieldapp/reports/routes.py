"""Reports: the printable campaign results report (Báo cáo kết quả) and its XLSX twin.

The /exports/… endpoints live in `reports.exports` (their own blueprint, registered with
this one so the URLs stay as the contract says). Reports are for commanders, admins, province
staff (their province's communes, `/reports/province` counted as their dashboard) and village
heads (their own village only); officers get 403; a campaign of another commune 404.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..auth import scoping
from ..auth.permissions import requires
from ..campaigns.services import current_campaign
from ..coverage import params, province, queries
from ..downloads.services import exportable
from ..extensions import reads_only
from ..timeutil import today_vn, utcnow
from . import campaign_report, documents, exports, sheets

bp = Blueprint("reports", __name__, url_prefix="/reports")
nav.add("reports.current", _l("Reports"), order=30)


@bp.record_once
def _register_exports(state) -> None:
    state.app.register_blueprint(exports.bp)


def _report(campaign_id: int):
    campaign = scoping.get_campaign(current_user, campaign_id)
    area = queries.area(current_user, campaign)
    rows = queries.with_verification(
        queries.report_rows(campaign.id, area, queries.whole_commune(current_user, campaign)), campaign.id, area)
    return campaign, rows, queries.total(rows)


def _topics(campaign) -> list[tuple[str, int, int]]:
    """(topic, visits that recorded it, households they reached) in the campaign's order,
    counting the visits in force as recorded."""
    counts = queries.topic_counts(campaign.id, queries.area(current_user, campaign))
    locale = str(get_locale())
    return [(t.label(locale), *counts.get(t.code, (0, 0))) for t in campaign.topics]


@bp.get("/campaign")
@reads_only
@requires("report")
def current():
    """The report of the current campaign (403 for officers and team members, 404 when there
    is none); for province staff the province's report counted as their dashboard counts it
    (each commune in its current campaign)."""
    if current_user.role == "province":
        return redirect(url_for(".province_report"))
    campaign = current_campaign(current_user)
    if campaign is None:
        abort(404)
    return redirect(url_for(".campaign", campaign_id=campaign.id))


def _document(campaign_id: int) -> campaign_report.Report:
    return campaign_report.build(current_user, scoping.get_campaign(current_user, campaign_id))


@bp.get("/campaigns/<int:campaign_id>")
@reads_only
@requires("report")
def campaign(campaign_id: int):
    """The results report under its Decree 30 letterhead: per village (households, warned in
    the period ?from=&to= and in all, revisit, not visited, people and youths reached,
    materials and commitments as recorded, standard and detailed visits; the topics as
    recorded) or, for province staff, per commune; totals. Print CSS gives an A4 landscape
    page. 403 for officers and team members; 404 for a campaign outside the caller's area;
    400 for a period that ends before it starts."""
    return _page(_document(campaign_id))


@bp.get("/campaigns/<int:campaign_id>.docx")
@reads_only
@requires("report")
def campaign_docx(campaign_id: int):
    """The same report as a Word document (.docx) in the Decree 30/2020 layout (403 / 404 /
    400 as the page)."""
    report = _document(campaign_id)
    return _docx(report, f"bao-cao-ket-qua-c{report.campaign.id}-{report.period.end:%Y%m%d}.docx")


def _province_report() -> campaign_report.Report:
    if current_user.role not in ("province", "admin"):
        abort(404)
    return campaign_report.of_province(current_user, province.scope(current_user))


@bp.get("/province")
@reads_only
@requires("report")
def province_report():
    """The province's summary counted as the province dashboard counts it: ?campaign=, else
    each commune in its current campaign (a column says which); one row per commune, the
    period ?from=&to= beside the cumulative figures, totals equal to the dashboard's. 404 for
    anyone but province staff and admins, for a campaign outside the province, or when no
    commune has a campaign; 400 for a bad period or parameter."""
    return _page(_province_report())


@bp.get("/province.docx")
@reads_only
@requires("report")
def province_docx():
    """The same summary as a Word document in the Decree 30/2020 layout (404 / 400 as the page)."""
    report = _province_report()
    return _docx(report, f"bao-cao-ket-qua-tinh-{report.period.end:%Y%m%d}.docx")


def _page(report: campaign_report.Report):
    topics = [] if report.province else _topics(report.campaign)
    return render_template("reports/campaign.html", report=report, campaign=report.campaign, rows=report.rows,
                           totals=report.totals, columns=report.columns, title=campaign_report.title(report),
                           paragraphs=campaign_report.paragraphs(report), today=today_vn(), generated=utcnow(),
                           topics=topics)


def _docx(report: campaign_report.Report, filename: str):
    body = documents.campaign_report(report.letterhead, _("Report"), campaign_report.title(report),
                                     campaign_report.paragraphs(report), campaign_report.grid(report),
                                     landscape=True)
    return exports.download(body, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            filename)


def _village_count(campaign_id: int) -> int:
    """How many villages the report of this campaign has for the caller (403 / 404 as the page)."""
    campaign = scoping.get_campaign(current_user, campaign_id)
    return exports.count(queries.area(current_user, campaign))


@bp.get("/campaigns/<int:campaign_id>.xlsx")
@reads_only
@requires("report")
@exportable(_village_count, exports.XLSX)
def campaign_xlsx(campaign_id: int):
    """The same table as the report page, as a workbook (403 / 404 as the page)."""
    campaign, rows, totals = _report(campaign_id)
    topics = [_("Topic"), _("Visits that recorded it"), _("Households reached")]
    body = sheets.to_xlsx(sheets.REPORT_COLUMNS, rows, totals, _("Results report"), exports.info_rows(campaign),
                          tables=[(_("Topics"), topics, [list(t) for t in _topics(campaign)])])
    return exports.download(body, exports.XLSX, f"bao-cao-ket-qua-c{campaign.id}.xlsx")
