"""Proof of visits: what the checks add to a 200-visit sync batch, and the review page of
1,000 flagged visits."""
from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from .b_sync import BATCH, _entries
from .common import Result, login, make_app, timed


def _batches(app, client, count: int) -> list[str]:
    from fieldapp.auth import scoping
    from fieldapp.extensions import db
    from fieldapp.models import Campaign, User

    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        topics = [t.code for t in campaign.topics]
        officer = db.session.scalar(sa.select(User).where(User.username == "cskv1"))
        households = [str(h.id) for h in db.session.scalars(scoping.households(officer))]
        campaign_id = campaign.id
    bodies = []
    for n in range(count):  # each batch a day of its own, as a phone's day of taps would be
        entries = _entries(households, campaign_id, topics)
        for entry in entries:
            entry["recorded_at"] = f"2025-10-{7 + n % 24:02d}T09:{n // 24:02d}:00+07:00"
        bodies.append(json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "bench", "entries": entries}))
    return bodies


def _checks_share(tmp) -> list[Result]:
    """The same 200-visit batches with the checks on and off (interleaved, so the machine's
    load hits both alike)."""
    from fieldapp.proof import checks

    app = make_app(tmp, households=60, villages=6, name="proof-sync.sqlite3")
    client = app.test_client()
    login(client, "cskv1")
    token = client.get("/api/session").get_json()["csrf_token"]
    bodies = _batches(app, client, 44)
    real = checks.after_store

    def send():
        answer = client.post("/api/sync/batch", data=bodies.pop(), content_type="application/json",
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 200 and answer.get_json()["results"][-1]["status"] == "created"

    on, off = [], []
    try:
        for _round in range(4):
            checks.after_store = real
            on.append(timed(send, repeat=5, warmup=1)["median"])
            checks.after_store = lambda ids: None
            off.append(timed(send, repeat=5, warmup=0)["median"])
    finally:
        checks.after_store = real
    with_checks, without = sorted(on)[len(on) // 2], sorted(off)[len(off) // 2]
    share = (with_checks - without) / without * 100
    return [
        Result(f"sync batch of {BATCH} visits with checks, median", with_checks, "ms", 300,
               f"without checks {without:.0f} ms; every visit flagged (far, burst, late_entry)"),
        Result("checks' share of the batch's server time", share, "%", 20),
    ]


def run(tmp):
    return [*_checks_share(tmp)]
