"""`GET /api/households/<id>/warned?as_of=YYYY-MM-DD` (design.md, "Accountability")."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import requires
from ..timeutil import today_vn
from . import audit
from .verdict import as_json, assess

bp = Blueprint("api", __name__)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # beyond these a day is a typo, and day arithmetic overflows


def parse_day(text: str | None, default: date | None = None) -> date:
    """A YYYY-MM-DD day; `default` when absent; 400 with a message when malformed."""
    if not text:
        if default is None:
            abort(400, description=_("Give a date as YYYY-MM-DD."))
        return default
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        abort(400, description=_("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2025-11-12.",
                                 value=text[:20]))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        abort(400, description=_("Choose a date between %(first)s and %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR))
    return day


@bp.get("/api/households/<household_id>/warned")
@requires("view_area")
def warned(household_id: str):
    """Visits in force by the end of `as_of` (default today, Vietnam time) and who was assigned
    to the household's village that day. 401 JSON when signed out; 404 JSON for a household
    outside the caller's area (or a malformed id); 400 JSON for a malformed `as_of`."""
    household = scoping.get_household(current_user, household_id)
    as_of = parse_day(request.args.get("as_of"), today_vn())
    audit.record("warned_check", "household", household.id, as_of=as_of.isoformat())
    body = as_json(assess(household, as_of))
    from ..extensions import db

    db.session.commit()
    return jsonify(body)
