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
        assert "vendor/leaflet" not in client.get(url).get_data(as_text=True)


def test_map_reads_the_exports_of_its_scope(client, auth, db_session):
    t06 = village("T06")
    auth.login("truongthon6")
    html = client.get(f"/coverage/map?village={t06.id}").get_data(as_text=True)
    households = re.search(r'data-households="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"village={t06.id}" in households
    assert client.get(households).status_code == 200
    assert "data-base-map='{}'" in html  # no base map configured: points and boundaries only
    assert client.get(f"/coverage/map?village={village('T07').id}").status_code == 404
    assert client.get("/coverage/map?village=x").status_code == 400


def _base_map(app) -> dict:
    import html as html_lib
    import json

    from tests.conftest import Auth

    client = app.test_client()
    Auth(client).login("chihuy")
    page = client.get("/coverage/map").get_data(as_text=True)
    return json.loads(html_lib.unescape(re.search(r"data-base-map='([^']*)'", page).group(1)))


def test_tile_url_is_a_setting(make_app):
    base = _base_map(make_app(MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png"))
    assert base["url"] == "https://tiles.example/{z}/{x}/{y}.png" and base["offline"] is None


def test_an_mbtiles_file_is_served_by_the_app_and_wins(make_app, tmp_path):
    from tests.tiles.mbtiles_file import png, write_mbtiles

    path = write_mbtiles(tmp_path / "b.mbtiles", {(14, 13141, 7597): png((1, 2, 3)), (17, 105130, 60780): png((3, 2, 1))})
    base = _base_map(make_app(MAP_TILES_FILE=str(path), MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png"))
    assert base["url"] == "/tiles/{z}/{x}/{y}" and (base["minzoom"], base["maxzoom"]) == (14, 17)
    assert base["offline"]["minzoom"] == 14 and base["offline"]["maxzoom"] == 17  # the file's levels within 14–18


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
