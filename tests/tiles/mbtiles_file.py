"""Build a small MBTiles file for tests: real PNG tiles (Pillow), rows stored TMS-style."""
from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

from PIL import Image, ImageDraw


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """XYZ (web) tile of a point at zoom z."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def png(colour: tuple[int, int, int], label: str = "") -> bytes:
    image = Image.new("RGB", (256, 256), colour)
    if label:
        ImageDraw.Draw(image).text((8, 8), label, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def colour_of(z: int, x: int, y: int) -> tuple[int, int, int]:
    """A colour that tells tiles apart, so a test can see which one it got."""
    return (40 + (x * 37) % 200, 40 + (y * 53) % 200, 40 + (z * 29) % 200)


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], fmt: str = "png",
                  attribution: str = "Bản đồ nền: Sở Nông nghiệp và Môi trường") -> Path:
    """`tiles` maps web (z, x, y) to image bytes; stored with the TMS row (2**z - 1 - y)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name text, value text)")
    conn.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    zooms = [z for z, _x, _y in tiles]
    meta = {"name": "test", "format": fmt, "minzoom": min(zooms), "maxzoom": max(zooms),
            "attribution": attribution, "bounds": "108.6,14.9,109.0,15.3"}
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    conn.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                     [(z, x, 2 ** z - 1 - y, data) for (z, x, y), data in tiles.items()])
    conn.commit()
    conn.close()
    return path


def tiles_over(lon_min: float, lat_min: float, lon_max: float, lat_max: float, zooms) -> dict:
    """Generated tiles covering a box at each zoom, each a colour of its own."""
    tiles = {}
    for z in zooms:
        x0, y0 = lonlat_to_tile(lon_min, lat_max, z)
        x1, y1 = lonlat_to_tile(lon_max, lat_min, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                tiles[(z, x, y)] = png(colour_of(z, x, y), f"{z}/{x}/{y}")
    return tiles
