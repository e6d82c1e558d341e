"""Receipts: one row per entry id ever received, taken before the entry is written.

`claim` inserts a batch's receipts in entry-id order with insert-on-conflict-do-nothing. A
request whose ids another request is writing waits for that one to finish (PostgreSQL) or
for the write lock (SQLite), then finds them taken and answers from the winner's receipts;
because every request takes its ids in the same order, two requests holding the same ids
queue behind each other and never deadlock.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from ..auth.models import User
from ..extensions import db
from ..timeutil import to_utc_naive, utcnow
from . import refused
from .models import QuarantinedEntry, SyncReceipt

RECEIPTS = SyncReceipt.__table__
SKEW_LIMIT_S = 10**12  # beyond any calendar Python parses; keeps the column's range


def existing(ids) -> dict[uuid.UUID, sa.Row]:
    """The receipts already stored for these entry ids (what `answer` needs of them)."""
    if not ids:
        return {}
    query = sa.select(SyncReceipt.entry_id, SyncReceipt.content_hash, SyncReceipt.user_id, SyncReceipt.status,
                      SyncReceipt.result).where(SyncReceipt.entry_id.in_(ids))
    return {r.entry_id: r for r in db.session.execute(query)}


def claim(rows: list[dict]) -> set[uuid.UUID]:
    """Insert these receipt rows in entry-id order, skipping ids already taken; the ids won."""
    if not rows:
        return set()
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RECEIPTS)
    statement = insert.on_conflict_do_nothing(index_elements=["entry_id"]).returning(RECEIPTS.c.entry_id)
    ordered = sorted(rows, key=lambda row: row["entry_id"])
    return set(db.session.connection().execute(statement, ordered).scalars())


def reclaim(rows: list[dict], user: User) -> set[uuid.UUID]:
    """Take again, in entry-id order, the receipts of entries this user sent before and the
    server refused (a new attempt under the same id); the ids won. A receipt another request
    took meanwhile (now created) is not won: the entry is answered from it."""
    won = set()
    for values in sorted(rows, key=lambda row: row["entry_id"]):
        statement = (RECEIPTS.update()
                     .where(RECEIPTS.c.entry_id == values["entry_id"], RECEIPTS.c.status == "quarantined",
                            RECEIPTS.c.user_id == user.id)
                     .values({k: v for k, v in values.items() if k != "entry_id"}).returning(RECEIPTS.c.entry_id))
        won |= set(db.session.connection().execute(statement).scalars())
    return won


def row(user: User, batch_id: str, device_id: str, entry: dict, entry_id: uuid.UUID, digest: str,
        received_at: datetime) -> dict:
    return dict(entry_id=entry_id, entry_type=entry["type"][:20], content_hash=digest, status="created",
                result={"status": "created"}, user_id=user.id, device_id=device_id, seq=entry.get("seq"),
                batch_id=batch_id, received_at=received_at, skew_s=skew(entry, received_at))


def skew(entry: dict, received_at: datetime) -> int | None:
    """Device time minus receipt time, in seconds (None when the device time is unreadable)."""
    try:
        moment = datetime.fromisoformat(entry.get("recorded_at"))
        if moment.tzinfo is None:
            return None
        seconds = int((to_utc_naive(moment) - received_at).total_seconds())
    except (TypeError, ValueError, OverflowError):
        return None
    return max(-SKEW_LIMIT_S, min(SKEW_LIMIT_S, seconds))


def mark_quarantined(refused: dict[uuid.UUID, dict]) -> None:
    """Receipts of entries refused for their content keep the refusal, answered again on resend."""
    for entry_id, result in sorted(refused.items()):
        db.session.connection().execute(
            RECEIPTS.update().where(RECEIPTS.c.entry_id == entry_id).values(status="quarantined", result=result))


def answer(user: User, device_id: str, entry: dict, receipt, digest: str) -> dict:
    """The answer to an entry whose id already has a receipt."""
    if receipt.content_hash != digest or receipt.user_id != user.id:
        errors = {"id": _("This id was already used for a different entry; the first one is kept.")}
        quarantine(user, device_id, entry, errors)
        return {"id": entry["id"], "status": "id_conflict", "errors": errors}
    if receipt.status == "created":
        return {"id": entry["id"], "status": "duplicate"}
    return {"id": entry["id"], **receipt.result}


def content_hash(entry: dict) -> str:
    """SHA-256 of the entry's meaning: type, device time and data, as canonical JSON (of an
    entry `apply_batch` already normalised to NFC)."""
    content = {"type": entry["type"], "recorded_at": entry.get("recorded_at"), "data": entry["data"]}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def quarantine(user: User, device_id: str, entry: dict, errors: dict) -> dict:
    """Keep the raw entry for review, once (see `refused.keep`)."""
    with db.session.begin_nested():
        refused.keep(user, device_id, entry, errors, content_hash)
    return {"id": entry["id"], "status": "quarantined", "errors": errors}


def resolve_stored(entry_ids: list[str]) -> None:
    """Quarantined copies of entries that are stored after all (an earlier answer that was
    wrong, or a resend that got through) resolve themselves."""
    if not entry_ids:
        return
    open_rows = sorted(db.session.scalars(sa.select(QuarantinedEntry.id).where(
        QuarantinedEntry.entry_id.in_(entry_ids), QuarantinedEntry.resolved_at.is_(None))))
    if open_rows:
        db.session.execute(sa.update(QuarantinedEntry).where(QuarantinedEntry.id.in_(open_rows))
                           .values(resolved_at=utcnow(), resolution=STORED), execution_options={"synchronize_session": False})


STORED = "stored"  # the resolution of a quarantined entry that the server holds after all


def statuses(user: User, ids: list[str]) -> list[dict]:
    """What the server holds for each of the caller's entry ids: created, quarantined or unknown."""
    from .entries import as_uuid

    keys = {raw: as_uuid(raw) for raw in ids}
    found = dict(db.session.execute(
        sa.select(SyncReceipt.entry_id, SyncReceipt.status)
        .where(SyncReceipt.entry_id.in_([k for k in keys.values() if k]), SyncReceipt.user_id == user.id)
    ).all())
    return [{"id": raw, "status": found.get(key, "unknown")} for raw, key in keys.items()]
