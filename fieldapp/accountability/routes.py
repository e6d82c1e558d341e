"""Accountability pages: incidents (/incidents/), the audit trail (/audit/), a household's
personal data (/households/<id>/data, /households/<id>/access) and the warned-as-of API.

Each area is its own small blueprint nested in `accountability`, so endpoints read
`accountability.incidents.show` and the app factory registers one blueprint as usual.
"""
from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from .. import nav
from . import api, audit_routes, incident_routes, personal_routes

bp = Blueprint("accountability", __name__)
for child in (incident_routes.bp, audit_routes.bp, personal_routes.bp, api.bp):
    bp.register_blueprint(child)


nav.add("accountability.incidents.index", _l("Incidents"), order=40)
nav.add("accountability.audit.index", _l("Access log"), order=70)
