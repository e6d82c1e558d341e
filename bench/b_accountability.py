"""Accountability: the warned-as-of API and the incident list (with verdicts) of a commune."""
from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.timeutil import today_vn

from .common import Result, login, make_app, timed

INCIDENTS = 200


def _incidents(app) -> tuple[str, int]:
    """INCIDENTS incidents on random households; returns a visited household id and the count."""
    from fieldapp.accountability.services import create_incident
    from fieldapp.extensions import db
    from fieldapp.models import Household, User, Visit

    rng = random.Random(6)
    with app.app_context():
        chihuy = db.session.scalar(sa.select(User).where(User.username == "chihuy"))
        homes = db.session.scalars(sa.select(Household).order_by(Household.id)).all()
        for home in rng.sample(homes, INCIDENTS):
            day = today_vn() - timedelta(days=rng.randint(1, 60))
            create_incident(home, {"occurred_on": day, "kind": rng.choice(["scam", "sextortion"]),
                                   "loss_vnd": rng.randint(1, 500) * 10**6, "victim_age": 17,
                                   "note": ""}, chihuy)
        db.session.commit()
        visited = db.session.scalar(sa.select(Visit.household_id).where(Visit.outcome == "warned").limit(1))
        households = db.session.scalar(sa.select(sa.func.count()).select_from(Household))
    return str(visited), households


def run(tmp):
    app = make_app(tmp, households=275, villages=31, name="accountability.sqlite3")
    household_id, households = _incidents(app)
    client = app.test_client()
    login(client, "chihuy")
    api = f"/api/households/{household_id}/warned?as_of={today_vn().isoformat()}"
    assert client.get(api).get_json()["visits"], "the bench household should have visits"
    warned = timed(lambda: client.get(api), repeat=50)
    listing = timed(lambda: client.get("/incidents/"), repeat=20)
    filtered = timed(lambda: client.get("/incidents/?verdict=not_visited"), repeat=20)
    export = timed(lambda: client.get("/incidents/export.xlsx"), repeat=10)
    note = f"{households} households, {INCIDENTS} incidents"
    return [
        Result("warned-as-of API, median", warned["median"], "ms", 50, note),
        Result("warned-as-of API, p95", warned["p95"], "ms"),
        Result(f"incident list ({INCIDENTS} with verdicts), median", listing["median"], "ms", 200, note),
        Result("incident list filtered by verdict, median", filtered["median"], "ms", 200),
        Result(f"incident XLSX export ({INCIDENTS} rows), median", export["median"], "ms", 400),
    ]
