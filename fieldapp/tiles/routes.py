"""Base map tiles from the province's MBTiles file: `/tiles/{z}/{x}/{y}` (XYZ, as Leaflet asks).

Tiles are not personal data, so they answer without a session (the service worker and
Leaflet's image requests fetch them like any static file). 404 for a tile the file does not
hold or when no file is set; 503 with the reason when the file was refused.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import public, requires
from .offline import plan
from .services import refusal, tileset

bp = Blueprint("tiles", __name__, url_prefix="/tiles")
MAX_AGE = 7 * 24 * 3600  # a province refreshes its base map rarely; the ETag carries the file's version


@bp.get("/<int:z>/<int:x>/<int:y>")
@bp.get("/<int:z>/<int:x>/<int:y>.<any(png, jpg, jpeg, webp):ext>")
@public
def tile(z: int, x: int, y: int, ext: str | None = None):
    """One tile of the base map. 404 outside the file (or with no file set); 503 when the
    file was refused (damaged or not raster tiles), with the reason."""
    tiles = tileset()
    if tiles is None:
        reason = refusal()
        if reason:
            abort(503, reason)
        abort(404, _("No base map file is set."))
    etag = f'"{tiles.version}-{z}-{x}-{y}"'
    headers = {"Cache-Control": f"public, max-age={MAX_AGE}", "ETag": etag}
    if etag in request.headers.get("If-None-Match", ""):
        return "", 304, headers
    data = tiles.tile(z, x, y)
    if data is None:
        abort(404, _("The base map has no tile there."))
    return data, 200, {**headers, "Content-Type": tiles.mimetype}


@bp.get("/offline.json")
@requires("view_area")
def offline_plan():
    """The tiles this user's phone keeps offline (their villages, the offline zoom levels,
    within the budget); `{"tiles": []}` when there is no MBTiles file. Signed-in users only."""
    return jsonify(plan(current_user) or {"key": "", "tiles": [], "bytes": 0, "complete": True}), 200, {
        "Cache-Control": "no-store"}
