"""Proof of visits: what the checks add to a 200-visit sync batch, the review page of 1,000
flagged visits, and a commitment photo shrunk on the phone and sent in one request."""
from __future__ import annotations

import json
import time
import uuid

import sqlalchemy as sa

from .b_sync import BATCH, _entries
from .common import Result, login, make_app


def _batches(app, client, count: int) -> list[str]:
    from fieldapp.auth import scoping
    from fieldapp.extensions import db
    from fieldapp.models import Campaign, User

    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        topics = [t.code for t in campaign.topics]
        officer = db.session.scalar(sa.select(User).where(User.username == "cskv1"))
        households = [str(h.id) for h in db.session.scalars(scoping.households(officer))]
        campaign_id = campaign.id
    bodies = []
    for n in range(count):  # each batch a day of its own, as a phone's day of taps would be
        entries = _entries(households, campaign_id, topics)
        for entry in entries:
            entry["recorded_at"] = f"2025-10-{7 + n % 24:02d}T09:{n // 24:02d}:00+07:00"
        bodies.append(json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "bench", "entries": entries}))
    return bodies


def _checks_share(tmp) -> list[Result]:
    """The same 200-visit batches with the checks on and off (interleaved, so the machine's
    load hits both alike)."""
    from fieldapp.proof import checks

    app = make_app(tmp, households=60, villages=6, name="proof-sync.sqlite3")
    client = app.test_client()
    login(client, "cskv1")
    token = client.get("/api/session").get_json()["csrf_token"]
    bodies = _batches(app, client, 41)
    real = checks.after_store

    def send():
        answer = client.post("/api/sync/batch", data=bodies.pop(), content_type="application/json",
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 200 and answer.get_json()["results"][-1]["status"] == "created"

    wall = {True: [], False: []}
    cpu = {True: [], False: []}
    send()  # warm up
    try:
        for n in range(40):
            checking = n % 2 == 0
            checks.after_store = real if checking else (lambda ids: None)
            started, started_cpu = time.perf_counter(), time.process_time()
            send()
            wall[checking].append((time.perf_counter() - started) * 1000)
            cpu[checking].append((time.process_time() - started_cpu) * 1000)
    finally:
        checks.after_store = real
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    share = (median(cpu[True]) - median(cpu[False])) / median(cpu[False]) * 100
    return [
        Result(f"sync batch of {BATCH} visits with checks, median", median(wall[True]), "ms", 300,
               f"without checks {median(wall[False]):.0f} ms; every visit flagged (far, burst, late_entry)"),
        Result("checks' share of the batch's server time (CPU)", share, "%", 20,
               f"CPU per batch {median(cpu[True]):.0f} ms with, {median(cpu[False]):.0f} ms without "
               "(CPU time: the machine's load shifts wall times)"),
    ]


def _review_page(tmp) -> list[Result]:
    """The commander's review page over a commune with 1,000 flagged visits (the demo's own
    flags topped up with `far`), first page, a filtered page and a later page."""
    from fieldapp.extensions import db
    from fieldapp.models import Visit, VisitCheck

    app = make_app(tmp, name="proof-review.sqlite3")
    with app.app_context():
        flagged = set(db.session.scalars(sa.select(VisitCheck.visit_id)))
        more = [v for v in db.session.scalars(sa.select(Visit.id).order_by(Visit.id)) if v not in flagged]
        rows = [{"visit_id": v, "code": "far", "figures": {"distance_m": 612.3, "accuracy_m": 12, "limit_m": 162}}
                for v in more[:1000 - len(flagged)]]
        db.session.execute(sa.insert(VisitCheck), rows)
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count(sa.distinct(VisitCheck.visit_id))))
    client = app.test_client()
    login(client, "chihuy")
    pages = [("first page", "/proof/"), ("one check", "/proof/?flag=far"), ("page 20", "/proof/?page=20"),
             ("all states, one officer", "/proof/?state=all&officer=cskv3")]
    results = []
    for name, url in pages:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        wall, cpu = [], []
        for _ in range(15):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        results.append(Result(f"review page, {total:,} flagged: {name}, median", sorted(wall)[7], "ms", 150,
                              f"CPU {sorted(cpu)[7]:.0f} ms; {len(answer.data) // 1024} KB, 25 a page"))
    return results


