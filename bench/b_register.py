"""Register import of 100,000 households on SQLite: wall time and peak memory of the CLI."""
from __future__ import annotations

import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from .common import Result, make_app

ROWS = 100_000
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc"]


def write_csv(path: Path, rows: int = ROWS, villages: int = 31) -> Path:
    rng = random.Random(5)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["village_code", "code", "head_name", "address", "phone", "members", "youth", "lat", "lon"])
        for n in range(rows):
            members = rng.randint(1, 8)
            writer.writerow([
                f"T{n % villages + 1:02d}", f"R{n}", f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                f"Số {rng.randint(1, 300)}, ngõ {rng.randint(1, 40)}", f"09{rng.randint(0, 99999999):08d}",
                members, rng.randint(0, members), f"{15 + rng.random() / 5:.6f}", f"{108.7 + rng.random() / 5:.6f}",
            ])
    return path


def write_xlsx(csv_path: Path, path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    with open(csv_path, encoding="utf-8") as rows:
        for n, row in enumerate(csv.reader(rows)):
            sheet.append(row if n == 0 else row[:5] + [int(row[5]), int(row[6]), float(row[7]), float(row[8])])
    book.save(path)
    return path


def write_geojson(csv_path: Path, path: Path) -> Path:
    with open(csv_path, encoding="utf-8") as rows, open(path, "w", encoding="utf-8") as out:
        reader = csv.DictReader(rows)
        out.write('{"type": "FeatureCollection", "features": [\n')
        for n, row in enumerate(reader):
            lat, lon = row.pop("lat"), row.pop("lon")
            feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                       "properties": row}
            out.write(("," if n else "") + json.dumps(feature, ensure_ascii=False) + "\n")
        out.write("]}\n")
    return path


def _import(db_path: Path, file: Path) -> tuple[float, float, str]:
    """Seconds, and peak resident memory (MB) of the child process, and its last line."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "bench"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "fieldapp", "import-households", str(file)],
                          env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mb, done.stdout.strip().splitlines()[-1]


def run(tmp: Path):
    make_app(tmp, households=6, villages=31, name="register.sqlite3")
    seeded = tmp / "register.sqlite3"
    file = write_csv(tmp / "households.csv")
    size_mb = file.stat().st_size / 1048576
    first, peak, line = _import(seeded, file)
    again, peak_again, line_again = _import(seeded, file)
    results = [
        Result(f"import {ROWS:,} households (CSV {size_mb:.1f} MB), new", first, "s", 60, line),
        Result("peak memory of that import (maxrss)", peak, "MB", 300),
        Result("the same file again (all unchanged)", again, "s", 60, line_again),
    ]
    for name, maker in (("XLSX", write_xlsx), ("GeoJSON", write_geojson)):
        fresh = tmp / f"register-{name}.sqlite3"
        make_app(tmp, households=6, villages=31, name=fresh.name)
        other = maker(file, tmp / f"households.{name.lower()}")
        seconds, peak_all, line = _import(fresh, other)
        results.append(Result(f"import {ROWS:,} households ({name} {other.stat().st_size / 1048576:.1f} MB), new",
                              seconds, "s", 60, line))
    results.append(Result("peak memory of every import above (maxrss)", peak_all, "MB", 300))
    return results
