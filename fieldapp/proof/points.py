"""Points learnt from visits: a household with no point takes the fix of its first visit
whose accuracy is within LEARN_POINT_ACCURACY_M, marked as learnt (who, when, accuracy),
until the commander accepts it or clears it. A cleared point may be learnt again from a
later visit."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ..accountability import audit
from ..extensions import db
from ..households.models import Household
from ..timeutil import utcnow
from .models import LearntPoint


def learn(rows) -> list[dict]:
    """Give households without a point the first good fix among `rows` (checks.Row); two
    statements."""
    limit = current_app.config["LEARN_POINT_ACCURACY_M"]
    first: dict = {}
    for r in sorted(rows, key=lambda r: r.recorded_at):
        good = r.lat is not None and r.lon is not None and r.accuracy_m is not None and r.accuracy_m <= limit
        if r.home_lat is None and good and r.household_id not in first:
            first[r.household_id] = r
    if not first:
        return []
    now = utcnow()
    learnt = [{"household_id": h, "visit_id": r.id, "user_id": r.user_id, "lat": r.lat, "lon": r.lon,
               "accuracy_m": r.accuracy_m, "learnt_at": now, "state": "pending"} for h, r in first.items()]
    connection = db.session.connection()
    connection.execute(LearntPoint.__table__.insert(), learnt)
    table = Household.__table__
    connection.execute(
        table.update().where(table.c.id == sa.bindparam("hid"), table.c.lat.is_(None))
        .values(lat=sa.bindparam("plat"), lon=sa.bindparam("plon"), updated_at=now),
        [{"hid": h, "plat": r.lat, "plon": r.lon} for h, r in first.items()])
    return learnt


def latest(household_id) -> LearntPoint | None:
    """The household's most recent learnt point, if any."""
    return db.session.scalar(sa.select(LearntPoint).where(LearntPoint.household_id == household_id)
                             .order_by(LearntPoint.id.desc()).limit(1))


def decide(point: LearntPoint, accept: bool, user) -> None:
    """Accept the point, or clear it (the household loses it, unless it changed since)."""
    point.state = "accepted" if accept else "cleared"
    point.decided_by_id, point.decided_at = user.id, utcnow()
    household = point.household
    if not accept and household.lat == point.lat and household.lon == point.lon:
        household.lat = household.lon = None
    audit.record("point_accept" if accept else "point_clear", "household", household.id, visit=str(point.visit_id))
    db.session.flush()


def in_area(user) -> sa.Select:
    """Learnt points of households in the user's area: waiting ones first, newest first."""
    from ..auth import scoping

    return (sa.select(LearntPoint).join(Household, Household.id == LearntPoint.household_id)
            .where(Household.village_id.in_(scoping.village_ids(user)))
            .order_by(LearntPoint.state != "pending", LearntPoint.learnt_at.desc(), LearntPoint.id.desc())
            .options(sa.orm.joinedload(LearntPoint.household).joinedload(Household.village),
                     sa.orm.joinedload(LearntPoint.user)))


def get(user, point_id: int) -> LearntPoint:
    """The learnt point, or 404 outside the user's area."""
    from flask import abort

    point = db.session.scalar(in_area(user).where(LearntPoint.id == point_id))
    if point is None:
        abort(404)
    return point
