"""The one coverage query layer: pages, exports and the report all read their numbers here,
so they never disagree. Every function takes a SELECT of village ids that came from
`auth.scoping` (see `area`) and answers in a fixed, small number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..auth import scoping
from ..auth.models import User
from ..campaigns.models import Campaign
from ..extensions import db
from ..households.models import Household
from ..labels import STATUSES
from ..register.models import Village
from ..visits.models import Visit, VisitMaterial, VisitTopic
from .sqlfuncs import vn_day
from .status import best_outcomes, households_with_status, status_expr


def area(user: User, campaign: Campaign | None) -> sa.Select:
    """Ids of the villages the user may see, narrowed to the campaign's commune."""
    ids = scoping.village_ids(user)
    if campaign is not None and campaign.commune_id is not None:
        ids = sa.select(Village.id).where(Village.id.in_(ids), Village.commune_id == campaign.commune_id)
    return ids


@dataclass
class Coverage:
    """Household counts by status (all, and those with anyone aged 12–24) for a village or a total."""

    village: Village | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    youth: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    commune: object | None = None  # a Commune, for the province's rows (see `summaries`)
    campaign: object | None = None  # the Campaign a province report's commune row is counted in
    in_period: int = 0  # households warned in a report's period (see `reports.campaign_report`)
    # Filled for the campaign report only (see `report_rows`): what the visits in force
    # recorded, materials by code, and visits of the standard package or detailed.
    people_reached: int = 0
    youth_reached: int = 0
    commitments: int = 0
    standard_visits: int = 0
    detailed_visits: int = 0
    materials: dict[str, int] = field(default_factory=dict)
    # The verification sample's results (proof.verification.Rate), where there is one.
    verification: object | None = None

    @property
    def households(self) -> int:
        return sum(self.counts.values())

    @property
    def base(self) -> int:
        return self.households - self.counts["excluded"]

    @property
    def coverage(self) -> float | None:
        return self.counts["warned"] / self.base if self.base else None

    @property
    def youth_households(self) -> int:
        return sum(self.youth.values()) - self.youth["excluded"]

    @property
    def youth_coverage(self) -> float | None:
        return self.youth["warned"] / self.youth_households if self.youth_households else None

    @property
    def verified_coverage(self) -> float | None:
        """Claimed coverage × the confirmation rate of the sample; None without one."""
        return self.verification.scale(self.coverage) if self.verification else None

    @classmethod
    def of_households(cls, village: Village, rows) -> Coverage:
        """The figures of one village from its `household_rows` (no query of its own)."""
        result = cls(village)
        for household, status, *_ in rows:
            result.counts[status] += 1
            result.youth[status] += household.youth > 0
        return result

    def add(self, other: Coverage) -> None:
        for status in STATUSES:
            self.counts[status] += other.counts[status]
            self.youth[status] += other.youth[status]
        for name in ("people_reached", "youth_reached", "commitments", "standard_visits", "detailed_visits",
                     "in_period"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.materials.items():
            self.materials[code] = self.materials.get(code, 0) + n


def whole_commune(user: User, campaign: Campaign | None) -> bool:
    """True when the area holds every household the campaign's visits can reach: every
    village of a commune campaign's commune (commanders, admins), or everything for an admin
    looking at a province-wide campaign."""
    return campaign is not None and scoping.covers_commune(user, campaign.commune_id)


def _status_rows(campaign_id: int | None, village_ids: sa.Select, whole: bool) -> sa.Subquery:
    """(village_id, youth, coverage_status) of every household in the area."""
    where = Household.village_id.in_(village_ids)
    if campaign_id is None:
        return households_with_status(None, where).subquery()
    # The whole reach of the campaign: summarising all its visits is cheaper than listing the
    # households first (the outer join still keeps only the area's households). For a province
    # this is a merge join of the in-force index and ix_households_id_status, nothing hashed.
    summary = best_outcomes(campaign_id, households=None if whole else sa.select(Household.id).where(where))
    return (sa.select(Household.village_id, Household.youth, status_expr(summary))
            .outerjoin(summary, summary.c.household_id == Household.id).where(where).subquery())


def village_coverage(campaign_id: int | None, village_ids: sa.Select, whole: bool = False) -> list[Coverage]:
    """One Coverage per village in `village_ids` (empty villages included), by code; 2 queries.
    `whole` (see `whole_commune`) only chooses a faster plan; the numbers are the same."""
    villages = db.session.scalars(sa.select(Village).where(Village.id.in_(village_ids))
                                  .order_by(Village.code)).all()
    rows = _status_rows(campaign_id, village_ids, whole)
    query = sa.select(
        rows.c.village_id, rows.c.coverage_status, sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((rows.c.youth > 0, 1), else_=0)), 0),
    ).group_by(rows.c.village_id, rows.c.coverage_status)
    by_id = {v.id: Coverage(v) for v in villages}
    for village_id, status, n, youth in db.session.execute(query):
        if village_id in by_id:
            by_id[village_id].counts[status] = n
            by_id[village_id].youth[status] = int(youth)
    return list(by_id.values())


