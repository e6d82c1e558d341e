"""Restore epochs: one row per life of the database; a restore from a backup starts a new one."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class RestoreEpoch(db.Model):
    """The latest row's `value` is the `epoch` that phones compare (see the package docstring)."""

    __tablename__ = "restore_epochs"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(40), unique=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.String(255), default="")
