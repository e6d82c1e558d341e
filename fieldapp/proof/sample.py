"""Drawing the verification sample (see `verification` for the rules): each draw covers what
the server received since the previous one, per officer, seeded and recorded."""
from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from ..accountability import audit
from ..coverage import rollups
from ..extensions import db
from ..households.models import Household
from ..register.models import Village
from ..timeutil import VN, to_utc_naive, today_vn, utcnow
from ..visits.models import Visit
from .models import Verification, VerificationDraw


def population(draw: VerificationDraw) -> dict[int, list[tuple]]:
    """{officer id: [(household id, visit id, village id)]}: the households each officer warned
    in the draw's window (his latest warning of each, in force when drawn), less households
    sampled before in the campaign, sorted by household id. One query."""
    earlier = (sa.select(Verification.household_id).join(VerificationDraw)
               .where(VerificationDraw.campaign_id == draw.campaign_id, VerificationDraw.id != draw.id,
                      VerificationDraw.window_from < draw.window_from))
    query = (sa.select(Visit.user_id, Visit.household_id, Visit.id, Household.village_id)
             .join(Household, Household.id == Visit.household_id)
             .join(Village, Village.id == Household.village_id)
             .where(Visit.campaign_id == draw.campaign_id, Visit.outcome == "warned",
                    Village.commune_id == draw.commune_id,
                    Visit.received_at >= draw.window_from, Visit.received_at < draw.window_to,
                    Visit.standing_at(draw.drawn_at),
                    Visit.household_id.not_in(earlier))
             .order_by(Visit.received_at, Visit.id))
    latest: dict[int, dict] = defaultdict(dict)
    for officer, household, visit, village in db.session.execute(query):
        latest[officer][household] = (household, visit, village)
    return {officer: sorted(found.values(), key=lambda h: str(h[0])) for officer, found in latest.items()}


def sample_size(count: int, minimum: int, pct: float) -> int:
    return min(count, max(minimum, math.ceil(count * pct / 100)))


def choose(draw: VerificationDraw, officer_id: int, households: list[tuple]) -> list[tuple]:
    """The officer's sample: seeded by the draw's seed and the officer, reproducible."""
    k = sample_size(len(households), draw.sample_min, draw.sample_pct)
    return random.Random(f"{draw.seed}:{officer_id}").sample(households, k)


def last_draw(commune_id: int, campaign_id: int) -> VerificationDraw | None:
    return db.session.scalar(sa.select(VerificationDraw).where(
        VerificationDraw.commune_id == commune_id, VerificationDraw.campaign_id == campaign_id)
        .order_by(VerificationDraw.window_to.desc()).limit(1))


def _campaign_start(campaign) -> datetime:
    return to_utc_naive(datetime.combine(campaign.starts_on - timedelta(days=1), time.min, tzinfo=VN))


def draw(commune_id: int, campaign, until: datetime, user=None) -> VerificationDraw | None:
    """Draw the sample of what the server received since the last draw, until `until`
    (naive UTC); None when that window is empty of warnings."""
    previous = last_draw(commune_id, campaign.id)
    start = previous.window_to if previous else _campaign_start(campaign)
    if until <= start:
        return None
    config = current_app.config
    made = VerificationDraw(commune_id=commune_id, campaign_id=campaign.id, window_from=start, window_to=until,
                            seed=secrets.token_hex(8), sample_min=config["VERIFY_SAMPLE_MIN"],
                            sample_pct=config["VERIFY_SAMPLE_PCT"], drawn_at=utcnow(),
                            drawn_by_id=user.id if user else None)
    found = population(made)
    if not found:
        return None
    made.population = {str(officer): len(households) for officer, households in found.items()}
    db.session.add(made)
    db.session.flush()
    items = [{"draw_id": made.id, "visit_id": visit, "household_id": household, "officer_id": officer,
              "village_id": village, "note": ""}
             for officer, households in found.items() for household, visit, village in choose(made, officer, households)]
    db.session.execute(sa.insert(Verification), items)
    rollups.changed(samples={(made.id, item["village_id"]) for item in items})  # bulk: no flush sees them
    audit.record("sample_draw", "campaign", campaign.id, user=user, households=sum(made.population.values()),
                 sampled=len(items))
    return made


def week_start(day=None) -> datetime:
    """Monday 00:00 (Vietnam) of the week of `day` (default today), as naive UTC."""
    day = day or today_vn()
    return to_utc_naive(datetime.combine(day - timedelta(days=day.weekday()), time.min, tzinfo=VN))


def weekly(commune_id: int, campaign) -> VerificationDraw | None:
    """The week's draw, once a week has ended: everything received since the last draw until
    this Monday. Does nothing when that is already drawn (or empty)."""
    return draw(commune_id, campaign, week_start())


def redraw(made: VerificationDraw) -> dict[int, set]:
    """The sample this draw's seed and history give again: {officer id: {household id}}."""
    return {officer: {h for h, _v, _vil in choose(made, officer, households)}
            for officer, households in population(made).items()}
