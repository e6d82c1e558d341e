"""Base map tiles from an MBTiles file: server time per tile (budget 5 ms)."""
from __future__ import annotations

import random
import sys
from pathlib import Path

from .common import Result, timed


def _tiles_file(tmp: Path) -> tuple[Path, list[tuple[int, int, int]]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.tiles.mbtiles_file import tiles_over, write_mbtiles

    tiles = tiles_over(108.75, 15.05, 108.85, 15.15, range(12, 17))  # about 1,000 real PNG tiles
    return write_mbtiles(tmp / "bench.mbtiles", tiles), list(tiles)


def run(tmp):
    from fieldapp import create_app

    path, keys = _tiles_file(tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'tiles.sqlite3'}", "SECRET_KEY": "bench",
                      "MAP_TILES_FILE": str(path)})
    client = app.test_client()
    rng = random.Random(7)
    sample = [rng.choice(keys) for _ in range(200)]
    urls = iter(f"/tiles/{z}/{x}/{y}" for z, x, y in sample * 10)

    def one():
        assert client.get(next(urls)).status_code == 200

    times = timed(one, repeat=150, warmup=20)
    missing = timed(lambda: client.get("/tiles/16/1/1"), repeat=50)
    return [
        Result(f"tile from MBTiles ({len(keys)} tiles), median", times["median"], "ms", 5,
               f"p95 {times['p95']:.2f} ms"),
        Result("tile from MBTiles, p95", times["p95"], "ms", 5),
        Result("tile outside the file (404), median", missing["median"], "ms", 5),
    ]
