"""Per-officer activity in a campaign: visits, households warned, pace, last active; and
who has been idle. Part of the coverage query layer (see `queries`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ..auth import scoping
from ..auth.models import Assignment, User
from ..campaigns.models import Campaign
from ..extensions import db
from ..text import natural_key
from ..timeutil import vn_date
from ..visits.models import Visit, visit_companions


@dataclass
class Activity:
    user: User
    visits: int = 0
    warned: int = 0  # distinct households warned with this person credited
    days: int = 0  # days of the campaign so far (for the pace)
    last_at: datetime | None = None  # the last visit's time (the phone's clock)
    last_received: datetime | None = None  # when the server received the last one

    @property
    def per_day(self) -> float:
        return self.visits / self.days if self.days else 0.0

    def idle_days(self, on: date) -> int | None:
        """Whole days since the last visit (Vietnam time); None when never."""
        if self.last_at is None:
            return None
        return (on - vn_date(self.last_at)).days


def officer_activity(campaign: Campaign, village_ids: sa.Select, on: date,
                     officers: list[User] | None = None) -> list[Activity]:
    """Officers assigned to the area on `on` (or `officers`, already found), with their work
    in the whole campaign (all their villages: an officer busy in a neighbouring village is
    not idle); 3 queries (2 with `officers`).

    A visit counts for its recorder and for each companion. "Households warned" adds the
    distinct households a person warned as recorder and as companion (a household counted
    twice only if the same person was credited both ways on two warned visits to it).
    """
    if officers is None:
        officers = db.session.scalars(
            sa.select(User).join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.village_id.in_(village_ids), Assignment.covers(on),
                   User.role == "officer", User.active)
            .distinct().order_by(User.username)
        ).all()
    result = {u.id: Activity(u) for u in officers}
    if not officers:
        return []
    in_force = Visit.counted_in(campaign.id)
    warned = sa.case((Visit.outcome == "warned", Visit.household_id))
    figures = (sa.func.count(), sa.func.count(sa.distinct(warned)), sa.func.max(Visit.visited_at),
               sa.func.max(Visit.received_at))
    lead = (sa.select(Visit.user_id, *figures).where(in_force, Visit.user_id.in_(list(result)))
            .group_by(Visit.user_id))
    # Companions are few: filtering visits inside the aggregates keeps planners (SQLite's
    # above all) starting from visit_companions instead of scanning the campaign's visits.
    # PostgreSQL reads them first too (a materialized CTE), where it would otherwise scan every
    # companion row in parallel workers: 3 processes and 5× the time for a commune's ~1,000.
    crewed = (sa.select(visit_companions.c.user_id, visit_companions.c.visit_id)
              .where(visit_companions.c.user_id.in_(list(result)))
              .cte("crewed").prefix_with("MATERIALIZED", dialect="postgresql"))
    mine = sa.case((in_force, 1))
    mates = (sa.select(crewed.c.user_id, sa.func.count(mine),
                       sa.func.count(sa.distinct(sa.case((sa.and_(in_force, Visit.outcome == "warned"),
                                                          Visit.household_id)))),
                       sa.func.max(sa.case((in_force, Visit.visited_at))),
                       sa.func.max(sa.case((in_force, Visit.received_at))))
             .join(Visit, Visit.id == crewed.c.visit_id)
             .group_by(crewed.c.user_id))
    for query in (lead, mates):
        for user_id, visits, warned_n, last_at, received in db.session.execute(query):
            act = result[user_id]
            act.visits += visits
            act.warned += warned_n
            act.last_at = max(filter(None, (act.last_at, last_at)), default=None)
            act.last_received = max(filter(None, (act.last_received, received)), default=None)
    days = (on - campaign.starts_on).days + 1
    for act in result.values():
        act.days = max(days, 1)
    return sorted(result.values(), key=lambda a: natural_key(a.user.username))


def idle(activity: list[Activity], on: date, days: int) -> list[Activity]:
    """Officers with no visit in the last `days` days (or none at all), longest idle first."""
    late = [a for a in activity if a.last_at is None or a.idle_days(on) >= days]
    return sorted(late, key=lambda a: (a.last_at is not None, a.last_at or datetime.min, a.user.username))
