"""Reading the checks: a visit's flags, and the commander's review of flagged visits."""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from ..extensions import db
from .checks import CHECKS
from .models import VisitCheck


def checks_of(visit_ids) -> dict:
    """{visit id: [(code, figures)]} in CHECKS order, for every id asked (empty lists too)."""
    found = defaultdict(list)
    ids = list(visit_ids)
    if ids:
        for check in db.session.scalars(sa.select(VisitCheck).where(VisitCheck.visit_id.in_(ids))):
            found[check.visit_id].append((check.code, check.figures or {}))
    return {vid: sorted(found[vid], key=lambda c: CHECKS.index(c[0]) if c[0] in CHECKS else 99) for vid in ids}
