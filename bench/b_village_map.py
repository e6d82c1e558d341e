"""The officer's village map in Chromium: first paint of a 340-household village (budget 300 ms)
and the JavaScript the page loads, Leaflet included (budget 60 KB compressed)."""
from __future__ import annotations

import re
import statistics
import threading
from pathlib import Path

from werkzeug.serving import make_server

from .common import Result, compressed_sizes, make_app


def _scripts(client, url: str) -> tuple[list[str], int, int]:
    html = client.get(url).get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    gzip = sum(compressed_sizes(client.get(s).data)["gzip"] for s in scripts)
    br = sum(len(client.get(s, headers={"Accept-Encoding": "br"}).data) for s in scripts)
    return scripts, gzip, br


def _paint(base: str, village_id: int, rounds: int = 12) -> tuple[list[int], list[int]]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "cskv1")
        page.fill("input[name=password]", "demo1234")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/villages/")
        page.wait_for_selector("html[data-pack-ready]", state="attached", timeout=60000)
        paints, draws = [], []
        for _ in range(rounds):
            page.goto(f"{base}/villages/{village_id}/map")
            page.wait_for_selector("#vmap[data-ready='1']", state="attached")
            assert page.evaluate("TN.pack() !== null")  # drawn from the pack, as offline
            paints.append(int(page.get_attribute("#vmap", "data-paint-ms")))
            draws.append(int(page.get_attribute("#vmap", "data-draw-ms")))
        browser.close()
    return paints[2:], draws[2:]  # the first rounds warm the caches


def run(tmp: Path):
    from tests.browser.conftest import CHROMIUM

    app = make_app(tmp, households=340, villages=6, name="map.sqlite3")
    client = app.test_client()
    from .common import login

    login(client, "cskv1")
    scripts, gzip, br = _scripts(client, "/villages/1/map")
    results = [Result("village map page JS (gzip), Leaflet included", gzip / 1024, "KB", 60, ", ".join(scripts)),
               Result("village map page JS (br, as served)", br / 1024, "KB", 60)]
    if not Path(CHROMIUM).exists():
        return results + [Result("village map paint (Chromium missing)", 0, "ms", None, "skipped")]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        paints, draws = _paint(f"http://127.0.0.1:{server.server_port}", 1)
    finally:
        server.shutdown()
    return results + [
        Result("village map: first paint of 340 houses, median", statistics.median(paints), "ms", 300,
               f"navigation start → markers drawn; worst {max(paints)} ms"),
        Result("village map: drawing 340 houses from the pack, median", statistics.median(draws), "ms", None,
               f"script start → markers drawn; worst {max(draws)} ms"),
    ]
