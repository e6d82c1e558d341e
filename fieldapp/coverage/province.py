"""The province dashboard (PA05) and the drill-down into one commune, read from the summary
rows (`coverage.summaries`): a few small queries for a province of a million households.
Figures only: no resident's name, address or phone is on these pages.

/coverage/ is this dashboard for a province user, /coverage/communes/<id> one commune (views in
`coverage.routes`); the commune page answers province staff (their province's communes), commanders (their commune) and admins;
a commune outside the caller's area is 404, malformed parameters 400.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import can
from ..campaigns.models import Campaign
from ..extensions import db
from ..register.models import Village
from ..timeutil import today_vn
from . import chart, params, queries, summaries

COMMUNE_SORTS = {
    "code": lambda r: r.commune.code,
    "name": lambda r: r.commune.name,
    "households": lambda r: r.households,
    "not_visited": lambda r: r.counts["not_visited"],
    "coverage": lambda r: (r.coverage is not None, r.coverage or 0),
    "verified": lambda r: (r.verified_coverage is not None, r.verified_coverage or 0),
    "youth_coverage": lambda r: (r.youth_coverage is not None, r.youth_coverage or 0),
}
SORTS = tuple(k for key in COMMUNE_SORTS for k in (key, "-" + key))


def _sorted(rows, sort: str):
    key = COMMUNE_SORTS[sort.lstrip("-")]
    return sorted(rows, key=lambda r: (key(r), r.commune.code), reverse=sort.startswith("-"))


def _target() -> int:
    return params.int_arg("target", current_app.config.get("COVERAGE_TARGET_PCT", 80), 0, 100)


def _trend(campaign, area):
    counts = summaries.warned_by_day(campaign.id, area)
    on = queries.reference_day(campaign, today_vn(), max(counts, default=None))
    return on, chart.build(queries.day_series(counts, campaign.starts_on, on))


def dashboard():
    """Communes ranked by coverage (?sort=, default best first), the province's totals, the
    communes behind the target (?target= percent), households warned per day, households
    with youths. 400 for malformed parameters, 404 for a campaign outside the province."""
    campaign = params.campaign_arg(current_user)
    sort, target = params.choice_arg("sort", SORTS, "-coverage"), _target()
    area = queries.area(current_user, campaign)
    campaign_id = campaign.id if campaign else None
    rows = summaries.with_commune_verification(summaries.commune_coverage(campaign_id, area), campaign_id, area)
    late = sorted((r for r in rows if r.base and (r.coverage or 0) < target / 100),
                  key=lambda r: (r.coverage or 0, r.commune.code))
    on, trend = _trend(campaign, area) if campaign else (None, None)
    choices = db.session.scalars(scoping.campaigns(current_user).order_by(Campaign.starts_on.desc())).all()
    return render_template("coverage/province.html", campaign=campaign, campaigns=choices, rows=_sorted(rows, sort),
                           totals=queries.total(rows), sort=sort, target=target, behind=late, chart=trend, on=on,
                           province=current_user.province,
                           verified=any(r.verification for r in rows))


def commune_page(commune_id: int):
    """One commune's villages with their figures (no households listed), from the summary
    rows. 404 for a commune outside the caller's area (another province's)."""
    unit = scoping.get_commune(current_user, commune_id)
    campaign = params.campaign_arg(current_user)
    area = sa.select(Village.id).where(Village.id.in_(queries.area(current_user, campaign)),
                                       Village.commune_id == unit.id)
    campaign_id = campaign.id if campaign else None
    rows = queries.with_verification(summaries.village_coverage(campaign_id, area), campaign_id, area)
    on, trend = _trend(campaign, area) if campaign else (None, None)
    return render_template("coverage/commune.html", commune=unit, campaign=campaign, rows=rows,
                           totals=queries.total(rows), chart=trend, on=on, target=_target(),
                           may_report=can(current_user, "report"))
