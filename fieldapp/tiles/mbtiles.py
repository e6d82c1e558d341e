"""The province's base map: one MBTiles file (SQLite, raster PNG/JPEG/WebP tiles).

MBTiles stores rows in TMS order (row 0 at the south), while the web asks for XYZ tiles
(row 0 at the north): `tile_row = 2**z - 1 - y`. The file is opened read-only and immutable
(one connection per thread), so a tile costs one indexed lookup and no locking. A file that
is not a readable MBTiles of raster tiles is refused with a reason for a person.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _

FORMATS = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
QUICK_CHECK_BYTES = 200 * 1024 * 1024
MAGIC = ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"RIFF", "webp"))


class TilesRefused(Exception):
    """The file cannot serve as a base map; `str(exc)` says why, in the language of whoever asks
    (the message is lazy: the refusal is kept for the life of the app)."""


@dataclass(frozen=True)
class Tileset:
    path: Path
    format: str
    mimetype: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float] | None
    attribution: str
    version: str  # changes when the file does: part of every tile's ETag

    def connection(self) -> sqlite3.Connection:
        local = _local.__dict__.setdefault("connections", {})
        key = (str(self.path), self.version)
        if key not in local:
            local[key] = _connect(self.path)
        return local[key]

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at web (XYZ) coordinates, or None when the file has none there."""
        if not (self.minzoom <= z <= self.maxzoom and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
            return None
        row = self.connection().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (z, x, 2 ** z - 1 - y)).fetchone()
        return bytes(row[0]) if row and row[0] else None


_local = threading.local()


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def open_tileset(path: str | os.PathLike) -> Tileset:
    """Check the file and describe it, or raise TilesRefused naming what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise TilesRefused(_("The base map file %(name)s does not exist.", name=path.name))
    with open(path, "rb") as raw:
        if raw.read(16) != b"SQLite format 3\x00":
            raise TilesRefused(_("The base map file %(name)s is not an MBTiles (SQLite) file.", name=path.name))
    try:
        conn = _connect(path)
        try:
            return _describe(conn, path)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise TilesRefused(_("The base map file %(name)s is damaged: %(reason)s", name=path.name,
                             reason=str(exc))) from None


def _describe(conn: sqlite3.Connection, path: Path) -> Tileset:
    # A whole-file check reads every page: fine for a district's file, too slow at start-up for a
    # province's gigabytes, where a damaged page shows as a refused tile instead.
    small = path.stat().st_size <= QUICK_CHECK_BYTES
    if small and conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise TilesRefused(_("The base map file %(name)s is damaged (integrity check failed).", name=path.name))
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    for part in ("metadata", "tiles"):
        if part not in names:
            raise TilesRefused(_("The base map file %(name)s has no “%(part)s” table.", name=path.name, part=part))
    meta = {str(k): str(v) for k, v in conn.execute("SELECT name, value FROM metadata")}
    zooms = conn.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    if zooms[0] is None:
        raise TilesRefused(_("The base map file %(name)s holds no tiles.", name=path.name))
    sample = conn.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()[0]
    kind = _format(meta.get("format", ""), bytes(sample or b""), path)
    stat = path.stat()
    version = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return Tileset(path=path, format=kind, mimetype=FORMATS[kind], minzoom=int(zooms[0]),
                   maxzoom=int(zooms[1]), bounds=_bounds(meta.get("bounds")),
                   attribution=meta.get("attribution", ""), version=version)


def _format(declared: str, sample: bytes, path: Path) -> str:
    declared = declared.strip().lower()
    if declared in ("pbf", "mvt"):
        raise TilesRefused(_("The base map file %(name)s holds vector tiles (%(format)s); a raster file "
                             "(PNG, JPEG or WebP) is needed.", name=path.name, format=declared))
    sniffed = next((kind for magic, kind in MAGIC if sample.startswith(magic)), None)
    if sniffed is None:
        raise TilesRefused(_("The tiles of the base map file %(name)s are not PNG, JPEG or WebP images.",
                             name=path.name))
    return sniffed


def _bounds(raw: str | None) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in (raw or "").split(","))
    except ValueError:
        return None
    return west, south, east, north
