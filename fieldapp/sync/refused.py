"""Entries the server refused, kept once for the commander's review.

An officer who fixes a refused entry on the phone sends it again under the same id (a new
attempt, see `batch`); one who sends the same refused content again, under its id or a new
one, adds nothing to the list: the unresolved row of that entry, or of the same content from
the same user, is brought up to date instead. An entry that goes through at last closes its
rows as fixed.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import utcnow
from .models import QuarantinedEntry


def _same(raw, entry: dict, digest) -> bool:
    return isinstance(raw, dict) and isinstance(raw.get("data"), dict) and isinstance(raw.get("type"), str) \
        and digest(raw) == digest(entry)


def keep(user, device_id: str, entry: dict, errors: dict, digest) -> None:
    """Add the refused entry to the review list unless it is there already (same entry id,
    or same content from the same user, unresolved); `digest` is the batch's content hash."""
    rows = db.session.scalars(sa.select(QuarantinedEntry).where(
        QuarantinedEntry.resolved_at.is_(None),
        sa.or_(QuarantinedEntry.entry_id == entry["id"], QuarantinedEntry.user_id == user.id))).all()
    seen = next((r for r in rows if r.entry_id == entry["id"] or _same(r.raw, entry, digest)), None)
    if seen is None:
        db.session.add(QuarantinedEntry(entry_id=entry["id"], user_id=user.id, device_id=device_id,
                                        raw=entry, errors=errors))
    elif seen.raw != entry or seen.errors != errors:
        seen.raw, seen.errors = entry, errors  # the latest attempt and its reasons
    db.session.flush()


def fixed(entry_id: str, user) -> None:
    """The entry went through at last: its rows leave the review list."""
    db.session.execute(sa.update(QuarantinedEntry).where(
        QuarantinedEntry.entry_id == entry_id, QuarantinedEntry.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=user.id, resolution="fixed"))
