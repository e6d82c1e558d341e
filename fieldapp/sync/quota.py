"""Bounds on what one person's phone can leave for review: at most QUARANTINE_PER_DAY refused
entries in any 24 hours, and none kept larger than QUARANTINE_ENTRY_BYTES.

Past the daily bound the whole batch answers 429 with Retry-After and nothing of it is kept
(the phone keeps every entry and sends them later). An entry over the size bound is refused
and kept only by its id, type and size."""
from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from .models import QuarantinedEntry

WINDOW = timedelta(hours=24)


class Exceeded(Exception):
    """The batch would keep more refused entries than the user has room for today."""


def room(user) -> tuple[int, int]:
    """(refused entries the user may still leave in this window, seconds until one more)."""
    limit, since = current_app.config["QUARANTINE_PER_DAY"], utcnow() - WINDOW
    recent = db.session.scalars(
        sa.select(QuarantinedEntry.received_at)
        .where(QuarantinedEntry.user_id == user.id, QuarantinedEntry.received_at > since)
        .order_by(QuarantinedEntry.received_at.desc()).limit(limit)).all()
    if len(recent) < limit:
        return limit - len(recent), 0
    return 0, int((recent[-1] + WINDOW - utcnow()).total_seconds()) + 1


def size(entry: dict) -> int:
    return len(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode())


def oversized(entry: dict) -> bool:
    return size(entry) > current_app.config["QUARANTINE_ENTRY_BYTES"]


def trimmed(entry: dict) -> dict:
    """What is kept of an oversized entry: enough to name it, nothing of its content."""
    return {"id": entry["id"], "type": entry["type"][:20], "seq": entry.get("seq"), "size": size(entry),
            "data": {}, "trimmed": True}
