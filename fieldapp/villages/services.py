"""A village's households in walking order, and its own route (the order its commander or
village head set by dragging)."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..coverage.status import households_with_status
from ..coverage.walk import in_order
from ..extensions import db
from ..households.models import Household
from ..households.queries import matching
from ..register.models import Village


def household_rows(village_id: int, campaign, q: str = "", status: str = "", *, personal: bool = True):
    """(Household, status, visit_count, last_visit_at) of the village in walking order. Without
    `personal` (PERSONAL_DATA_ROLES) `q` searches house numbers only (a name would find its house)."""
    where = sa.and_(Household.village_id == village_id, Household.status != "merged")  # merged: counted on the survivor
    if q:
        where = sa.and_(where, matching(q) if personal else Household.code.contains(q, autoescape=True))
    query = households_with_status(campaign.id if campaign else None, where)
    if status:
        query = query.where(query.selected_columns.coverage_status == status)
    return in_order(db.session.execute(query).all())


class RouteRefused(ValueError):
    """The order as a whole is refused; `str(exc)` says why in the user's language."""


def parse_order(raw_ids: list[str], village: Village) -> list[uuid.UUID]:
    """The household ids of a route order, checked whole: every one a household of the
    village (merged ones excepted), none twice; RouteRefused otherwise, nothing written."""
    ids = []
    for raw in raw_ids:
        try:
            ids.append(uuid.UUID(str(raw)))
        except ValueError:
            raise RouteRefused(_("“%(id)s” is not a household of this village.", id=str(raw)[:40]))
    twice = {i for i in ids if ids.count(i) > 1}
    if twice:
        raise RouteRefused(_("A household appears twice in the order (%(n)s times in all).", n=len(twice)))
    known = set(db.session.scalars(sa.select(Household.id).where(
        Household.village_id == village.id, Household.status != "merged", Household.id.in_(ids)))) if ids else set()
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RouteRefused(_("%(n)s households in the order are not households of this village.", n=len(unknown)))
    return ids


def set_route(village: Village, ids: list[uuid.UUID]) -> None:
    """Households `ids` walked in this order (route 1, 2, …); the village's others lose their
    place and follow in alley order. An empty list clears the route. Flushes, audits."""
    table = Household.__table__
    connection = db.session.connection()
    connection.execute(table.update().where(table.c.village_id == village.id, table.c.route.is_not(None),
                                            table.c.id.not_in(ids)).values(route=None))
    if ids:
        connection.execute(table.update().where(table.c.id == sa.bindparam("hid")).values(route=sa.bindparam("pos")),
                           [{"hid": household_id, "pos": n} for n, household_id in enumerate(ids, 1)])
    audit.record("village_route", "village", village.id, households=len(ids))