def total(rows: list[Coverage]) -> Coverage:
    result = Coverage()
    for row in rows:
        result.add(row)
        if row.verification is not None:
            if result.verification is None:
                from ..proof.verification import Rate

                result.verification = Rate()
            result.verification.add(row.verification)  # the pooled rate of the villages
    return result


def with_verification(rows: list[Coverage], campaign_id: int | None, village_ids: sa.Select) -> list[Coverage]:
    """Fill each village's verification sample results (one query); rows without stay None."""
    from ..proof.verification import village_rates

    if campaign_id is not None and rows:
        rates = village_rates(campaign_id, village_ids)
        for row in rows:
            row.verification = rates.get(row.village.id)
    return rows


SORT_KEYS = {
    "code": lambda r: r.village.code,
    "name": lambda r: r.village.name,
    "households": lambda r: r.households,
    "warned": lambda r: r.counts["warned"],
    "revisit": lambda r: r.counts["revisit"],
    "not_visited": lambda r: r.counts["not_visited"],
    "coverage": lambda r: (r.coverage is not None, r.coverage or 0),
    "youth_coverage": lambda r: (r.youth_coverage is not None, r.youth_coverage or 0),
}


def sort_rows(rows: list[Coverage], sort: str) -> list[Coverage]:
    """`sort` is a SORT_KEYS name, with a leading '-' for descending (checked by the caller)."""
    key = SORT_KEYS[sort.lstrip("-")]
    return sorted(rows, key=lambda r: (key(r), r.village.code), reverse=sort.startswith("-"))


def behind(rows: list[Coverage], target: float) -> list[Coverage]:
    """Villages whose coverage is under `target` (0–1), lowest first."""
    late = [r for r in rows if r.base and (r.coverage or 0) < target]
    return sorted(late, key=lambda r: (r.coverage or 0, r.village.code))


def reference_day(campaign: Campaign, today: date, last_data: date | None = None) -> date:
    """The day "now" means for a campaign: today while it runs, else its last day, or the
    last day with visits if those went on after the end (a campaign kept active)."""
    day = max(campaign.starts_on, min(today, campaign.ends_on))
    return min(today, max(day, last_data)) if last_data else day


def warned_by_day(campaign: Campaign, village_ids: sa.Select) -> dict[date, int]:
    """Households that became warned on each Vietnam day (first warned visit in force, by
    the device's time) in the area; 1 query."""
    first = (
        sa.select(sa.func.min(Visit.recorded_at).label("at"))
        .join(Household, Household.id == Visit.household_id)
        .where(Visit.counted_in(campaign.id), Visit.outcome == "warned", Household.village_id.in_(village_ids))
        .group_by(Visit.household_id)
        .subquery()
    )
    day = vn_day(first.c.at)
    return {date.fromisoformat(d): n for d, n in
            db.session.execute(sa.select(day, sa.func.count()).group_by(day)) if d}


def day_series(counts: dict[date, int], start: date, until: date) -> list[tuple[date, int]]:
    """Every day from `start` to `until` with its count; a day outside (a device clock set
    wrong) counts on the nearest end, so the bars still add up to every warned household."""
    until = max(until, start)
    series = {start + timedelta(n): 0 for n in range((until - start).days + 1)}
    for day, n in counts.items():
        series[min(max(day, start), until)] += n
    return list(series.items())


