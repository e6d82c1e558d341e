"""The campaign results report of the caller's area, for the printed page and the .docx:
a commune's report (one row per village: households by status from the summary rows, what
the visits recorded from the visits in one query) or, for province staff,
the province's summary (one row per commune, from the summary rows). Both put the chosen
period's households warned beside the cumulative figures, which are the dashboard's."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from flask_babel import gettext as _

from ..auth.models import User
from ..campaigns.models import Campaign
from ..coverage import province, queries, summaries
from ..coverage.queries import Coverage
from ..extensions import db
from ..i18n import number, percent, vn_date
from ..register.models import Commune, Village
from ..timeutil import today_vn
from . import letterhead as letterheads, periods, sheets
from .documents import Grid
from .letterhead import Letterhead


@dataclass
class Report:
    campaign: Campaign | None  # None: the communes are counted in different campaigns
    letterhead: Letterhead
    period: periods.Period
    rows: list[Coverage]
    totals: Coverage
    columns: list[sheets.Column]
    province: bool  # one row per commune rather than per village
    campaigns: list[Campaign] = field(default_factory=list)  # every campaign counted

    @property
    def unit(self):
        return "commune" if self.province else "village"

    @property
    def lead(self) -> int:
        """How many columns of text come before the figures."""
        return sum(1 for c in self.columns if c.text)

    @property
    def verified(self) -> bool:
        """True when the table shows verified coverage (a verification sample exists)."""
        return any(c.key == "verified_coverage_pct" for c in self.columns)


def build(user: User, campaign: Campaign) -> Report:
    """The report's figures for `user` (scoped by `queries.area`); the period from ?from=&to=.
    Province staff get the province's summary of that campaign (`of_province`)."""
    area = queries.area(user, campaign)
    if user.role == "province":
        return of_province(user, province.Scope(area, chosen=campaign))
    rows = queries.with_recorded(summaries.village_coverage(campaign.id, area), campaign.id, area)
    queries.with_verification(rows, campaign.id, area)
    period = _period(campaign.id, area, [campaign])
    warned = summaries.warned_between(campaign.id, area, period.start, period.end)
    for row in rows:
        row.in_period = warned.get(row.village.id, 0)
    columns = sheets.report_columns(rows, False)
    return Report(campaign, _letterhead(user, rows, False), period, rows, queries.total(rows), columns, False,
                  [campaign])


def of_province(user: User, counted: province.Scope) -> Report:
    """The province's summary, one row per commune, counted as the province dashboard counts
    (`coverage.province.Scope`: one chosen campaign, or each commune in its current one, the
    campaign column then saying which, "–" for a commune without one). 404 when no campaign
    is counted at all."""
    if not counted.running:
        abort(404)
    rows = province.commune_rows(counted)
    period = _period(counted.campaigns, counted.area, counted.running)
    warned = summaries.warned_between(counted.campaigns, counted.area, period.start, period.end,
                                      by=Village.commune_id)
    for row in rows:
        row.in_period = warned.get(row.commune.id, 0)
        row.campaign = counted.chosen or counted.each.get(row.commune.id)
    # One campaign for the title only when every commune is counted in it (none without one).
    one = counted.chosen or (counted.campaign if all(r.campaign for r in rows) else None)
    columns = sheets.report_columns(rows, True, each=one is None)
    return Report(one, _letterhead(user, rows, True), period, rows, queries.total(rows), columns, True,
                  counted.running)


def _period(campaigns: summaries.Campaigns, area, running: list[Campaign]) -> periods.Period:
    """?from=&to=, by default the week up to the latest reference day of the campaigns."""
    last = max(summaries.warned_by_day(campaigns, area), default=None)
    return periods.period_arg(max(queries.reference_day(c, today_vn(), last) for c in running))


def _letterhead(user: User, rows: list[Coverage], province: bool) -> Letterhead:
    """The province's (PA05) or the commune's letterhead; an admin's report over several
    communes has a blank one for the issuing body to fill in."""
    if province and user.province:
        return letterheads.for_province(user.province, user, today_vn())
    communes = {r.commune.id if province else r.village.commune_id for r in rows}
    if len(communes) == 1:
        return letterheads.for_commune(db.session.get(Commune, communes.pop()), today_vn())
    return letterheads.blank(today_vn())


def cell(column: sheets.Column, row: Coverage) -> str:
    value = column.value(row)
    if column.percent:
        return percent(value, 1)
    return number(value) if isinstance(value, int) else (value or "")


def grid(report: Report) -> Grid:
    columns, lead = report.columns, report.lead
    total = [_("Total"), *([""] * (lead - 1)), *(cell(c, report.totals) for c in columns[lead:])]
    return Grid([str(c.label) for c in columns], [[cell(c, r) for c in columns] for r in report.rows], total, lead)


def title(report: Report) -> str:
    if report.campaign is None:
        return _("Results of warning every household in the province's communes")
    return _("Results of warning every household: %(name)s", name=report.campaign.name)


def _carrying_out(report: Report) -> str:
    if report.campaign is not None:
        c = report.campaign
        return _("Carrying out the campaign “%(name)s” (from %(start)s to %(end)s), we report the results of "
                 "warning every household as follows.", name=c.name, start=vn_date(c.starts_on),
                 end=vn_date(c.ends_on))
    names = "; ".join(f"“{c.name}” ({vn_date(c.starts_on)} – {vn_date(c.ends_on)})" for c in report.campaigns)
    return _("Each commune is counted in the campaign it is running now (%(campaigns)s); we report the results "
             "of warning every household as follows.", campaigns=names)


def paragraphs(report: Report) -> list[str]:
    t, p = report.totals, report.period
    return [
        _carrying_out(report),
        _("In the period from %(start)s to %(end)s: %(n)s households were warned.",
          start=vn_date(p.start), end=vn_date(p.end), n=number(t.in_period)),
        _("In all so far: %(warned)s of %(base)s households warned (%(coverage)s), %(revisit)s to visit again, "
          "%(not_visited)s not yet visited; households with youths (12–24) warned: %(yw)s of %(yh)s (%(yc)s).",
          warned=number(t.counts["warned"]), base=number(t.base), coverage=percent(t.coverage, 1),
          revisit=number(t.counts["revisit"]), not_visited=number(t.counts["not_visited"]),
          yw=number(t.youth["warned"]), yh=number(t.youth_households), yc=percent(t.youth_coverage, 1)),
        _("Figures per %(unit)s:", unit=_("commune") if report.province else _("village")),
    ]
