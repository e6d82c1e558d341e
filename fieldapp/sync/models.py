"""Sync receipts and quarantined entries: what the server answered to each outbox entry."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class SyncReceipt(db.Model):
    """One row per entry id ever received; the primary key makes duplicates safe to race."""

    __tablename__ = "sync_receipts"

    entry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    entry_type: Mapped[str] = mapped_column(sa.String(20))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(20))  # created | quarantined
    result: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str] = mapped_column(sa.String(80))
    seq: Mapped[int | None]
    batch_id: Mapped[str | None] = mapped_column(sa.String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The device's time minus the receipt time, in seconds: how far ahead (positive) or behind
    # the phone's clock was, plus how long the entry waited in its outbox.
    skew_s: Mapped[int | None] = mapped_column(sa.BigInteger)


class QuarantinedEntry(db.Model):
    """An entry the server would not apply, kept raw for a commander to review."""

    __tablename__ = "quarantined_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    device_id: Mapped[str] = mapped_column(sa.String(80), default="")
    raw: Mapped[dict] = mapped_column(sa.JSON)
    errors: Mapped[dict] = mapped_column(sa.JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(sa.String(200))  # "stored": the server holds it after all
