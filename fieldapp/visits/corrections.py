"""Correcting and withdrawing visits: the record is never edited in place.

A correction is a new visit that supersedes the old one, with a reason; a withdrawal is a
`VisitWithdrawal` record with a reason (none for an undo seconds after the tap). Either may
be done at any time by the visit's author or by a commander whose area holds the household,
on a visit still in force, while its campaign is not closed. The web pages and the sync
batch call these, so both refuse the same things with the same words.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import can
from ..auth.models import User
from ..extensions import db
from ..households.models import Household
from ..timeutil import utcnow
from .models import Visit, VisitWithdrawal
from .services import record_visit


def refusal(visit: Visit, user: User) -> tuple[str, str] | None:
    """(field, why) when `user` may not correct or withdraw `visit` (in the caller's area),
    else None: only its author or a commander, only while in force, not once closed."""
    if visit.user_id != user.id and not can(user, "correct_any"):
        return "visit_id", _("Only the officer who recorded this visit, or the commander, can correct or withdraw it.")
    if not visit.in_force:
        return "visit_id", _("This visit has already been corrected or withdrawn; change the record in force instead.")
    if visit.campaign.closed_at is not None:
        return "campaign_id", _("The campaign “%(name)s” is closed: its record is final.", name=visit.campaign.name)
    return None


def visit_in_area(user: User, visit_id) -> Visit | None:
    """The visit if its household lies in the user's area, else None."""
    try:
        key = visit_id if isinstance(visit_id, uuid.UUID) else uuid.UUID(str(visit_id))
    except ValueError:
        return None
    return db.session.scalar(sa.select(Visit).join(Household, Household.id == Visit.household_id)
                             .where(Visit.id == key, Household.village_id.in_(scoping.village_ids(user))))


def device_time(visit: Visit) -> datetime:
    """The visit's own time as its device gave it (aware, with its offset)."""
    zone = timezone(timedelta(minutes=visit.recorded_offset_min))
    return visit.recorded_at.replace(tzinfo=timezone.utc).astimezone(zone)


def correct(visit: Visit, user: User, values: dict, reason: str, **recording) -> Visit:
    """The corrected record of the same visit (same household, campaign and time of the visit),
    by `user`, superseding `visit`; the caller checked `refusal`. Flushes, audits."""
    return record_visit(visit.household, visit.campaign, user, values, recorded_at=device_time(visit),
                        supersedes=visit, reason=reason.strip(), **recording)


def withdraw(visit: Visit, user: User, reason: str, *, withdrawal_id: uuid.UUID | None = None,
             recorded_at: datetime | None = None, device_id: str = "web") -> VisitWithdrawal:
    """Take the visit back (the caller checked `refusal`); it stays in the history, no longer
    in force. Flushes, audits."""
    now = utcnow()
    record = VisitWithdrawal(id=withdrawal_id or uuid.uuid4(), visit_id=visit.id, user_id=user.id,
                             reason=reason.strip(), recorded_at=recorded_at or now, received_at=now, device_id=device_id)
    visit.replaced_at, visit.replaced_reason = now, "withdrawn"
    db.session.add(record)
    db.session.flush()
    audit.record("visit_withdraw", "visit", visit.id, user=user, reason=record.reason)
    return record


def undo(visit: Visit, user: User, undo_seconds: int) -> bool:
    """Undo a tap: only its author, only within the undo window (with a little slack)."""
    if visit.user_id != user.id or not visit.in_force:
        return False
    if utcnow() - visit.received_at > timedelta(seconds=undo_seconds + 30):
        return False
    withdraw(visit, user, "")
    return True


def superseding(visit_ids) -> dict:
    """{visit id: (the visit that replaced it, or None for a withdrawal), …} with withdrawal
    records: who changed the record, when and why, for history and verdict pages. 2 queries."""
    ids = list(visit_ids)
    if not ids:
        return {}
    found: dict = {}
    for newer in db.session.scalars(sa.select(Visit).where(Visit.supersedes_id.in_(ids))):
        found[newer.supersedes_id] = newer
    for record in db.session.scalars(sa.select(VisitWithdrawal).where(VisitWithdrawal.visit_id.in_(ids))):
        found[record.visit_id] = record
    return found
