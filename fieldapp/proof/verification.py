"""The verification sample: drawn each week at random per officer, checked with the households."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..visits.models import Visit
from .models import Verification


def _lineage(visit: Visit) -> list:
    """The visit and every visit it corrected, newest first (a correction inherits the
    verification of the warning it restates)."""
    ids, key = [visit.id], visit.supersedes_id
    while key is not None and key not in ids and len(ids) < 20:
        ids.append(key)
        key = db.session.scalar(sa.select(Visit.supersedes_id).where(Visit.id == key))
    return ids


def of_visit(visit: Visit) -> Verification | None:
    """The latest verification with a result of the visit or of a visit it corrected."""
    return db.session.scalar(
        sa.select(Verification).where(Verification.visit_id.in_(_lineage(visit)), Verification.result.is_not(None))
        .order_by(Verification.at.desc(), Verification.id.desc()).limit(1))
