"""The officer's villages, the household list of one village in walking order, its map view,
and the village's own route order (set by its commander or village head by dragging)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..auth import scoping
from ..auth.permissions import can, requires
from ..campaigns.services import current_campaign
from ..coverage.queries import area, village_coverage
from ..extensions import db, htmx, reads_only
from ..labels import STATUSES
from ..tiles.services import base_map
from .services import RouteRefused, household_rows, parse_order, set_route

bp = Blueprint("villages", __name__, url_prefix="/villages")
nav.add("villages.index", _l("My villages"), order=10)


@bp.get("/")
@reads_only
@requires("view_area")
def index():
    """My villages with their progress in the current campaign (only villages in my area)."""
    campaign = current_campaign(current_user)
    figures = village_coverage(campaign.id if campaign else None, area(current_user, campaign))
    rows = [(f.village, f.counts, f.coverage) for f in figures]
    return render_template("villages/index.html", campaign=campaign, rows=rows)


@bp.get("/<int:village_id>")
@reads_only
@requires("view_area")
def show(village_id: int):
    """Households of one village in walking order with their status; `?q=` searches without
    diacritics, `?status=` filters. 404 when the village is outside the caller's area."""
    village = scoping.get_village(current_user, village_id)
    campaign = current_campaign(commune_id=village.commune_id)
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in STATUSES else ""
    rows = household_rows(village.id, campaign, q, status, personal=can(current_user, "see_personal"))
    [figures] = village_coverage(campaign.id if campaign else None, sa.select(sa.literal(village.id)))
    context = dict(village=village, campaign=campaign, rows=rows, q=q, status=status, counts=figures.counts,
                   may_record=can(current_user, "record") and campaign is not None and campaign.state == "running",
                   may_route=can(current_user, "order_route"))
    partial = htmx and not htmx.history_restore_request
    template = "villages/_household_list.html" if partial else "villages/show.html"
    return render_template(template, **context), 200, {"Vary": "HX-Request"}


@bp.route("/<int:village_id>/route", methods=["GET", "POST"])
@requires("order_route")
def route(village_id: int):
    """The village's own walking route: households dragged into order and saved (`order`,
    every household id once), or cleared (`clear`). Commanders, village heads and admins
    (403 for officers); 404 outside the area; 400 with the reason for an order naming a
    household of another village or one twice (nothing written)."""
    village = scoping.get_village(current_user, village_id)
    if request.method == "POST":
        try:
            ids = [] if request.form.get("clear") else parse_order(request.form.getlist("order"), village)
        except RouteRefused as exc:
            abort(400, str(exc))
        set_route(village, ids)
        db.session.commit()
        flash(_("Route order saved.") if ids else _("Route order cleared: alleys and house numbers."), "success")
        return redirect(url_for(".route", village_id=village.id))
    rows = household_rows(village.id, None)
    return render_template("villages/route.html", village=village, rows=rows,
                           has_route=any(h.route is not None for h, *_ in rows))


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
