"""Recording incidents and listing them with their verdicts (see `queries`).

An incident on day D is judged on the visits in force by the end of D − 1 (a warning on
the day of the incident may have come after it), and on who was assigned to the village on D.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .. import paging
from ..auth import scoping
from ..auth.models import Assignment, User
from ..campaigns.models import Campaign
from ..extensions import db
from ..households.models import Household
from ..register.models import Village
from . import audit
from .models import Incident
from .queries import Verdict, assess_many


def register_started_on(commune_id: int | None) -> date | None:
    """The first day the system holds anything for the commune: the earliest assignment to
    one of its villages or the start of its first campaign. Incidents before it cannot be
    judged, so they are refused."""
    first_assignment = (sa.select(sa.func.min(Assignment.starts_on))
                        .join(Village, Village.id == Assignment.village_id)
                        .where(Village.commune_id == commune_id).scalar_subquery())
    first_campaign = (sa.select(sa.func.min(Campaign.starts_on))
                      .where(sa.or_(Campaign.commune_id == commune_id, Campaign.commune_id.is_(None)))
                      .scalar_subquery())
    days = db.session.execute(sa.select(first_assignment, first_campaign)).one()
    days = [d for d in days if d is not None]
    return min(days) if days else None


def judged_days(incident: Incident) -> tuple[date, date]:
    """(visits in force by the end of this day, responsible on this day) for an incident."""
    return incident.occurred_on - timedelta(days=1), incident.occurred_on


def create_incident(household: Household, values: dict, user: User) -> Incident:
    incident = Incident(household_id=household.id, created_by_id=user.id, **values)
    db.session.add(incident)
    db.session.flush()
    audit.record("incident_create", "incident", incident.id, user=user,
                 household=str(household.id), occurred_on=incident.occurred_on.isoformat(),
                 kind=incident.kind)
    return incident


@dataclass
class Filters:
    verdict: str | None = None
    village_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def visible(user: User) -> sa.Select:
    """Incidents of households in the user's area, newest first."""
    return (sa.select(Incident).join(Household, Household.id == Incident.household_id)
            .where(Household.village_id.in_(scoping.village_ids(user)))
            .order_by(Incident.occurred_on.desc(), Incident.id.desc()))


def get_incident(user: User, incident_id: int) -> Incident:
    """The incident, or 404 outside the user's area."""
    incident = db.session.scalar(visible(user).where(Incident.id == incident_id))
    if incident is None:
        from flask import abort

        abort(404)
    return incident


def with_verdicts(incidents: list[Incident]) -> list[tuple[Incident, Verdict]]:
    cases = [(i.household, *judged_days(i)) for i in incidents]
    return list(zip(incidents, assess_many(cases)))


def _matching(user: User, filters: Filters) -> sa.Select:
    query = visible(user)
    if filters.village_id:
        query = query.where(Household.village_id == filters.village_id)
    if filters.kind:
        query = query.where(Incident.kind == filters.kind)
    if filters.date_from:
        query = query.where(Incident.occurred_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Incident.occurred_on <= filters.date_to)
    return query


_LOADS = (joinedload(Incident.household).joinedload(Household.village), joinedload(Incident.created_by))


def listing(user: User, filters: Filters) -> list[tuple[Incident, Verdict]]:
    """The user's incidents matching `filters`, each with its verdict."""
    rows = with_verdicts(list(db.session.scalars(_matching(user, filters).options(*_LOADS)).unique()))
    if filters.verdict:
        rows = [(i, v) for i, v in rows if v.status == filters.verdict]
    return rows


def count(user: User, filters: Filters) -> int:
    """How many incidents `listing` has at most (the verdict filter is applied after)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(_matching(user, filters).subquery()))


def listing_page(user: User, filters: Filters, per_page: int) -> paging.Page:
    """The requested page of `listing`; verdicts are judged for that page only unless the
    verdict itself is a filter (then every matching incident is judged, then paged)."""
    if filters.verdict:
        return paging.of_list(listing(user, filters), per_page)
    page = paging.of_select(_matching(user, filters).options(*_LOADS), per_page)
    page.items = with_verdicts(page.items)
    return page
