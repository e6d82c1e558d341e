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
