"""Coverage pages: the dashboard of the caller's area, one village's households by status,
the printable walk list, the map, and the village head's review.

Who sees what (all through `auth.scoping`): commanders the commune, village heads their
village, officers the villages assigned to them today, admins everything. A village outside
the area answers 404; malformed query parameters 400 with a message; an unknown campaign 404.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..accountability import audit
from ..accountability.models import VillageReview
from ..auth import scoping
from ..auth.permissions import can, requires
from ..auth.models import User
from ..campaigns.models import Campaign
from ..downloads.services import exportable
from ..extensions import db, reads_only, writing
from ..changes.queries import recent_changes
from ..text import nfc, strip_controls
from ..households.models import Household
from ..proof import verification
from ..proof.forms import VerifyForm
from ..labels import row_labels
from ..reports.exports import download
from ..tiles.services import base_map, refusal as tiles_refusal
from ..timeutil import today_vn
from . import activity as activity_of, chart, goals, params, province, queries, summaries, walk
from .walk_xlsx import XLSX, walk_workbook

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
nav.add("coverage.dashboard", _l("Coverage"), order=20)
nav.add("coverage.map_page", _l("Map"), order=25)

REVIEW_NOTE_MAX = 500
SORTS = tuple(k for key in queries.SORT_KEYS for k in (key, "-" + key))


@bp.get("/")
@reads_only
@requires("view_area")
def dashboard():
    """Totals, who is behind ("Ai đang chậm": idle officers and those answering for villages
    under their expected coverage, ?target= percent by default, ?idle= days), the villages
    (sortable with ?sort=, with who answers for each) and warned per day. 400 for malformed
    parameters, 404 for an unknown campaign. Province staff get the province dashboard
    (`coverage.province`)."""
    if current_user.role == "province":
        return province.dashboard()
    campaign = params.campaign_arg(current_user)
    sort = params.choice_arg("sort", SORTS, "code")
    target = params.int_arg("target", current_app.config.get("COVERAGE_TARGET_PCT", 80), 0, 100)
    idle_days = params.int_arg("idle", 3, 1, 365)
    area = queries.area(current_user, campaign)
    # The figures are sums: the summary rows give them in a few small queries, whatever the
    # number of households (`tests/coverage/test_dashboard.py` checks them against a recount).
    rows = queries.with_verification(summaries.village_coverage(campaign.id if campaign else None, area),
                                     campaign.id if campaign else None, area)
    choices = db.session.scalars(scoping.campaigns(current_user).order_by(Campaign.starts_on.desc())).all()
    context = dict(campaign=campaign, rows=queries.sort_rows(rows, sort), sort=sort, target=target,
                   campaigns=choices, may_report=can(current_user, "report"), idle_days=idle_days,
                   totals=queries.total(rows), behind=[], chart=None, idle=None, on=None, reviews={},
                   goals={}, who={}, laggards=None)
    if campaign is not None:
        context.update(_progress(campaign, area, rows, target, idle_days))
    return render_template("coverage/dashboard.html", **context)


def _progress(campaign: Campaign, area, rows, target: int, idle_days: int) -> dict:
    """The dashboard's parts that need a campaign: the chart, the reviews, each village's goal
    and who answers for it, and for those who oversee officers, their activity and laggards."""
    counts = summaries.warned_by_day(campaign.id, area)
    on = queries.reference_day(campaign, today_vn(), max(counts, default=None))
    own = goals.goals(campaign, area, target)
    late = goals.behind(rows, campaign, on, own, target)
    who = goals.responsible(area, on)
    # The chart spans the whole campaign; its running total stops at the reference day.
    series = queries.day_series(counts, campaign.starts_on, max(campaign.ends_on, on))
    context = dict(on=on, chart=chart.build(series, until=on),
                   reviews=queries.last_reviews(campaign.id, area), behind=late, who=who,
                   goals={r.village.id: goals.goal_of(r.village.id, own, campaign, target) for r in rows})
    if can(current_user, "see_activity"):
        officers = sorted({u for users in who.values() for u in users}, key=lambda u: u.username)
        activity = activity_of.officer_activity(campaign, area, on, officers)
        context.update(activity=activity, idle=activity_of.idle(activity, on, idle_days),
                       laggards=goals.laggards(rows, late, who, activity, on, idle_days))
    return context


def _village_context(village_id: int):
    village = scoping.get_village(current_user, village_id)
    campaign = params.campaign_arg(current_user, commune_id=village.commune_id)
    status = params.status_arg()
    return campaign, village, status


@bp.get("/villages/<int:village_id>")
@reads_only
@requires("view_area")
def village(village_id: int):
    """Counts by status and the households, filtered by ?status=; 404 outside the area."""
    campaign, village, status = _village_context(village_id)
    every = queries.household_rows(campaign.id if campaign else None, village.id)
    figures = queries.Coverage.of_households(village, every)
    rows = [r for r in every if r[1] == status] if status else every
    sample = []
    if campaign is not None:
        queries.with_verification([figures], campaign.id, sa.select(sa.literal(village.id)))
        if can(current_user, "verify"):  # the commander and the village head check the sample
            sample = db.session.scalars(verification.items(current_user, campaign.id, village.id)).all()
    return render_template("coverage/village.html", campaign=campaign, village=village, status=status,
                           figures=figures, rows=rows, review=_last_review(village, campaign), sample=sample,
                           verify_form=VerifyForm(formdata=None) if sample else None,
                           may_review=can(current_user, "review_village") and campaign is not None,
                           personal=can(current_user, "see_personal"),
                           changes=recent_changes(village.id) if can(current_user, "report_changes") else [])


def _last_review(village, campaign):
    """(VillageReview, User) of the latest review of the village in the campaign, or None."""
    if campaign is None:
        return None
    return db.session.execute(
        sa.select(VillageReview, User).join(User, User.id == VillageReview.user_id)
        .where(VillageReview.village_id == village.id, VillageReview.campaign_id == campaign.id)
        .order_by(VillageReview.reviewed_at.desc(), VillageReview.id.desc()).limit(1)).first()


def _walk_rows(village_id: int):
    campaign, village, status = _village_context(village_id)
    rows = queries.household_rows(campaign.id if campaign else None, village.id, status)
    if not status:
        rows = [r for r in rows if r[1] in ("not_visited", "revisit")]
    return campaign, village, status, rows


def _audit_walk(village, campaign, rows, personal: bool, kind: str) -> None:
    if personal:  # a printed or shared list of names leaves the system: log it like an export
        with writing():  # the reads held no lock; the audit event takes it briefly
            audit.record("export", "village", village.id, format=kind, rows=len(rows),
                         campaign=campaign.id if campaign else None)


@bp.get("/villages/<int:village_id>/walk")
@reads_only
@requires("view_area")
def walk_list(village_id: int):
    """A printable walk list (A4) in alley order: the households still to warn, or ?status=."""
    campaign, village, status, rows = _walk_rows(village_id)
    personal = can(current_user, "see_personal")
    page = render_template("coverage/walk.html", campaign=campaign, village=village, status=status,
                           groups=walk.in_walk_order(rows), count=len(rows),
                           personal=personal, today=today_vn())
    _audit_walk(village, campaign, rows, personal, "walk_list")
    return page


def _walk_size(village_id: int) -> int:
    """How many households the village has at most (404 outside the area, 400 as the page)."""
    _campaign, village, _status = _village_context(village_id)
    return db.session.scalar(sa.select(sa.func.count()).where(Household.village_id == village.id))


@bp.get("/villages/<int:village_id>/walk.xlsx")
@reads_only
@requires("view_area")
@exportable(_walk_size, XLSX)
def walk_xlsx(village_id: int):
    """The walk list as a workbook, to share with the team (404 as the page)."""
    campaign, village, status, rows = _walk_rows(village_id)
    personal = can(current_user, "see_personal")
    body = walk_workbook(village, walk.in_walk_order(rows), row_labels(), personal)
    _audit_walk(village, campaign, rows, personal, "walk_list_xlsx")
    return download(body, XLSX, f"danh-sach-di-{village.code}.xlsx")


@bp.post("/villages/<int:village_id>/review")
@requires("review_village")
def review(village_id: int):
    """The village head states they reviewed the village's coverage (date-stamped), with an
    optional comment (at most 500 characters, else 422). 403 for other roles; 404 outside
    the area; 409 without a campaign."""
    village = scoping.get_village(current_user, village_id)
    campaign = params.campaign_arg(current_user)
    if campaign is None:
        abort(409, description=_("There is no campaign to review."))
    note = nfc(strip_controls(request.form.get("note", ""), keep_newlines=True) or "")
    if len(note) > REVIEW_NOTE_MAX:
        abort(422, description=_("The comment has at most %(n)s characters.", n=REVIEW_NOTE_MAX))
    db.session.add(VillageReview(village_id=village.id, campaign_id=campaign.id, user_id=current_user.id, note=note))
    audit.record("village_review", "village", village.id, campaign=campaign.id, note=note)
    db.session.commit()
    flash(_("Marked as reviewed."), "success")
    return redirect(url_for(".village", village_id=village.id, campaign=campaign.id))


@bp.get("/map")
@reads_only
@requires("view_area")
def map_page():
    """Households coloured by status and villages with their coverage (?village= one village).
    Data comes from the GeoJSON exports, scoped the same way. 404 for a village outside the area."""
    campaign = params.campaign_arg(current_user)
    village = params.village_arg(current_user)
    q = {"campaign": campaign.id if campaign else None, "village": village.id if village else None}
    return render_template("coverage/map.html", campaign=campaign, village=village,
                           q={k: v for k, v in q.items() if v is not None},
                           base_map=base_map(), tiles_refused=tiles_refusal())


@bp.get("/communes/<int:commune_id>")
@reads_only
@requires("view_area")
def commune(commune_id: int):
    """One commune's villages with their figures (no households listed), from the summary
    rows. 404 for a commune outside the caller's area (another province's)."""
    return province.commune_page(commune_id)
