"""Households added in the field."""
from __future__ import annotations

import uuid

from ..accountability import audit
from ..auth.models import User
from ..extensions import db
from ..register.models import Household, Village


def add_household(village: Village, values: dict, user: User,
                  household_id: uuid.UUID | None = None) -> Household:
    """Add a household found in the field; flush, audit, never commit."""
    household = Household(
        id=household_id or uuid.uuid4(), village_id=village.id,
        code=values.get("code") or "", head_name=values["head_name"],
        address=values.get("address") or "", phone=values.get("phone"),
        members=values["members"], youth=values["youth"],
        lat=values.get("lat"), lon=values.get("lon"), source="field", created_by_id=user.id,
    )
    db.session.add(household)
    db.session.flush()
    audit.record("household_create", "household", household.id, user=user, village=village.code)
    return household
