"""The officer's village map: the same households as the list, on the province's base map,
drawn on the phone from the offline pack (so it works with no signal), with the list's
quick buttons in each house's popup."""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import reads_only
from ..tiles.services import base_map
from .routes import bp


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
