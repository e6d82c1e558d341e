"""The map in a real Chromium: Leaflet draws the village and its households; the status filter works."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in
from tests.coverage import truth

pytestmark = pytest.mark.browser


def test_map_shows_the_village_and_filters_by_status(sqlite_app, live_server, page):
    from fieldapp.extensions import db
    from fieldapp.models import Household, Village

    with sqlite_app.app_context():
        village = db.session.scalar(sa.select(Village).where(Village.code == "T03"))
        homes = db.session.scalars(sa.select(Household).where(Household.village_id == village.id)).all()
        status = truth.statuses(truth.campaign_id())
        warned = sum(1 for h in homes if status[h.id] == "warned")
        village_id, total = village.id, len(homes)
    sign_in(page, live_server.url, "truongthon3")
    page.goto(f"{live_server.url}/coverage/map?village={village_id}")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator(".vlabel").count() == 1 and "T03" in page.locator(".vlabel").inner_text()
    assert page.locator("#map-note").get_attribute("data-shown") == str(total)
    page.uncheck("input[name=status][value=warned]")
    assert page.locator("#map-note").get_attribute("data-shown") == str(total - warned)
    assert page.evaluate("typeof L") == "object"
    page.goto(f"{live_server.url}/coverage/")
    assert page.evaluate("typeof window.L") == "undefined"  # Leaflet only on map pages


def test_coverage_pages_fit_a_phone(sqlite_app, live_server, page):
    """At 390 px nothing but the report's wide table scrolls sideways, and that only inside its box."""
    sign_in(page, live_server.url, "chihuy")
    for path in ("/coverage/", "/coverage/villages/1", "/coverage/villages/1/walk", "/coverage/map",
                 "/reports/campaigns/1"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_one_popup_per_tap_and_no_flag(sqlite_app, live_server, page):
    """A tap where a house lies inside its village opens one popup (not the house's over the
    village's), and the attribution is a plain link, without Leaflet's flag."""
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/coverage/map?village=1")
    page.wait_for_selector("#map[data-ready='1']")
    box = page.locator("#map").bounding_box()
    seen = set()
    for dx in range(-60, 61, 6):
        page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2)
        page.wait_for_timeout(100)
        count = page.locator(".leaflet-popup").count()
        assert count <= 1, dx
        if count:
            seen.add(page.locator(".leaflet-popup").inner_text().split("\n")[0])
    assert len(seen) >= 2  # houses and the village were both tapped
    attribution = page.locator(".leaflet-control-attribution")
    assert attribution.locator("svg").count() == 0 and attribution.get_by_role("link", name="Leaflet").count() == 1
