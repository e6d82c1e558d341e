"""Reading reported register changes."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import RegisterChange


def recent_changes(village_id: int, limit: int = 10) -> list[RegisterChange]:
    """The village's latest reports, newest first, with their households and deciders."""
    return list(db.session.scalars(
        sa.select(RegisterChange).where(RegisterChange.village_id == village_id)
        .order_by(RegisterChange.reported_at.desc(), RegisterChange.id.desc()).limit(limit)
        .options(joinedload(RegisterChange.household), joinedload(RegisterChange.decided_by))))
