"""Coverage computed the slow, obvious way in Python from raw rows, to check the SQL layer."""
from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household, Village, Visit


def statuses(campaign_id: int) -> dict:
    """{household_id: status} by the design's rules, from every household and visit."""
    db.session.rollback()  # see what the requests committed
    outcomes = defaultdict(set)
    for household_id, outcome in db.session.execute(
            sa.select(Visit.household_id, Visit.outcome)
            .where(Visit.campaign_id == campaign_id, Visit.replaced_at.is_(None))):
        outcomes[household_id].add(outcome)
    result = {}
    for h in db.session.scalars(sa.select(Household)):
        seen = outcomes.get(h.id, set())
        if "warned" in seen:
            result[h.id] = "warned"
        elif seen & {"nobody_home", "refused"}:
            result[h.id] = "revisit"
        elif h.status != "active" or "moved_away" in seen:
            result[h.id] = "excluded"
        else:
            result[h.id] = "not_visited"
    return result


def by_village(campaign_id: int) -> dict[str, Counter]:
    """{village_code: Counter(status)} for every village."""
    status = statuses(campaign_id)
    codes = dict(db.session.execute(sa.select(Village.id, Village.code)).all())
    counts = {code: Counter() for code in codes.values()}
    for h in db.session.scalars(sa.select(Household)):
        counts[codes[h.village_id]][status[h.id]] += 1
    return counts


def campaign_id() -> int:
    from fieldapp.models import Campaign

    return db.session.scalar(sa.select(Campaign.id).order_by(Campaign.id))
