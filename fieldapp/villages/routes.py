"""The officer's villages, the household list of one village, and its map view."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..auth import scoping
from ..auth.permissions import can, requires
from ..campaigns.services import active_campaign
from ..coverage.queries import village_coverage
from ..coverage.status import households_with_status
from ..extensions import db, htmx, reads_only
from ..households.queries import matching
from ..labels import STATUSES
from ..households.models import Household
from ..tiles.services import base_map

bp = Blueprint("villages", __name__, url_prefix="/villages")
nav.add("villages.index", _l("My villages"), order=10)


@bp.get("/")
@reads_only
@requires("view_area")
def index():
    """My villages with their progress in the active campaign (only villages in my area)."""
    campaign = active_campaign(current_user.commune_id)
    figures = village_coverage(campaign.id if campaign else None, scoping.village_ids(current_user))
    rows = [(f.village, f.counts, f.coverage) for f in figures]
    return render_template("villages/index.html", campaign=campaign, rows=rows)


@bp.get("/<int:village_id>")
@reads_only
@requires("view_area")
def show(village_id: int):
    """Households of one village with their status; `?q=` searches without diacritics,
    `?status=` filters. 404 when the village is outside the caller's area."""
    village = scoping.get_village(current_user, village_id)
    campaign = active_campaign(village.commune_id)
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in STATUSES else ""
    rows = _household_rows(village.id, campaign, q, status)
    [figures] = village_coverage(campaign.id if campaign else None, sa.select(sa.literal(village.id)))
    context = dict(village=village, campaign=campaign, rows=rows, q=q, status=status, counts=figures.counts,
                   may_record=can(current_user, "record"))
    partial = htmx and not htmx.history_restore_request
    template = "villages/_household_list.html" if partial else "villages/show.html"
    return render_template(template, **context), 200, {"Vary": "HX-Request"}


def _household_rows(village_id: int, campaign, q: str, status: str):
    where = sa.and_(Household.village_id == village_id, Household.status != "merged")  # merged: counted on the survivor
    if q:
        where = sa.and_(where, matching(q))
    query = households_with_status(campaign.id if campaign else None, where)
    if status:
        query = query.where(query.selected_columns.coverage_status == status)
    query = query.order_by((Household.youth > 0).desc(), Household.sort_key)
    return db.session.execute(query).all()


# The map view: the same households on the province's base map, drawn on the phone from the
# offline pack (so it works with no signal), the list's quick buttons in each house's popup.
def _labels() -> dict:
    return {"directions": _("Directions"), "no_location": _("households without a location on the map"),
            "me": _("My position"), "pending": _("Not sent yet"), "offline_size": _("Offline map: %(size)s MB"),
            "not_in_pack": _("This village is not in the data kept on this phone."),
            "failed": _("The map data could not be loaded.")}


@bp.get("/<int:village_id>/map")
@reads_only
@requires("view_area")
def village_map(village_id: int):
    """The map view of one village. 404 when the village is outside the caller's area."""
    village = scoping.get_village(current_user, village_id)
    return render_template("villages/map.html", village=village, base_map=base_map(), labels=_labels())


@bp.get("/map")
@reads_only
@requires("view_area")
def map_shell():
    """The map page with no village in it, kept by the service worker: offline, any village's
    map address draws from it and the pack."""
    return render_template("villages/map.html", village=None, base_map=base_map(), labels=_labels())
