"""Map pages: Leaflet only there, data from the scoped GeoJSON exports, tiles only if set."""
from __future__ import annotations

import re

import pytest

from tests.helpers import village


def test_leaflet_only_on_map_pages(client, auth, db_session):
    auth.login("chihuy")
    html = client.get("/coverage/map").get_data(as_text=True)
    assert "vendor/leaflet/leaflet.js" in html and "vendor/leaflet/leaflet.css" in html
    for url in ("/coverage/", "/villages/", f"/coverage/villages/{village('T01').id}"):
        assert "leaflet" not in client.get(url).get_data(as_text=True)


def test_map_reads_the_exports_of_its_scope(client, auth, db_session):
    t06 = village("T06")
    auth.login("truongthon6")
    html = client.get(f"/coverage/map?village={t06.id}").get_data(as_text=True)
    households = re.search(r'data-households="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"village={t06.id}" in households
    assert client.get(households).status_code == 200
    assert 'data-tiles=""' in html  # no tile server configured: points and boundaries only
    assert client.get(f"/coverage/map?village={village('T07').id}").status_code == 404
    assert client.get("/coverage/map?village=x").status_code == 400


def test_tile_url_is_a_setting(make_app):
    app = make_app(MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png")
    client = app.test_client()
    from tests.conftest import Auth

    Auth(client).login("chihuy")
    assert 'data-tiles="https://tiles.example/{z}/{x}/{y}.png"' in client.get("/coverage/map").get_data(as_text=True)


@pytest.mark.parametrize("username, entries", [
    # Officers open the map from their coverage pages; the menu, reading the page's permission, offers it too.
    ("cskv1", {"/coverage/", "/coverage/map"}),
    ("truongthon1", {"/coverage/", "/coverage/map", "/reports/campaign"}),
    ("chihuy", {"/coverage/", "/coverage/map", "/reports/campaign"}),
])
def test_menu_entries_per_role(client, auth, username, entries):
    auth.login(username)
    html = client.get("/villages/").get_data(as_text=True)
    panel = html[html.index('class="menu-panel"'):html.index("</nav>")]
    links = set(re.findall(r'<a href="(/coverage/[^"]*|/reports/[^"]*)"', panel))
    assert links == entries
