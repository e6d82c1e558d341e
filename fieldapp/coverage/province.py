"""The province dashboard (PA05) and the drill-down into one commune, read from the summary
rows (`coverage.summaries`): a few small queries for a province of a million households.
Figures only: no resident's name, address or phone is on these pages.

Which campaign the figures are for (`scope`): ?campaign=<id> counts that campaign in the
communes it covers; without it every commune of the province is counted in its current
campaign (`campaigns.services.current_campaigns`), the one its own dashboard shows, so a province-wide
campaign and communes' own campaigns both rank every commune.

/coverage/ is this dashboard for a province user, /coverage/communes/<id> one commune (views in
`coverage.routes`); the commune page answers province staff (their province's communes), commanders (their commune) and admins;
a commune outside the caller's area is 404, malformed parameters 400.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, render_template
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import can
from ..campaigns.models import Campaign
from ..campaigns.services import current_campaigns
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


@dataclass
class Scope:
    """What the province's pages and exports count (see the module's docstring)."""

    area: sa.Select  # the villages
    chosen: Campaign | None = None  # ?campaign=
    each: dict[int, Campaign] = field(default_factory=dict)  # commune id → its current campaign

    @property
    def campaigns(self) -> summaries.Campaigns:
        return self.chosen.id if self.chosen else {c: k.id for c, k in self.each.items()}

    @property
    def running(self) -> list[Campaign]:
        return [self.chosen] if self.chosen else sorted({k.id: k for k in self.each.values()}.values(),
                                                       key=lambda k: k.id)

    @property
    def campaign(self) -> Campaign | None:
        """The one campaign every counted commune is in, when there is one."""
        return self.running[0] if len(self.running) == 1 else None


def scope(user) -> Scope:
    """?campaign=<id> (404 outside the area), else each commune in its current campaign."""
    campaign_id = params.int_arg("campaign", low=1)
    if campaign_id is not None:
        chosen = scoping.get_campaign(user, campaign_id)
        return Scope(queries.area(user, chosen), chosen=chosen)
    area = scoping.village_ids(user)
    communes = db.session.scalars(sa.select(Village.commune_id).where(Village.id.in_(area)).distinct()).all()
    return Scope(area, each={c: k for c, k in current_campaigns(communes).items() if k is not None})


def commune_rows(counted: Scope) -> list:
    """One Coverage per commune of the scope, with its verification sample where there is one."""
    rows = summaries.commune_coverage(counted.campaigns, counted.area)
    return summaries.with_commune_verification(rows, counted.campaigns, counted.area)


def _sorted(rows, sort: str):
    key = COMMUNE_SORTS[sort.lstrip("-")]
    return sorted(rows, key=lambda r: (key(r), r.commune.code), reverse=sort.startswith("-"))


def _target() -> int:
    return params.int_arg("target", current_app.config.get("COVERAGE_TARGET_PCT", 80), 0, 100)


def _trend(counted: Scope):
    """(the reference day, the chart of households warned per day), or (None, None)."""
    if not counted.running:
        return None, None
    counts = summaries.warned_by_day(counted.campaigns, counted.area)
    last = max(counts, default=None)
    on = max(queries.reference_day(c, today_vn(), last) for c in counted.running)
    start, end = min(c.starts_on for c in counted.running), max(c.ends_on for c in counted.running)
    return on, chart.build(queries.day_series(counts, start, max(end, on)))  # the whole campaign, as the commune's


def dashboard():
    """Communes ranked by coverage (?sort=, default best first), the province's totals, the
    communes behind the target (?target= percent), households warned per day, households
    with youths. 400 for malformed parameters, 404 for a campaign outside the province."""
    counted = scope(current_user)
    sort, target = params.choice_arg("sort", SORTS, "-coverage"), _target()
    rows = commune_rows(counted)
    late = sorted((r for r in rows if r.base and (r.coverage or 0) < target / 100),
                  key=lambda r: (r.coverage or 0, r.commune.code))
    on, trend = _trend(counted)
    choices = db.session.scalars(scoping.campaigns(current_user).order_by(Campaign.starts_on.desc())).all()
    return render_template("coverage/province.html", campaign=counted.campaign, chosen=counted.chosen,
                           each=counted.each if counted.campaign is None else {}, campaigns=choices,
                           rows=_sorted(rows, sort), totals=queries.total(rows), sort=sort, target=target,
                           behind=late, chart=trend, on=on, province=current_user.province,
                           verified=any(r.verification for r in rows))


def commune_page(commune_id: int):
    """One commune's villages with their figures (no households listed), from the summary
    rows; ?campaign=, else the commune's current campaign. 404 for a commune outside the
    caller's area (another province's)."""
    unit = scoping.get_commune(current_user, commune_id)
    campaign = params.campaign_arg(current_user, commune_id=unit.id)
    area = sa.select(Village.id).where(Village.id.in_(queries.area(current_user, campaign)),
                                       Village.commune_id == unit.id)
    campaign_id = campaign.id if campaign else None
    rows = queries.with_verification(summaries.village_coverage(campaign_id, area), campaign_id, area)
    on, trend = _trend(Scope(area, chosen=campaign)) if campaign else (None, None)
    return render_template("coverage/commune.html", commune=unit, campaign=campaign, rows=rows,
                           totals=queries.total(rows), chart=trend, on=on, target=_target(),
                           may_report=can(current_user, "report"))
