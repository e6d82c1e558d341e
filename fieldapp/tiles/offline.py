"""Which base map tiles a phone keeps offline: those over the caller's villages (boundary, else
the households' points) at the offline zoom levels, coarse levels first, within the size
budget. The plan's key changes when the villages, the file or the settings do; the service
worker then drops what it kept and fetches the new plan."""
from __future__ import annotations

import hashlib
import math

import sqlalchemy as sa
from flask import current_app

from ..auth import scoping
from ..extensions import db
from ..households.models import Household
from .mbtiles import Tileset
from .services import tileset, zoom_range

PAD_DEG = 0.001  # about 100 m around a village: the lanes at its edge


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point at zoom z."""
    n = 2 ** z
    lat = max(min(lat, 85.0511), -85.0511)
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def boxes(user) -> list[tuple[float, float, float, float]]:
    """(west, south, east, north) of each of the user's villages that can be placed."""
    found = []
    points = dict(((vid, (w, s, e, n)) for vid, w, s, e, n in db.session.execute(
        sa.select(Household.village_id, sa.func.min(Household.lon), sa.func.min(Household.lat),
                  sa.func.max(Household.lon), sa.func.max(Household.lat))
        .where(Household.village_id.in_(scoping.village_ids(user)), Household.lat.is_not(None))
        .group_by(Household.village_id))))
    for village in db.session.scalars(scoping.villages(user)):
        box = _outline(village.boundary) or points.get(village.id)
        if box is None and village.lat is not None:
            box = (village.lon, village.lat, village.lon, village.lat)
        if box is not None:
            found.append((box[0] - PAD_DEG, box[1] - PAD_DEG, box[2] + PAD_DEG, box[3] + PAD_DEG))
    return found


def _outline(boundary) -> tuple[float, float, float, float] | None:
    coords = (boundary or {}).get("coordinates")
    polygons = {"Polygon": [coords], "MultiPolygon": coords}.get((boundary or {}).get("type")) or []
    points = [p for polygon in polygons for ring in polygon for p in ring]
    if not points:
        return None
    return (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points))


def plan(user) -> dict | None:
    """{"key", "tiles": ["z/x/y", ...], "bytes", "complete"} for the user's phone, or None
    when there is no MBTiles file to keep."""
    tiles = tileset()
    if tiles is None:
        return None
    low, high = zoom_range()
    budget = int(current_app.config.get("MAP_TILES_OFFLINE_MB", 60) * 1048576)
    wanted = _sizes(tiles, boxes(user), max(low, tiles.minzoom), min(high, tiles.maxzoom))
    chosen, total = [], 0
    for key, size in wanted:  # coarse levels first: the whole area before its detail
        if total + size > budget:
            break
        chosen.append(key)
        total += size
    digest = hashlib.sha1(f"{tiles.version}:{low}-{high}:{budget}:{','.join(chosen)}".encode()).hexdigest()[:20]
    return {"key": digest, "tiles": chosen, "bytes": total, "complete": len(chosen) == len(wanted)}


def _sizes(tiles: Tileset, areas, low: int, high: int) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    query = ("SELECT tile_column, tile_row, length(tile_data) FROM tiles WHERE zoom_level=? "
             "AND tile_column BETWEEN ? AND ? AND tile_row BETWEEN ? AND ?")
    for z in range(low, high + 1):
        for west, south, east, north in areas:
            x0, y0 = tile_of(west, north, z)
            x1, y1 = tile_of(east, south, z)
            flip = 2 ** z - 1
            for x, row, size in tiles.connection().execute(query, (z, x0, x1, flip - y1, flip - y0)):
                seen.setdefault(f"{z}/{x}/{flip - row}", size)
    return sorted(seen.items(), key=lambda item: (int(item[0].split("/")[0]), item[0]))
