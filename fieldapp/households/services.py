"""Writing households: added in the field, corrected, moved away, merged into a duplicate.

Every write flushes and audits; the request commits. A merged household keeps its row, its
status becomes `merged` and `merged_into_id` points at the survivor, which receives its
visits (and incidents), so coverage counts the family once and history stays readable.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..accountability.models import Incident
from ..auth.models import User
from ..coverage import rollups
from ..extensions import db
from ..i18n import vn_date
from ..timeutil import utcnow
from ..register.models import Village
from ..visits.models import Visit
from .models import DuplicateDismissal, Household, HouseholdMember, HouseholdMerge

UNDO_DAYS = 30  # an admin may undo a merge this long after it
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


def name_youth(household: Household, full_name: str, birth_year: int) -> HouseholdMember:
    """Name one of the household's youths (the form checked the rules); flush and audit."""
    member = HouseholdMember(household_id=household.id, full_name=full_name, birth_year=birth_year)
    db.session.add(member)
    db.session.flush()
    audit.record("youth_named", "household", household.id, birth_year=birth_year)
    return member


def unname_youth(household: Household, member: HouseholdMember) -> None:
    """Remove a named youth (moved out, aged out, or named by mistake); audited."""
    birth_year = member.birth_year
    db.session.delete(member)
    db.session.flush()
    audit.record("youth_unnamed", "household", household.id, birth_year=birth_year)


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


# What a merge moves from the duplicate to the survivor, and undoes.
MOVED = {"visits": Visit, "incidents": Incident, "members": HouseholdMember}


def merge(duplicate: Household, survivor: Household, user: User | None = None) -> int:
    """Merge `duplicate` into `survivor`: its visits, incidents and named youths move; the
    merge is kept with what it moved (`HouseholdMerge`) so an admin can undo it. Returns the
    visits moved. ValueError unless they are `mergeable`."""
    if not mergeable(duplicate, survivor):
        raise ValueError("cannot merge")
    moved = {name: [str(i) for i in db.session.scalars(sa.select(model.id).where(model.household_id == duplicate.id))]
             for name, model in MOVED.items()}
    for model in MOVED.values():
        db.session.execute(sa.update(model).where(model.household_id == duplicate.id)
                           .values(household_id=survivor.id).execution_options(synchronize_session=False))
    db.session.add(HouseholdMerge(duplicate_id=duplicate.id, survivor_id=survivor.id, moved=moved,
                                  previous_status=duplicate.status, merged_by_id=user.id if user else None))
    duplicate.status = "merged"
    duplicate.merged_into_id = survivor.id
    db.session.flush()
    rollups.changed([survivor.id])  # its visits arrived by a bulk UPDATE
    db.session.expire(survivor)
    audit.record("household_merge", "household", duplicate.id, into=str(survivor.id),
                 visits_moved=len(moved["visits"]))
    return len(moved["visits"])


def last_merge(duplicate: Household) -> HouseholdMerge | None:
    """The merge that made this household merged (None if it was never merged or was undone)."""
    return db.session.scalar(sa.select(HouseholdMerge).where(
        HouseholdMerge.duplicate_id == duplicate.id, HouseholdMerge.undone_at.is_(None))
        .order_by(HouseholdMerge.merged_at.desc(), HouseholdMerge.id.desc()).limit(1))


def undo_problem(merge_row: HouseholdMerge, now=None) -> str | None:
    """Why this merge can no longer be undone, in the reader's language; None when it can."""
    now = now or utcnow()
    if merge_row.undone_at is not None:
        return _("This merge was already undone.")
    if now - merge_row.merged_at > timedelta(days=UNDO_DAYS):
        return _("Merged on %(day)s, more than %(days)s days ago: only a merge of the last %(days)s days can be undone.",
                 day=vn_date(merge_row.merged_at), days=UNDO_DAYS)
    if merge_row.survivor.status == "merged":
        return _("The household kept has since been merged into another (with these visits): undo that merge first.")
    if merge_row.duplicate.merged_into_id != merge_row.survivor_id:
        return _("The household has changed since the merge.")
    return None


def undo_merge(merge_row: HouseholdMerge, user: User) -> None:
    """Bring the merged household back as it was: its status, and the visits, incidents and
    named youths the merge moved. ValueError (with the reason) when `undo_problem` says so."""
    if problem := undo_problem(merge_row):
        raise ValueError(problem)
    for name, model in MOVED.items():
        ids = [_key(model, i) for i in merge_row.moved.get(name, [])]
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            db.session.execute(sa.update(model).where(model.id.in_(chunk), model.household_id == merge_row.survivor_id)
                               .values(household_id=merge_row.duplicate_id).execution_options(synchronize_session=False))
    duplicate = merge_row.duplicate
    duplicate.status, duplicate.merged_into_id = merge_row.previous_status, None
    merge_row.undone_at, merge_row.undone_by_id = utcnow(), user.id
    db.session.flush()
    rollups.changed([merge_row.survivor_id, merge_row.duplicate_id])  # the visits went back by a bulk UPDATE
    db.session.expire_all()
    audit.record("household_unmerge", "household", merge_row.duplicate_id, into=str(merge_row.survivor_id),
                 visits_moved=len(merge_row.moved.get("visits", [])))


def _key(model, text: str):
    return uuid.UUID(text) if model is Visit else int(text)


def dismiss_pair(a: Household, b: Household, user: User) -> bool:
    """Mark two households as different families, for good; False when already marked."""
    first, second = sorted((a.id, b.id), key=str)
    exists = db.session.scalar(sa.select(DuplicateDismissal.id).where(
        DuplicateDismissal.first_id == first, DuplicateDismissal.second_id == second))
    if exists or a.id == b.id:
        return False
    db.session.add(DuplicateDismissal(first_id=first, second_id=second, user_id=user.id))
    db.session.flush()
    audit.record("duplicates_dismiss", "household", first, household=str(second))
    return True
