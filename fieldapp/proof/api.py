"""`GET /api/visits/<id>`: one visit with its checks and verification (design.md, "Visit")."""
from __future__ import annotations

import uuid
from datetime import timedelta, timezone

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import db, reads_only
from ..households.models import Household
from ..timeutil import iso_utc
from ..visits.models import Visit
from . import review, verification

bp = Blueprint("api", __name__)


def get_visit(user, visit_id) -> Visit:
    """The visit, or 404 when missing, malformed or its household lies outside the area."""
    try:
        key = visit_id if isinstance(visit_id, uuid.UUID) else uuid.UUID(str(visit_id))
    except ValueError:
        abort(404)
    visit = db.session.scalar(sa.select(Visit).where(
        Visit.id == key, Visit.household_id.in_(sa.select(Household.id).where(
            Household.village_id.in_(scoping.village_ids(user))))))
    if visit is None:
        abort(404)
    return visit


def device_time(visit: Visit) -> str:
    """The visit's device time with the device's own UTC offset, as it was recorded."""
    offset = timezone(timedelta(minutes=visit.recorded_offset_min))
    return visit.recorded_at.replace(tzinfo=timezone.utc).astimezone(offset).replace(microsecond=0).isoformat()


def as_json(visit: Visit) -> dict:
    superseded_by = db.session.scalar(sa.select(Visit.id).where(Visit.supersedes_id == visit.id)
                                      .order_by(Visit.received_at.desc()).limit(1))
    found = verification.of_visit(visit)
    return {
        "id": str(visit.id), "household_id": str(visit.household_id), "outcome": visit.outcome,
        "recorded_at": device_time(visit), "received_at": iso_utc(visit.received_at),
        "by": [u.username for u in visit.people], "topics": visit.topics, "materials": visit.materials,
        "in_force": visit.in_force, "superseded_by": str(superseded_by) if superseded_by else None,
        "checks": [{"code": code, **figures} for code, figures in review.checks_of([visit.id])[visit.id]],
        "verification": None if found is None else {
            "result": found.result, "by": found.by.username if found.by else None, "at": iso_utc(found.at)},
    }


@bp.get("/api/visits/<visit_id>")
@reads_only
@requires("view_area")
def visit(visit_id: str):
    """The visit with its checks and verification; 401 JSON when signed out, 404 JSON for a
    visit outside the caller's area or a malformed id."""
    return jsonify(as_json(get_visit(current_user, visit_id)))
