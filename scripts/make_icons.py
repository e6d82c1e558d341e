"""Draw the app icons (PNG, 192/512, plain and maskable) with the standard library only.

The same picture as static/icons/icon.svg: a white house with a green tick on navy.
Run: python scripts/make_icons.py  (writes static/icons/icon-*.png).
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

NAVY, WHITE, GREEN = (13, 59, 102), (255, 255, 255), (10, 122, 61)
HOUSE = [(256, 96), (88, 232), (136, 232), (136, 408), (376, 408), (376, 232), (424, 232)]
TICK = [(200, 300), (240, 340), (320, 252)]


def _inside(x: float, y: float, poly) -> bool:
    hit = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def _near(x: float, y: float, line, width: float) -> bool:
    for (x1, y1), (x2, y2) in zip(line, line[1:]):
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        if (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2 <= (width / 2) ** 2:
            return True
    return False


def _colour(x: float, y: float, rounded: bool, scale: float):
    # Maskable icons keep the drawing inside the central safe zone (80 %).
    u, v = (x - 256) / scale + 256, (y - 256) / scale + 256
    if rounded:
        cx, cy = min(max(x, 96), 416), min(max(y, 96), 416)
        if (x - cx) ** 2 + (y - cy) ** 2 > 96 ** 2:
            return None
    if _near(u, v, TICK, 36):
        return GREEN
    return WHITE if _inside(u, v, HOUSE) else NAVY


def draw(size: int, maskable: bool) -> bytes:
    step, rows = 512 / size, []
    offsets = (0.25, 0.75)  # 2×2 samples per pixel for smooth edges
    for j in range(size):
        row = bytearray(b"\0")
        for i in range(size):
            samples = [_colour((i + a) * step, (j + b) * step, not maskable, 0.8 if maskable else 1.0)
                       for a in offsets for b in offsets]
            solid = [s for s in samples if s]
            alpha = round(255 * len(solid) / len(samples))
            rgb = [round(sum(c[k] for c in solid) / len(solid)) if solid else 0 for k in range(3)]
            row += bytes([*rgb, alpha])
        rows.append(bytes(row))
    return _png(size, b"".join(rows))


def _png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "static" / "icons"
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(draw(size, False))
        (out / f"icon-maskable-{size}.png").write_bytes(draw(size, True))
    print("icons written to", out)
