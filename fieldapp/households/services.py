"""Writing households: added in the field, corrected, moved away, merged into a duplicate.

Every write flushes and audits; the request commits. A merged household keeps its row, its
status becomes `merged` and `merged_into_id` points at the survivor, which receives its
visits (and incidents), so coverage counts the family once and history stays readable.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from ..accountability import audit
from ..accountability.models import Incident
from ..auth.models import User
from ..coverage import rollups
from ..extensions import db
from ..register.models import Village
from ..visits.models import Visit
from .models import Household

EDITABLE = ("code", "head_name", "address", "phone", "members", "youth", "lat", "lon")


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


def edit(household: Household, values: dict) -> list[str]:
    """Apply the form's values; audit the names of the fields that changed."""
    values = {**values, "code": values.get("code") or "", "address": values.get("address") or ""}
    changed = [f for f in EDITABLE if getattr(household, f) != values.get(f)]
    for name in changed:
        setattr(household, name, values.get(name))
    if changed:
        db.session.flush()
        audit.record("household_update", "household", household.id, fields=changed)
    return changed


def set_status(household: Household, status: str) -> None:
    """active ↔ moved (merged households are only changed by a merge)."""
    if household.status == "merged" or status not in ("active", "moved"):
        raise ValueError(status)
    if household.status != status:
        household.status = status
        db.session.flush()
        audit.record("household_moved" if status == "moved" else "household_returned", "household", household.id)


def same_village(duplicate: Household, survivor: Household) -> bool:
    """A merge across villages would move a family's history to another village's officers
    and figures without anyone deciding so: the household is first corrected into its village."""
    return duplicate.village_id == survivor.village_id


def mergeable(duplicate: Household, survivor: Household) -> bool:
    """Two different households of one village, neither of them merged already."""
    return (duplicate.id != survivor.id and "merged" not in (duplicate.status, survivor.status)
            and same_village(duplicate, survivor))


def merge(duplicate: Household, survivor: Household) -> int:
    """Merge `duplicate` into `survivor`: its visits and incidents move; returns visits moved.
    ValueError unless they are `mergeable`."""
    if not mergeable(duplicate, survivor):
        raise ValueError("cannot merge")
    moved = db.session.execute(sa.update(Visit).where(Visit.household_id == duplicate.id)
                               .values(household_id=survivor.id)).rowcount
    db.session.execute(sa.update(Incident).where(Incident.household_id == duplicate.id)
                       .values(household_id=survivor.id))
    duplicate.status = "merged"
    duplicate.merged_into_id = survivor.id
    db.session.flush()
    rollups.changed([survivor.id])  # its visits arrived by a bulk UPDATE
    audit.record("household_merge", "household", duplicate.id, into=str(survivor.id), visits_moved=moved)
    return moved
