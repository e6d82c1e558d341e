"""Proof of visits: what the checks add to a 200-visit sync batch, and the review page of
1,000 flagged visits."""
from __future__ import annotations

import json
import time
import uuid

import sqlalchemy as sa

from .b_sync import BATCH, _entries
from .common import Result, login, make_app


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
    bodies = _batches(app, client, 41)
    real = checks.after_store

    def send():
        answer = client.post("/api/sync/batch", data=bodies.pop(), content_type="application/json",
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 200 and answer.get_json()["results"][-1]["status"] == "created"

    wall = {True: [], False: []}
    cpu = {True: [], False: []}
    send()  # warm up
    try:
        for n in range(40):
            checking = n % 2 == 0
            checks.after_store = real if checking else (lambda ids: None)
            started, started_cpu = time.perf_counter(), time.process_time()
            send()
            wall[checking].append((time.perf_counter() - started) * 1000)
            cpu[checking].append((time.process_time() - started_cpu) * 1000)
    finally:
        checks.after_store = real
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    share = (median(cpu[True]) - median(cpu[False])) / median(cpu[False]) * 100
    return [
        Result(f"sync batch of {BATCH} visits with checks, median", median(wall[True]), "ms", 300,
               f"without checks {median(wall[False]):.0f} ms; every visit flagged (far, burst, late_entry)"),
        Result("checks' share of the batch's server time (CPU)", share, "%", 20,
               f"CPU per batch {median(cpu[True]):.0f} ms with, {median(cpu[False]):.0f} ms without "
               "(CPU time: the machine's load shifts wall times)"),
    ]


def _review_page(tmp) -> list[Result]:
    """The commander's review page over a commune with 1,000 flagged visits (the demo's own
    flags topped up with `far`), first page, a filtered page and a later page."""
    from .common import time_pages
    from fieldapp.extensions import db
    from fieldapp.models import Visit, VisitCheck

    app = make_app(tmp, name="proof-review.sqlite3")
    with app.app_context():
        flagged = set(db.session.scalars(sa.select(VisitCheck.visit_id)))
        more = [v for v in db.session.scalars(sa.select(Visit.id).order_by(Visit.id)) if v not in flagged]
        rows = [{"visit_id": v, "code": "far", "figures": {"distance_m": 612.3, "accuracy_m": 12, "limit_m": 162}}
                for v in more[:1000 - len(flagged)]]
        db.session.execute(sa.insert(VisitCheck), rows)
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(sa.distinct(VisitCheck.visit_id))))
    client = app.test_client()
    login(client, "chihuy")
    pages = [("first page", "/proof/"), ("one check", "/proof/?flag=far"), ("page 20", "/proof/?page=20"),
             ("all states, one officer", "/proof/?state=all&officer=cskv3")]
    results = time_pages(client, pages, f"review page, {total:,} flagged visits", 150)
    return results


def run(tmp):
    return [*_checks_share(tmp), *_review_page(tmp)]
