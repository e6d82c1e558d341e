"""The officer's village map in headless Chromium: the province's MBTiles base map, houses
coloured by status, one popup per tap with the list's quick buttons; then the same map with
the server stopped, drawn from the offline pack and the tiles the service worker kept, and a
visit recorded from a map tap that lands once the server is back."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from tests.browser.test_offline import RestartableServer, back_online, open_phone, sign_in_remembered, until
from tests.conftest import _config, _new_app
from tests.helpers import households_of, village, visits_of
from tests.tiles.mbtiles_file import tiles_over, write_mbtiles

pytestmark = pytest.mark.browser


@pytest.fixture
def tiled_app(tmp_path, sqlite_template):
    path = tmp_path / "live.sqlite3"
    shutil.copy(sqlite_template, path)
    tiles = write_mbtiles(tmp_path / "base.mbtiles", tiles_over(108.76, 15.06, 108.78, 15.08, range(14, 17)))
    app = _new_app(_config(f"sqlite:///{path}", MAP_TILES_FILE=str(tiles), MAP_TILES_OFFLINE_ZOOM="14-16"))
    yield app
    with app.app_context():
        from fieldapp.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def server(tiled_app):
    srv = RestartableServer(tiled_app).start()
    yield srv
    srv.stop()


def tap_house(page, household_id: str) -> None:
    """Tap a house where Leaflet draws it (canvas markers have no element of their own)."""
    x, y = page.evaluate("""id => { var h = TN.findHousehold(id).h, m = TN.villageMap;
        m.setView([h.lat, h.lon], 18, {animate: false});
        var p = m.latLngToContainerPoint([h.lat, h.lon]), r = document.getElementById('vmap').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""", household_id)
    page.mouse.click(x, y)


def open_map(page, base: str, village_id: int) -> None:
    page.goto(f"{base}/villages/{village_id}/map")
    page.wait_for_selector("#vmap[data-ready='1']", state="attached")
    until(page, "TN.pack() !== null && TN.findHousehold !== undefined")


def test_the_map_works_offline_and_records_a_visit_from_a_tap(browser, server, tiled_app, tmp_path):
    with tiled_app.app_context():
        t01 = village("T01").id
        fresh = [h for h in households_of("T01") if h.lat and not any(True for _ in visits_of(h.id))]
        target_id, name = fresh[0].id, fresh[0].head_name
        target = str(target_id)
    phone = open_phone(browser, tmp_path / "phone")
    page = phone.new_page()
    sign_in_remembered(page, server.url)
    page.goto(f"{server.url}/villages/{t01}")
    assert page.evaluate("typeof window.L") == "undefined"  # Leaflet only on the map view
    page.locator("[data-map-link]").click()
    page.wait_for_selector("#vmap[data-ready='1']", state="attached")
    until(page, "TN.pack() !== null")
    assert page.locator(".leaflet-tile-loaded").count() > 0
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.locator("svg").count() == 0 and attribution.get_by_role("link", name="Leaflet").count() == 1
    assert "Sở Nông nghiệp" in attribution.inner_text()
    until(page, "navigator.serviceWorker.controller !== null")
    until(page, "caches.match('/villages/map').then(function (r) { return !!r; })", 30)
    until(page, "caches.match('/tiles/offline-summary').then(function (r) { return !!r; })", 30)
    page.reload()
    page.locator("#vmap-offline").get_by_text("Bản đồ ngoại tuyến:").wait_for()

    server.stop()  # no signal
    open_map(page, server.url, t01)
    until(page, "document.querySelectorAll('.leaflet-tile-loaded').length > 0")  # tiles from the phone
    houses = page.locator("#vmap .leaflet-interactive")
    assert houses.count() == page.evaluate("TN.pack().villages.filter(function (v) { return v.id === %d; })[0]"
                                           ".households.filter(function (h) { return h.lat; }).length" % t01)
    first = houses.first  # houses still to visit come first, each a 44 px target named for the household
    assert page.evaluate("el => el.getBoundingClientRect().width", first.element_handle()) >= 44
    tap_house(page, target)
    popup = page.locator(".leaflet-popup")
    popup.get_by_text(name).wait_for()
    assert popup.locator('a[href^="geo:"]').inner_text() == "Chỉ đường"
    tap_house(page, target)
    assert page.locator(".leaflet-popup").count() == 1  # one popup per tap
    popup.get_by_role("button", name="Đã cảnh báo", exact=True).click()
    page.locator('[data-outbox-count="1"]').wait_for(state="attached")
    assert page.evaluate("id => TN.findHousehold(id).h.status", target) == "warned"
    page.locator('#vmap-legend [data-status="pending"]:not([hidden])').wait_for()

    back_online(page, server)
    with tiled_app.app_context():
        assert [v.outcome for v in visits_of(target_id)] == ["warned"]
    phone.close()


def test_logout_drops_the_offline_map(browser, server, tiled_app, tmp_path):
    with tiled_app.app_context():
        t01 = village("T01").id
    phone = open_phone(browser, tmp_path / "phone2")
    page = phone.new_page()
    sign_in_remembered(page, server.url)
    open_map(page, server.url, t01)
    until(page, "navigator.serviceWorker.controller !== null")
    until(page, "caches.match('/tiles/offline-summary').then(function (r) { return !!r; })", 30)
    page.locator("summary").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login**")
    assert page.evaluate("caches.keys().then(function (k) { return k.filter(function (n) { return n.indexOf('tiles') >= 0; }); })") == []
    phone.close()


def test_new_villages_drop_the_tiles_kept_for_the_old_ones(browser, server, tiled_app, tmp_path):
    import sqlalchemy as sa

    from fieldapp.extensions import db
    from fieldapp.models import Assignment
    from tests.helpers import user

    with tiled_app.app_context():
        t01 = village("T01").id
    phone = open_phone(browser, tmp_path / "phone3")
    page = phone.new_page()
    sign_in_remembered(page, server.url, "antt1")
    open_map(page, server.url, t01)
    until(page, "navigator.serviceWorker.controller !== null")
    until(page, "caches.match('/tiles/offline-summary').then(function (r) { return r && r.json(); })"
                ".then(function (s) { return s && s.count > 0; })", 30)
    with tiled_app.app_context():  # antt1 moves to T20, where the base map file has no tiles
        me, t20 = user("antt1").id, village("T20").id
        # End the read first: SQLite cannot turn a read that a server write has overtaken into a
        # write ("database is locked" at once); a transaction that starts by writing waits its turn.
        db.session.rollback()
        db.session.execute(sa.delete(Assignment).where(Assignment.user_id == me))
        db.session.add(Assignment(user_id=me, village_id=t20, starts_on=date(2020, 1, 1)))
        db.session.commit()
    page.goto(f"{server.url}/villages/")
    until(page, "caches.keys().then(function (k) { return k.indexOf('tn-shell-tiles') < 0; })", 30)
    phone.close()


def test_my_position_on_the_map(browser, server, tiled_app):
    with tiled_app.app_context():
        t01 = village("T01").id
        home = next(h for h in households_of("T01") if h.lat)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", service_workers="block",
                                  geolocation={"latitude": home.lat, "longitude": home.lon, "accuracy": 12},
                                  permissions=["geolocation"])
    page = context.new_page()
    sign_in_remembered(page, server.url)
    open_map(page, server.url, t01)
    button = page.get_by_role("button", name="Vị trí của tôi")
    button.wait_for()
    page.evaluate("TN.villageMap.setView([15.2, 108.9], 14, {animate: false})")
    button.click()
    centre = page.evaluate("(() => { var c = TN.villageMap.getCenter(); return [c.lat, c.lng]; })()")
    assert abs(centre[0] - home.lat) < 1e-4 and abs(centre[1] - home.lon) < 1e-4
    context.close()
