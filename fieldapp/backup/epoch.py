"""The restore epoch: which life of the database this is (see the package docstring)."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from ..extensions import db
from .models import RestoreEpoch


def current() -> str:
    """The latest epoch's value (one indexed read)."""
    return db.session.scalar(sa.select(RestoreEpoch.value).order_by(RestoreEpoch.id.desc()).limit(1)) or ""


def begin(note: str) -> str:
    """Start a new epoch (after a restore); flushes, never commits."""
    epoch = RestoreEpoch(value=uuid.uuid4().hex, note=note[:255])
    db.session.add(epoch)
    db.session.flush()
    return epoch.value
