"""Reporting a change to the register, and deciding it.

Reports are written by village heads and change nothing; `accept` applies one through the
register's own writes (`households.services`: added, marked moved, merged — an admin can
undo that within 30 days — or corrected), `reject` closes it. Each step is audited; the
request commits.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..accountability import audit
from ..auth.models import User
from ..extensions import db
from ..households import services as households
from ..households.models import Household
from ..register.models import Village
from ..timeutil import utcnow
from .models import RegisterChange

FIELDS = ("code", "head_name", "address", "phone", "members", "youth")


def report(kind: str, village: Village, user: User, note: str, household: Household | None = None,
           other: Household | None = None, proposed: dict | None = None) -> RegisterChange:
    change = RegisterChange(kind=kind, village_id=village.id, household_id=household.id if household else None,
                            other_household_id=other.id if other else None, proposed=proposed or {},
                            note=note.strip(), reported_by_id=user.id)
    db.session.add(change)
    db.session.flush()
    audit.record("change_report", "register_change", change.id, user=user, change=kind,
                 household=str(household.id) if household else "")
    return change


def proposed_values(values: dict) -> dict:
    """A form's household fields as JSON-ready values ('' for an empty text)."""
    return {f: (values.get(f) or "") if f not in ("members", "youth", "phone") else values.get(f) for f in FIELDS}


def differences(household: Household, values: dict) -> dict:
    """The proposed fields that differ from what the register holds."""
    proposed = proposed_values(values)
    return {f: v for f, v in proposed.items() if (getattr(household, f) or "") != (v or "")}


def decide_problem(change: RegisterChange) -> str | None:
    """Why the report cannot be accepted as it stands (None when it can)."""
    if change.status != "open":
        return _("This report was already decided.")
    household = change.household
    if household is not None and household.status == "merged":
        return _("The household has been merged into another since the report.")
    if change.kind == "moved" and household.status != "active":
        return _("The household is already marked as moved away.")
    if change.kind == "duplicate" and not households.mergeable(household, change.other_household):
        return _("These two households cannot be merged any more.")
    return None


def accept(change: RegisterChange, user: User, comment: str = "") -> None:
    """Apply the report to the register and close it; ValueError (the reason) when it cannot."""
    if problem := decide_problem(change):
        raise ValueError(problem)
    household = change.household
    if change.kind == "moved":
        households.set_status(household, "moved")
    elif change.kind == "duplicate":
        households.merge(household, change.other_household, user)
    elif change.kind == "wrong_info":
        current = {f: getattr(household, f) for f in households.EDITABLE}
        households.edit(household, {**current, **change.proposed})
    else:
        added = households.add_household(change.village, {**change.proposed, "lat": None, "lon": None}, user)
        change.result_household_id = added.id
    _close(change, "accepted", user, comment)


def reject(change: RegisterChange, user: User, comment: str = "") -> None:
    if change.status != "open":
        raise ValueError(_("This report was already decided."))
    _close(change, "rejected", user, comment)


def _close(change: RegisterChange, status: str, user: User, comment: str) -> None:
    change.status, change.decided_by_id, change.decided_at = status, user.id, utcnow()
    change.decision_note = comment.strip()
    db.session.flush()
    audit.record("change_accept" if status == "accepted" else "change_reject", "register_change", change.id,
                 change=change.kind, note=change.decision_note)