def last_reviews(campaign_id: int, village_ids: sa.Select) -> dict[int, tuple[datetime, str]]:
    """{village_id: (when, comment) of the village head's last review in the campaign}; 1 query."""
    from ..accountability.models import VillageReview

    query = (sa.select(VillageReview.village_id, VillageReview.reviewed_at, VillageReview.note)
             .where(VillageReview.campaign_id == campaign_id, VillageReview.village_id.in_(village_ids))
             .order_by(VillageReview.reviewed_at, VillageReview.id))
    return {village_id: (at, note) for village_id, at, note in db.session.execute(query)}


def report_rows(campaign_id: int, village_ids: sa.Select, whole: bool = False) -> list[Coverage]:
    """`village_coverage` plus what the visits in force recorded per village; 3 queries."""
    return with_recorded(village_coverage(campaign_id, village_ids, whole), campaign_id, village_ids)


def with_recorded(rows: list[Coverage], campaign_id: int, village_ids: sa.Select) -> list[Coverage]:
    """Fill each village row with what the visits in force recorded (people and youths
    reached, commitments, standard and detailed visits, materials by code); 1 query, one
    pass over the area's visits with their materials beside them (a visit's own figures
    counted on its first row only)."""
    first = sa.func.row_number().over(partition_by=Visit.id) == 1
    per = (sa.select(Household.village_id, Visit.people_reached, Visit.youth_reached, Visit.commitment_signed,
                     Visit.standard, VisitMaterial.code, first.label("first"))
           .join(Household, Household.id == Visit.household_id)
           .outerjoin(VisitMaterial, VisitMaterial.visit_id == Visit.id)
           .where(Visit.counted_in(campaign_id), Household.village_id.in_(village_ids)).subquery())
    once = lambda value: sa.func.sum(sa.case((per.c.first, value), else_=0))  # noqa: E731
    query = sa.select(per.c.village_id, per.c.code, once(per.c.people_reached), once(per.c.youth_reached),
                      once(sa.case((per.c.commitment_signed, 1), else_=0)), once(sa.case((per.c.standard, 1), else_=0)),
                      once(1), sa.func.count(per.c.code)).group_by(per.c.village_id, per.c.code)
    by_id = {row.village.id: row for row in rows}
    for village_id, code, *figures, materials in db.session.execute(query):
        row = by_id.get(village_id)
        if row is None:
            continue
        people, youths, commitments, standard, visits = (int(n or 0) for n in figures)
        row.people_reached += people
        row.youth_reached += youths
        row.commitments += commitments
        row.standard_visits += standard
        row.detailed_visits += visits - standard
        if code is not None:
            row.materials[code] = int(materials)
    return rows


def topic_counts(campaign_id: int, village_ids: sa.Select) -> dict[str, tuple[int, int]]:
    """{topic code: (visits in force that recorded it, households they reached)}; 1 query."""
    query = (sa.select(VisitTopic.topic_code, sa.func.count(), sa.func.count(sa.distinct(Visit.household_id)))
             .join(Visit, Visit.id == VisitTopic.visit_id).join(Household, Household.id == Visit.household_id)
             .where(Visit.counted_in(campaign_id), Household.village_id.in_(village_ids))
             .group_by(VisitTopic.topic_code))
    return {code: (visits, households) for code, visits, households in db.session.execute(query)}


def household_rows(campaign_id: int | None, village_id: int, status: str | None = None):
    """(Household, status, visit_count, last_visit_at) of one village in walking order,
    optionally one status."""
    from .walk import in_order

    query = households_with_status(campaign_id, Household.village_id == village_id)
    if status:
        query = query.where(query.selected_columns.coverage_status == status)
    return in_order(db.session.execute(query).all())


EXPORT_COLUMNS = ("id", "village_id", "code", "status", "lat", "lon",
                  "head_name", "address", "phone", "members", "youth")


def households_in(campaign_id: int | None, village_ids: sa.Select):
    """Rows of plain columns (EXPORT_COLUMNS, coverage_status, visit_count, last_visit_at,
    village_code) of the households of many villages, for exports; no ORM objects, so
    a whole commune stays quick."""
    rows = households_with_status(campaign_id, Household.village_id.in_(village_ids)).subquery()
    query = (sa.select(*(rows.c[name] for name in EXPORT_COLUMNS), rows.c.coverage_status,
                       rows.c.visit_count, rows.c.last_visit_at, Village.code.label("village_code"))
             .join(Village, Village.id == rows.c.village_id)
             .order_by(Village.code, rows.c.code))
    return db.session.execute(query)
