"""Coverage figures read from the summary rows (`coverage.models`, kept by `coverage.rollups`):
the province's and its communes' numbers in a few small queries, whatever the number of
households. The same `Coverage` objects as `coverage.queries`, so pages, exports and reports
share their columns; `tests/province` proves both give the same numbers.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..register.models import Commune, Village
from .models import VillageDaySummary as Day, VillageRegisterSummary as Register, VillageStatusSummary as Status
from .queries import Coverage


Campaigns = int | dict[int, int] | None  # one campaign id, or {commune id: campaign id}


def _sum(column):
    return sa.func.coalesce(sa.func.sum(column), 0)


def _of(table, campaigns: Campaigns):
    """The summary rows of `campaigns`: one campaign's, or each commune's own campaign's
    (`coverage.province`: every commune by the campaign its own dashboard shows). The
    statement joins Village."""
    if isinstance(campaigns, dict):  # one condition per campaign: a province-wide one is a single index range
        communes: dict[int, list[int]] = {}
        for commune_id, campaign_id in campaigns.items():
            communes.setdefault(campaign_id, []).append(commune_id)
        return sa.or_(sa.false(), *(sa.and_(table.campaign_id == campaign_id, Village.commune_id.in_(ids))
                                    for campaign_id, ids in sorted(communes.items())))
    return table.campaign_id == campaigns


def figures(campaigns: Campaigns, village_ids: sa.Select, by=Village.id) -> dict[int, Coverage]:
    """Coverage of the villages in `village_ids` in `campaigns` (None: the register only),
    grouped by `by` (Village.id or Village.commune_id); 2 queries. Units with no household
    are left out."""
    register = db.session.execute(
        sa.select(by, _sum(Register.households), _sum(Register.youth), _sum(Register.inactive),
                  _sum(Register.inactive_youth))
        .join(Village, Village.id == Register.village_id).where(Village.id.in_(village_ids)).group_by(by)).all()
    marked = _marked(campaigns, village_ids, by)
    return {key: _coverage(tuple(map(int, numbers)), marked.get(key, {})) for key, *numbers in register}


def _marked(campaigns: Campaigns, village_ids: sa.Select, by) -> dict[int, dict[str, tuple]]:
    """{unit: {status: (households, youth, inactive, inactive youth)}} of the marked
    households (none without a campaign); 1 query."""
    marked: dict[int, dict[str, tuple]] = {}
    if campaigns is not None:
        for key, status, *numbers in db.session.execute(
                sa.select(by, Status.status, _sum(Status.households), _sum(Status.youth), _sum(Status.inactive),
                          _sum(Status.inactive_youth))
                .join(Village, Village.id == Status.village_id)
                .where(_of(Status, campaigns), Village.id.in_(village_ids)).group_by(by, Status.status)):
            marked.setdefault(key, {})[status] = tuple(map(int, numbers))
    return marked


def _coverage(register: tuple[int, int, int, int], marked: dict[str, tuple]) -> Coverage:
    """Counts by status from the register totals and the marked households: a household
    without a mark is excluded when it is not active, else not visited."""
    total, youth_total, inactive, inactive_youth = register
    result = Coverage()
    for status in ("warned", "revisit", "excluded"):
        result.counts[status], result.youth[status] = marked.get(status, (0, 0, 0, 0))[:2]
    unmarked_inactive = inactive - sum(m[2] for m in marked.values())
    unmarked_inactive_youth = inactive_youth - sum(m[3] for m in marked.values())
    result.counts["excluded"] += unmarked_inactive
    result.youth["excluded"] += unmarked_inactive_youth
    result.counts["not_visited"] = total - sum(m[0] for m in marked.values()) - unmarked_inactive
    result.youth["not_visited"] = youth_total - sum(m[1] for m in marked.values()) - unmarked_inactive_youth
    return result


def village_coverage(campaigns: Campaigns, village_ids: sa.Select) -> list[Coverage]:
    """One Coverage per village (empty villages included), by code; 2 queries (the villages
    with their register row, then the marked households)."""
    villages = db.session.execute(
        sa.select(Village, Register.households, Register.youth, Register.inactive, Register.inactive_youth)
        .outerjoin(Register, Register.village_id == Village.id)
        .where(Village.id.in_(village_ids)).order_by(Village.code)).all()
    marked = _marked(campaigns, village_ids, Village.id)
    return [_placed(_coverage(tuple(int(n or 0) for n in numbers), marked.get(village.id, {})), village=village)
            for village, *numbers in villages]


def commune_coverage(campaigns: Campaigns, village_ids: sa.Select) -> list[Coverage]:
    """One Coverage per commune holding villages of `village_ids`, by code; 3 queries."""
    found = figures(campaigns, village_ids, by=Village.commune_id)
    communes = db.session.scalars(sa.select(Commune).where(Commune.id.in_(
        sa.select(Village.commune_id).where(Village.id.in_(village_ids)))).order_by(Commune.code))
    return [_placed(found.get(c.id), commune=c) for c in communes]


def with_commune_verification(rows: list[Coverage], campaigns: Campaigns, village_ids: sa.Select) -> list[Coverage]:
    """Fill each commune row's verification sample results: its villages' pooled rate in the
    commune's campaign (`proof.verification.village_rates`, one query per campaign and one
    more). Rows without a sample stay None."""
    from ..proof.verification import Rate, village_rates

    chosen = campaigns if isinstance(campaigns, dict) else {r.commune.id: campaigns for r in rows}
    rates = {}
    for campaign_id in {k for k in chosen.values() if k is not None}:
        communes = [c for c, k in chosen.items() if k == campaign_id]
        rates.update(village_rates(campaign_id, sa.select(Village.id).where(
            Village.id.in_(village_ids), Village.commune_id.in_(communes))))
    if not rates:
        return rows
    pooled: dict[int, Rate] = {}
    for village_id, commune_id in db.session.execute(
            sa.select(Village.id, Village.commune_id).where(Village.id.in_(list(rates)))):
        pooled.setdefault(commune_id, Rate()).add(rates[village_id])
    for row in rows:
        row.verification = pooled.get(row.commune.id)
    return rows


def _placed(row: Coverage | None, **unit) -> Coverage:
    row = row or Coverage()
    for name, value in unit.items():
        setattr(row, name, value)
    return row


def warned_by_day(campaigns: Campaigns, village_ids: sa.Select) -> dict[date, int]:
    """Households that became warned on each Vietnam day in the area; 1 query."""
    query = (sa.select(Day.day, _sum(Day.warned)).join(Village, Village.id == Day.village_id)
             .where(_of(Day, campaigns), Day.village_id.in_(village_ids)).group_by(Day.day))
    return {day: int(n) for day, n in db.session.execute(query)}


def warned_between(campaigns: Campaigns, village_ids: sa.Select, start: date, end: date,
                   by=Village.id) -> dict[int, int]:
    """Households that became warned from `start` to `end` (Vietnam days, inclusive), per
    village or per commune (`by`); 1 query."""
    query = (sa.select(by, _sum(Day.warned)).join(Village, Village.id == Day.village_id)
             .where(_of(Day, campaigns), Day.village_id.in_(village_ids), Day.day >= start, Day.day <= end)
             .group_by(by))
    return {key: int(n) for key, n in db.session.execute(query)}
