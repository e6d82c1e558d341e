"""Reports: the printable campaign results report (Báo cáo kết quả) and its XLSX twin.

The /exports/… endpoints live in `reports.exports` (their own blueprint, registered with
this one so the URLs stay as the contract says). Reports are for commanders, admins and
village heads (their own village only); officers get 403; a campaign of another commune 404.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..auth import scoping
from ..auth.permissions import requires
from ..campaigns.services import current_campaign
from ..coverage import params, queries
from ..downloads.services import exportable
from ..extensions import reads_only
from ..timeutil import today_vn, utcnow
from . import exports, sheets

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
    is none)."""
    campaign = current_campaign(current_user)
    if campaign is None:
        abort(404)
    return redirect(url_for(".campaign", campaign_id=campaign.id))


@bp.get("/campaigns/<int:campaign_id>")
@reads_only
@requires("report")
def campaign(campaign_id: int):
    """Per village: households, warned, revisit, not visited, people and youths reached,
    materials and commitments as recorded, standard and detailed visits; the topics as
    recorded; totals and the period. Print CSS gives an A4 landscape page.
    403 for officers and team members; 404 for a campaign outside the caller's commune."""
    campaign, rows, totals = _report(campaign_id)
    commune = rows[0].village.commune if rows else None
    return render_template("reports/campaign.html", campaign=campaign, rows=rows, totals=totals,
                           columns=sheets.REPORT_COLUMNS, commune=commune, today=today_vn(),
                           generated=utcnow(), topics=_topics(campaign))


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
