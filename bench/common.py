"""Shared benchmark plumbing: a seeded database, timing, sizes, results."""
from __future__ import annotations

import gzip
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import brotli

OUT = Path(__file__).resolve().parent / "out"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    budget: float | None = None
    note: str = ""

    @property
    def ok(self) -> bool | None:
        return None if self.budget is None else self.value <= self.budget

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def timed(fn, repeat: int = 20, warmup: int = 3) -> dict[str, float]:
    """Run `fn` and return median/p95 milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1],
            "min": samples[0]}


def time_pages(client, pages, label: str, budget: float | None, repeat: int = 15, warmup: int = 3) -> list[Result]:
    """Median (and p95, size) server time of each (name, url) through `client`, which must
    answer 200 for each."""
    results = []
    for name, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = timed(lambda: client.get(url), repeat=repeat, warmup=warmup)
        results.append(Result(f"{label}: {name}, median", times["median"], "ms", budget,
                              f"p95 {times['p95']:.0f} ms; {len(response.data) // 1024} KB"))
    return results


def compressed_sizes(body: bytes) -> dict[str, int]:
    return {"raw": len(body), "gzip": len(gzip.compress(body, 6)), "br": len(brotli.compress(body, quality=4))}


def make_app(tmp: Path, households: int = 200, villages: int = 31, name: str = "bench.sqlite3"):
    """A migrated SQLite database with the demo seeded at the given size."""
    from flask_migrate import upgrade

    from fieldapp import create_app
    from fieldapp.demo.seed import seed_demo
    from fieldapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / name}", "SECRET_KEY": "bench",
                      "LOGIN_RATE_LIMIT": "100000 per minute"})
    with app.app_context():
        upgrade()
        seed_demo(households=households, villages=villages)
        db.session.commit()
    return app


def login(client, username: str, password: str = "demo1234") -> None:
    import re

    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.status_code
