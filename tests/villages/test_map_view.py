"""The officer's village map view over HTTP: scoped like the list, Leaflet only there, the
pack carries what it draws, and its scripts are served compressed in brotli's best quality."""
from __future__ import annotations

import brotli

from tests.helpers import village


def test_the_map_view_is_scoped_like_the_list(client, auth, db_session):
    auth.login("cskv1")
    t01, t06 = village("T01"), village("T06")
    page = client.get(f"/villages/{t01.id}/map")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "vendor/leaflet/leaflet.js" in html and "js/village-map.js" in html
    assert "htmx.min.js" not in html  # the map needs no htmx: its buttons go through the outbox
    assert client.get(f"/villages/{t06.id}/map").status_code == 404
    listing = client.get(f"/villages/{t01.id}").get_data(as_text=True)
    assert f'href="/villages/{t01.id}/map"' in listing and "vendor/leaflet" not in listing  # (m_leaflet: "Tờ rơi")
    assert client.get("/villages/map").status_code == 200  # the offline copy, no village in it


def test_the_pack_carries_points_and_boundaries(client, auth, db_session):
    auth.login("cskv1")
    pack = client.get("/api/me/pack").get_json()
    t01 = next(v for v in pack["villages"] if v["code"] == "T01")
    assert t01["boundary"]["type"] == "Polygon"
    assert all("lat" in h and "lon" in h for h in t01["households"])
    assert any(h["lat"] for h in t01["households"])


def test_scripts_are_served_in_brotli_best(client):
    plain = client.get("/static/vendor/leaflet/leaflet.js").data
    packed = client.get("/static/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["Content-Encoding"] == "br" and "Accept-Encoding" in packed.headers["Vary"]
    assert brotli.decompress(packed.data) == plain
    assert len(packed.data) < len(brotli.compress(plain, quality=4))
