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


@bp.record_once
def _label_globals(state) -> None:
    """The label helpers as Jinja globals, registered once (as `i18n.init_app` does)."""
    from .audit import action_labels, detail_items, object_labels
    from .incidents import kind_labels, verdict_labels

    state.app.jinja_env.globals.update(kind_labels=kind_labels, verdict_labels=verdict_labels,
                                       action_labels=action_labels, object_labels=object_labels,
                                       detail_items=detail_items)


nav.add("accountability.incidents.index", _l("Incidents"), order=40)
nav.add("accountability.audit.index", _l("Access log"), order=70)
