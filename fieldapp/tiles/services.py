"""Which base map the maps use: the province's MBTiles file (MAP_TILES_FILE, served here),
else an online tile server (MAP_TILE_URL), else none (maps draw boundaries and points)."""
from __future__ import annotations

from flask import current_app, url_for

from .mbtiles import Tileset, TilesRefused, open_tileset


def tileset() -> Tileset | None:
    """The checked MBTiles file, opened once per app; None when none is set or it was refused."""
    state = _state()
    return state if isinstance(state, Tileset) else None


def refusal() -> str | None:
    """Why MAP_TILES_FILE is not used (in the user's language), or None."""
    state = _state()
    return str(state) if isinstance(state, TilesRefused) else None


def _state():
    cache = current_app.extensions.setdefault("tiles", {})
    path = current_app.config.get("MAP_TILES_FILE") or ""
    if path not in cache:
        try:
            cache[path] = open_tileset(path) if path else None
        except TilesRefused as exc:
            current_app.logger.error("MAP_TILES_FILE refused: %s", exc)
            cache[path] = exc
    return cache[path]


def zoom_range() -> tuple[int, int]:
    """The zoom levels the phone keeps offline (MAP_TILES_OFFLINE_ZOOM, "14-18")."""
    low, _sep, high = str(current_app.config.get("MAP_TILES_OFFLINE_ZOOM", "14-18")).partition("-")
    low_z, high_z = int(low), int(high or low)
    return min(low_z, high_z), max(low_z, high_z)


def base_map() -> dict:
    """What a map page needs to draw its base layer (and the phone to keep it offline)."""
    tiles = tileset()
    if tiles is not None:
        offline = zoom_range()
        return {"url": url_for("tiles.tile", z=0, x=0, y=0).replace("/0/0/0", "/{z}/{x}/{y}"),
                "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or tiles.attribution,
                "minzoom": tiles.minzoom, "maxzoom": tiles.maxzoom, "bounds": tiles.bounds,
                "offline": {"minzoom": max(offline[0], tiles.minzoom), "maxzoom": min(offline[1], tiles.maxzoom),
                            "budget_mb": current_app.config.get("MAP_TILES_OFFLINE_MB", 60),
                            "version": tiles.version}}
    url = current_app.config.get("MAP_TILE_URL") or ""
    return {"url": url, "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", ""),
            "minzoom": 0, "maxzoom": 19, "bounds": None, "offline": None} if url else {}
