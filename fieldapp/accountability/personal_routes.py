"""A household's personal data: everything held (page and JSON download) and who accessed it.

Commanders and admins only (others 403); a household outside the area answers 404. Every
view and download is itself recorded in the audit trail.
"""
from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, render_template
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import db
from ..visits.services import history
from . import audit
from .personal import access_events, holdings, incidents_of

bp = Blueprint("personal", __name__, url_prefix="/households")


@bp.get("/<uuid:household_id>/data")
@requires("personal_data")
def data(household_id: uuid.UUID):
    """Everything held about the household, with the way to correct it."""
    household = scoping.get_household(current_user, household_id)
    page = render_template("accountability/household_data.html", household=household,
                           visits=history(household),
                           incidents=incidents_of(household))
    audit.record("household_data_view", "household", household.id)
    db.session.commit()
    return page


@bp.get("/<uuid:household_id>/data.json")
@requires("personal_data")
def data_json(household_id: uuid.UUID):
    """The same as a JSON file to hand to the data subject."""
    household = scoping.get_household(current_user, household_id)
    body = json.dumps(holdings(household), ensure_ascii=False, indent=2)
    audit.record("household_data_export", "household", household.id)
    db.session.commit()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="ho-{household.id}.json"'})


@bp.get("/<uuid:household_id>/access")
@requires("personal_data")
def access(household_id: uuid.UUID):
    """Who viewed, exported or changed this household's data, newest first."""
    household = scoping.get_household(current_user, household_id)
    page = render_template("accountability/household_access.html", household=household,
                           events=access_events(household))
    audit.record("household_access_view", "household", household.id)
    db.session.commit()
    return page
