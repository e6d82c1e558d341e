"""Coverage pages and exports: the demo (~6,200 households) and a commune of 8,500 households
with 20,000 visits (dashboard ≤ 100 ms server time)."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from .common import login, make_app, time_pages

TARGET_VISITS = 20_000


def add_visits(app, total: int = TARGET_VISITS, seed: int = 7) -> int:
    """Top the seeded visits up to `total` with visits in force spread over the campaign."""
    from fieldapp.extensions import db
    from fieldapp.models import Assignment, Campaign, Household, User, Visit
    from fieldapp.timeutil import VN, to_utc_naive

    rng = random.Random(seed)
    with app.app_context():
        have = db.session.scalar(sa.select(sa.func.count()).select_from(Visit))
        campaign = db.session.scalar(sa.select(Campaign))
        homes = db.session.execute(sa.select(Household.id, Household.village_id)).all()
        team = {}
        for user_id, village_id in db.session.execute(
                sa.select(User.id, Assignment.village_id).join(Assignment, Assignment.user_id == User.id)
                .where(User.role == "officer")):
            team.setdefault(village_id, []).append(user_id)
        days = (campaign.ends_on - campaign.starts_on).days
        rows = []
        for _ in range(max(0, total - have)):
            home_id, village_id = rng.choice(homes)
            day = campaign.starts_on + timedelta(days=rng.randint(0, days))
            moment = to_utc_naive(datetime.combine(day, time(rng.randint(7, 19), rng.randint(0, 59)), tzinfo=VN))
            outcome = rng.choices(("warned", "nobody_home", "refused"), (6, 3, 1))[0]
            rows.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4), "household_id": home_id,
                         "campaign_id": campaign.id, "user_id": rng.choice(team[village_id]),
                         "outcome": outcome, "recorded_at": moment, "recorded_offset_min": 420,
                         "received_at": moment + timedelta(minutes=5), "device_id": "bench",
                         "people_reached": 2 if outcome == "warned" else 0, "youth_reached": 0,
                         "commitment_signed": False, "note": ""})
        if rows:
            db.session.execute(sa.insert(Visit), rows)
        db.session.commit()
        return db.session.scalar(sa.select(sa.func.count()).select_from(Visit))


def _pages(app):
    from fieldapp.extensions import db
    from fieldapp.models import Campaign, Village

    with app.app_context():
        village_id = db.session.scalar(sa.select(Village.id).order_by(Village.code))
        campaign_id = db.session.scalar(sa.select(Campaign.id))
    return [
        ("dashboard /coverage/", "/coverage/"),
        ("dashboard sorted by coverage", "/coverage/?sort=-coverage"),
        ("village view", f"/coverage/villages/{village_id}"),
        ("village view ?status=not_visited", f"/coverage/villages/{village_id}?status=not_visited"),
        ("walk list", f"/coverage/villages/{village_id}/walk"),
        ("map page", "/coverage/map"),
        ("report page", f"/reports/campaigns/{campaign_id}"),
        ("villages.geojson", "/exports/villages.geojson"),
        ("coverage.csv", "/exports/coverage.csv"),
        ("coverage.xlsx", "/exports/coverage.xlsx"),
        ("households.geojson, one village", f"/exports/households.geojson?village={village_id}"),
    ]


def run(tmp):
    demo = make_app(tmp, households=200, villages=31, name="coverage-demo.sqlite3")
    client = demo.test_client()
    login(client, "chihuy")
    results = time_pages(client, _pages(demo), "demo", 100)
    commune = make_app(tmp, households=275, villages=31, name="coverage-commune.sqlite3")
    visits = add_visits(commune)
    client = commune.test_client()
    login(client, "chihuy")
    dashboard = [p for p in _pages(commune) if p[0].startswith("dashboard")]
    results += time_pages(client, dashboard, f"8,500 hh / {visits:,} visits", 100)
    return results
