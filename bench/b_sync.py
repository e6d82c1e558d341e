"""Sync: a 200-visit batch (server time, entries/s beside raw SQLite inserts), offline search
over 5,000 cached households in Chromium, and the weight of the service worker and app JS."""
from __future__ import annotations

import json
import random
import shutil
import sqlite3
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from fieldapp.timeutil import today_vn

from .common import Result, compressed_sizes, login, make_app, timed

STATIC = Path(__file__).resolve().parent.parent / "static"
BATCH = 200


def _entries(households: list[str], campaign_id: int, topics: list[str]) -> list[dict]:
    day = (today_vn() - timedelta(days=1)).isoformat()  # inside the demo's campaign, which runs around today
    return [{"id": str(uuid.uuid4()), "type": "visit", "seq": n, "recorded_at": f"{day}T09:15:00+07:00",
             "data": {"household_id": households[n % len(households)], "campaign_id": campaign_id,
                      "outcome": "warned", "topics": topics, "materials": ["leaflet"], "people_reached": 2,
                      "youth_reached": 1, "commitment_signed": False, "companions": [], "note": "",
                      "lat": 15.12, "lon": 108.8, "accuracy_m": 12}} for n in range(BATCH)]


def _batch(tmp: Path) -> list[Result]:
    app = make_app(tmp, households=60, villages=6, name="sync.sqlite3")
    from fieldapp.extensions import db
    from fieldapp.auth import scoping
    from fieldapp.models import Campaign, User

    client = app.test_client()
    login(client, "cskv1")
    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        topics = [t.code for t in campaign.topics]
        officer = db.session.scalar(sa.select(User).where(User.username == "cskv1"))
        households = [str(h.id) for h in db.session.scalars(scoping.households(officer))]
        campaign_id = campaign.id
    token = client.get("/api/session").get_json()["csrf_token"]

    bodies = [json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "bench",
                          "entries": _entries(households, campaign_id, topics)}) for _ in range(12)]

    def send():  # the request is encoded beforehand: the time is the server's
        answer = client.post("/api/sync/batch", data=bodies.pop(), content_type="application/json",
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 200 and answer.get_json()["results"][-1]["status"] == "created", answer.get_json()

    times = timed(send, repeat=10, warmup=2)
    raw = _raw_sqlite_rate(tmp / "sync.sqlite3", households, campaign_id, topics)
    rate = BATCH / (times["median"] / 1000)
    return [
        Result(f"sync batch of {BATCH} visits, server time, median", times["median"], "ms", 300,
               f"p95 {times['p95']:.0f} ms; checked, then inserted in bulk"),
        Result("sync batch entries per second", rate, "/s", None,
               f"raw SQLite inserts of the same rows: {raw:,.0f} visits/s"),
        Result("raw inserts ÷ sync ingest (times faster)", raw / rate, "×", 8,
               "design.md: ingest at least 1/8 of the raw insert rate of the same rows"),
    ]


def _raw_sqlite_rate(path: Path, households: list[str], campaign_id: int, topics: list[str]) -> float:
    """The same visit rows (with their topic and material rows) inserted by plain sqlite3."""
    copy = path.with_name("raw.sqlite3")
    shutil.copy(path, copy)
    conn = sqlite3.connect(copy)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    samples = []
    for _ in range(5):
        rows = [(uuid.uuid4().hex, households[n % len(households)].replace("-", "")) for n in range(BATCH)]
        start = time.perf_counter()
        with conn:
            conn.executemany(
                "INSERT INTO visits (id, household_id, campaign_id, user_id, outcome, recorded_at, recorded_offset_min,"
                " received_at, device_id, seq, people_reached, youth_reached, commitment_signed, note, lat, lon, accuracy_m)"
                " VALUES (?, ?, ?, 1, 'warned', '2025-11-12 02:15:00', 420, '2025-11-12 02:16:00', 'raw', 1, 2, 1, 0, '',"
                " 15.12, 108.8, 12)", [(vid, hid, campaign_id) for vid, hid in rows])
            conn.executemany("INSERT INTO visit_topics (visit_id, topic_code) VALUES (?, ?)",
                             [(vid, t) for vid, _ in rows for t in topics])
            conn.executemany("INSERT INTO visit_materials (visit_id, code) VALUES (?, 'leaflet')", [(vid,) for vid, _ in rows])
        samples.append(time.perf_counter() - start)
    conn.close()
    samples.sort()
    return BATCH / samples[len(samples) // 2]


def _search() -> list[Result]:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        return [Result("offline search (Chromium missing)", 0, "ms", None, "skipped")]
    from playwright.sync_api import sync_playwright

    from fieldapp.demo.data import person_name

    rng = random.Random(7)
    households = [{"id": str(uuid.uuid4()), "code": str(n), "head_name": person_name(rng),
                   "address": f"Số {n}, ngõ {n % 40}", "youth": n % 3, "status": "not_visited", "visit_count": 0}
                  for n in range(5000)]
    pack = {"campaign": None, "villages": [{"id": 1, "code": "T01", "name": "Thôn Một", "households": households}]}
    labels = {"not_visited": "Chưa đến", "revisit": "Cần quay lại", "warned": "Đã cảnh báo", "excluded": "Không tính",
              "btn_warned": "Đã cảnh báo", "btn_away": "Vắng nhà", "my_villages": "Thôn của tôi", "search": "Tìm",
              "status": "Trạng thái", "all": "Tất cả", "households": "hộ", "no_match": "Không có", "may_record": True}
    query = "nguyen van"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_content('<main><div id="offline-app"></div></main>')
        page.add_script_tag(content=(STATIC / "js" / "pack.js").read_text())
        page.evaluate("([p, l]) => { TN.usePack(p); TN.renderShell(l, '/villages/1'); }", [pack, labels])
        per_key = page.evaluate("""(q) => {
            const input = document.querySelector('input[name=q]'), out = [];
            for (let round = 0; round < 3; round++) {
              input.value = ''; input.dispatchEvent(new Event('input', {bubbles: true}));
              for (let i = 1; i <= q.length; i++) {
                const t = performance.now();
                input.value = q.slice(0, i);
                input.dispatchEvent(new Event('input', {bubbles: true}));
                document.body.offsetHeight;  // include layout of the new rows
                out.push(performance.now() - t);
              }
            }
            return out;
        }""", query)
        browser.close()
    per_key.sort()
    return [
        Result("offline search, 5,000 households, per keystroke, median", per_key[len(per_key) // 2], "ms", 50,
               f"typing '{query}', filter + draw (≤ 150 rows)"),
        Result("offline search per keystroke, worst", per_key[-1], "ms", 50),
    ]


def _weight() -> list[Result]:
    files = [STATIC / "sw.js", *sorted((STATIC / "js").glob("*.js"))]
    body = b"".join(f.read_bytes() for f in files)
    sizes = compressed_sizes(body)
    note = ", ".join(f.name for f in files) + f"; raw {sizes['raw'] / 1024:.1f} KB"
    return [
        Result("service worker + app JavaScript (gzip)", sizes["gzip"] / 1024, "KB", 40, note),
        Result("service worker + app JavaScript (br)", sizes["br"] / 1024, "KB", 40),
    ]


def run(tmp):
    return [*_batch(tmp), *_search(), *_weight()]