def _document_photo(path) -> None:
    """A 12-megapixel phone photo of a signed paper form: lines of text on uneven light,
    sensor noise."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(5)
    paper = Image.linear_gradient("L").resize((4000, 3000)).point(lambda v: 170 + v // 4)
    draw = ImageDraw.Draw(paper)
    for y in range(300, 2800, 70):
        x = 300
        while x < 3600:
            width = rng.randint(40, 220)
            draw.rectangle((x, y, x + width, y + 28), fill=rng.randint(20, 70))
            x += width + rng.randint(20, 40)
    noise = Image.effect_noise((4000, 3000), 18)
    image = Image.blend(paper, noise, 0.12).filter(ImageFilter.GaussianBlur(1)).convert("RGB")
    image.save(path, "JPEG", quality=92)


def _photo_upload(tmp) -> list[Result]:
    """The phone's shrink (photo.js in Chromium) of a 12-megapixel photo, and its upload:
    one PUT, its size on the wire and the server's time."""
    import base64
    from pathlib import Path

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        return [Result("photo shrink (Chromium missing)", 0, "KB", None, "skipped")]
    from playwright.sync_api import sync_playwright

    static = Path(__file__).resolve().parent.parent / "static" / "js"
    source = tmp / "document.jpg"
    _document_photo(source)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_content("<main></main>")
        for name in ("outbox.js", "photo.js"):
            page.add_script_tag(content=(static / name).read_text())
        shrunk = page.evaluate("""async (b64) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const started = performance.now();
            const blob = await TN.photos.shrink(new Blob([bytes], {type: 'image/jpeg'}));
            const ms = performance.now() - started;
            const data = new Uint8Array(await blob.arrayBuffer());
            let text = ''; for (const b of data) text += String.fromCharCode(b);
            return [btoa(text), ms];
        }""", base64.b64encode(source.read_bytes()).decode())
        browser.close()
    body, shrink_ms = base64.b64decode(shrunk[0]), shrunk[1]
    app = make_app(tmp, households=20, villages=6, name="proof-photo.sqlite3")
    client = app.test_client()
    login(client, "cskv1")
    token = client.get("/api/session").get_json()["csrf_token"]
    visit_ids = _visits_of_cskv1(app, client, token, 12)
    times = []
    for visit_id in visit_ids:
        started = time.perf_counter()
        answer = client.put(f"/api/visits/{visit_id}/photo", data=body, content_type="image/jpeg",
                            headers={"X-CSRFToken": token})
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 201, answer.get_json()
    wire = len(body) + 600  # request line, cookie, CSRF and content headers
    return [
        Result("photo on the wire, one PUT", wire / 1024, "KB", 300,
               f"{source.stat().st_size / 1024 / 1024:.1f} MB 4000×3000 camera JPEG shrunk by photo.js "
               f"in {shrink_ms:.0f} ms to {len(body) / 1024:.0f} KB"),
        Result("photo upload, server time, median", sorted(times)[len(times) // 2], "ms", None),
    ]


def _visits_of_cskv1(app, client, token, count: int) -> list[str]:
    from fieldapp.auth import scoping
    from fieldapp.extensions import db
    from fieldapp.models import Campaign, User

    with app.app_context():
        campaign = db.session.scalar(sa.select(Campaign))
        officer = db.session.scalar(sa.select(User).where(User.username == "cskv1"))
        homes = [str(h.id) for h in db.session.scalars(scoping.households(officer).limit(count))]
        campaign_id = campaign.id
    entries = [{"id": str(uuid.uuid4()), "type": "visit", "seq": n, "recorded_at": "2025-11-12T09:15:00+07:00",
                "data": {"household_id": h, "campaign_id": campaign_id, "outcome": "warned", "topics": [],
                         "materials": [], "people_reached": 1, "commitment_signed": True}}
               for n, h in enumerate(homes)]
    for entry in entries:
        entry["data"]["topics"] = ["tu_co_lap"]
    answer = client.post("/api/sync/batch", json={"batch_id": str(uuid.uuid4()), "device_id": "bench",
                                                  "entries": entries}, headers={"X-CSRFToken": token})
    assert all(r["status"] == "created" for r in answer.get_json()["results"])
    return [e["id"] for e in entries]


def run(tmp):
    return [*_checks_share(tmp), *_review_page(tmp), *_photo_upload(tmp)]
