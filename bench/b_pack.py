"""Pack refresh after one tap: bytes on the wire for the delta (`?since=`) against the whole pack."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.timeutil import today_vn, utcnow

from .common import Result, login, make_app


def _wire(response) -> int:
    """Body as served (compressed when it pays) plus the status line and headers."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response.headers.items())
    return len(head.encode()) + 2 + len(response.data)


def run(tmp):
    app = make_app(tmp, households=200, villages=31, name="pack.sqlite3")
    from fieldapp.auth import scoping
    from fieldapp.extensions import db
    from fieldapp.models import Campaign, Household, User, Visit

    with app.app_context():  # as a phone finds it: nothing changed in the last hour
        hour_ago = utcnow() - timedelta(hours=1)
        db.session.execute(sa.update(Household).values(updated_at=hour_ago))
        db.session.execute(sa.update(Visit).where(Visit.received_at > hour_ago).values(received_at=hour_ago))
        db.session.commit()
        officer = db.session.scalar(sa.select(User).where(User.username == "cskv1"))
        household = db.session.scalar(scoping.households(officer).where(
            Household.id.not_in(sa.select(Visit.household_id))).limit(1))
        campaign_id = db.session.scalar(sa.select(Campaign.id))
        target, count = str(household.id), db.session.scalar(
            sa.select(sa.func.count()).select_from(scoping.households(officer).subquery()))
    client = app.test_client()
    login(client, "cskv1")
    headers = {"Accept-Encoding": "br, gzip"}
    full = client.get("/api/me/pack", headers=headers)
    version = json.loads(client.get("/api/me/pack").data)["version"]
    token = client.get("/api/session").get_json()["csrf_token"]
    entry = {"id": str(uuid.uuid4()), "type": "visit", "seq": 1,
             "recorded_at": f"{today_vn().isoformat()}T08:00:00+07:00",
             "data": {"household_id": target, "campaign_id": campaign_id, "outcome": "warned",
                      "topics": ["tu_co_lap"], "materials": ["leaflet"], "people_reached": 1}}
    sent = client.post("/api/sync/batch", json={"batch_id": "b", "device_id": "bench", "entries": [entry]},
                       headers={"X-CSRFToken": token})
    assert sent.get_json()["results"][0]["status"] == "created", sent.get_json()
    delta = client.get(f"/api/me/pack?since={version}", headers=headers)
    changed = json.loads(client.get(f"/api/me/pack?since={version}").data)["changed"]
    assert [h["id"] for h in changed] == [target], [h["id"] for h in changed]
    return [
        Result("pack refresh after one tap (delta, on the wire)", _wire(delta) / 1024, "KB", 2,
               f"{len(changed)} household; body {len(delta.data)} B ({delta.headers.get('Content-Encoding', 'identity')})"),
        Result("whole pack of cskv1 (on the wire)", _wire(full) / 1024, "KB", None,
               f"{count} households; {full.headers.get('Content-Encoding', 'identity')}"),
    ]
