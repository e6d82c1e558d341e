"""Building sync entries and sending batches the way the offline client does."""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.timeutil import today_vn

from fieldapp.extensions import db
from fieldapp.models import Campaign


def campaign_id() -> int:
    return db.session.scalar(sa.select(Campaign.id).order_by(Campaign.id))


def vn_time(days_ago: int = 1, clock: str = "09:15:00") -> str:
    """A device time with its offset on a day of the demo's campaign (which runs around today)."""
    return f"{(today_vn() - timedelta(days=days_ago)).isoformat()}T{clock}+07:00"


def visit_entry(household_id, campaign: int, seq: int = 1, entry_id=None, **data) -> dict:
    return {
        "id": str(entry_id or uuid.uuid4()), "type": "visit", "seq": seq,
        "recorded_at": data.pop("recorded_at", vn_time()),
        "data": {"household_id": str(household_id), "campaign_id": campaign, "outcome": "warned",
                 "topics": ["tu_co_lap"], "materials": ["leaflet"], "people_reached": 3,
                 "youth_reached": 1, "commitment_signed": False, "companions": [], "note": "",
                 "lat": 15.12, "lon": 108.8, "accuracy_m": 12, **data},
    }


def household_entry(village_id: int, seq: int = 1, entry_id=None, **data) -> dict:
    return {
        "id": str(entry_id or uuid.uuid4()), "type": "household", "seq": seq,
        "recorded_at": vn_time(clock="10:00:00"),
        "data": {"village_id": village_id, "head_name": "Trần Thị Mai", "address": "Ngõ 3",
                 "members": 4, "youth": 1, "lat": 15.1, "lon": 108.8, **data},
    }


def send(client, entries: list[dict], device_id: str = "phone-1", token: str | None = None, **kwargs):
    """POST a batch with a fresh CSRF token from /api/session, as the client does."""
    token = token or client.get("/api/session").get_json()["csrf_token"]
    body = kwargs.pop("json", None) or {"batch_id": str(uuid.uuid4()), "device_id": device_id, "entries": entries}
    return client.post("/api/sync/batch", json=body, headers={"X-CSRFToken": token}, **kwargs)


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["status"] for r in response.get_json()["results"]]
