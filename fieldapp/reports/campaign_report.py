"""The campaign results report of the caller's area, for the printed page and the .docx:
a commune's report (one row per village, the visits' figures too) or, for province staff,
the province's summary (one row per commune, from the summary rows). Both put the chosen
period's households warned beside the cumulative figures, which are the dashboard's."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..auth.models import User
from ..campaigns.models import Campaign
from ..coverage import queries, summaries
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
    campaign: Campaign
    letterhead: Letterhead
    period: periods.Period
    rows: list[Coverage]
    totals: Coverage
    columns: list[sheets.Column]
    province: bool  # one row per commune rather than per village

    @property
    def unit(self):
        return "commune" if self.province else "village"

    @property
    def verified(self) -> bool:
        """True when the table shows verified coverage (a verification sample exists)."""
        return any(c.key == "verified_coverage_pct" for c in self.columns)


def build(user: User, campaign: Campaign) -> Report:
    """The report's figures for `user` (scoped by `queries.area`); the period from ?from=&to=."""
    area = queries.area(user, campaign)
    province = user.role == "province"
    if province:
        rows, by = summaries.commune_coverage(campaign.id, area), Village.commune_id
        summaries.with_commune_verification(rows, campaign.id, area)
    else:
        rows, by = queries.report_rows(campaign.id, area, queries.whole_commune(user, campaign)), Village.id
        queries.with_verification(rows, campaign.id, area)
    last = max(summaries.warned_by_day(campaign.id, area), default=None)
    period = periods.period_arg(queries.reference_day(campaign, today_vn(), last))
    warned = summaries.warned_between(campaign.id, area, period.start, period.end, by=by)
    for row in rows:
        row.in_period = warned.get((row.commune if province else row.village).id, 0)
    columns = sheets.report_columns(rows, province)
    return Report(campaign, _letterhead(user, rows, province), period, rows, queries.total(rows), columns, province)


def _letterhead(user: User, rows: list[Coverage], province: bool) -> Letterhead:
    """The province's (PA05) or the commune's letterhead; an admin's report over several
    communes has a blank one for the issuing body to fill in."""
    if province and user.province:
        return letterheads.for_province(user.province, user, today_vn())
    communes = {r.village.commune_id for r in rows}
    if len(communes) == 1:
        return letterheads.for_commune(db.session.get(Commune, communes.pop()), today_vn())
    return letterheads.blank(today_vn())


def cell(column: sheets.Column, row: Coverage) -> str:
    value = column.value(row)
    if column.percent:
        return percent(value, 1)
    return number(value) if isinstance(value, int) else (value or "")


def grid(report: Report) -> Grid:
    columns = report.columns
    total = [_("Total"), "", *(cell(c, report.totals) for c in columns[2:])]
    return Grid([str(c.label) for c in columns], [[cell(c, r) for c in columns] for r in report.rows], total, 2)


def paragraphs(report: Report) -> list[str]:
    t, p = report.totals, report.period
    return [
        _("Carrying out the campaign “%(name)s” (from %(start)s to %(end)s), we report the results of warning "
          "every household as follows.", name=report.campaign.name, start=vn_date(report.campaign.starts_on),
          end=vn_date(report.campaign.ends_on)),
        _("In the period from %(start)s to %(end)s: %(n)s households were warned.",
          start=vn_date(p.start), end=vn_date(p.end), n=number(t.in_period)),
        _("In all so far: %(warned)s of %(base)s households warned (%(coverage)s), %(revisit)s to visit again, "
          "%(not_visited)s not yet visited; households with youths (12–24) warned: %(yw)s of %(yh)s (%(yc)s).",
          warned=number(t.counts["warned"]), base=number(t.base), coverage=percent(t.coverage, 1),
          revisit=number(t.counts["revisit"]), not_visited=number(t.counts["not_visited"]),
          yw=number(t.youth["warned"]), yh=number(t.youth_households), yc=percent(t.youth_coverage, 1)),
        _("Figures per %(unit)s:", unit=_("commune") if report.province else _("village")),
    ]
