"""Inputs a person meets at 390 px whatever the phone's language: dates written and shown
dd/mm/yyyy (an English browser too), and tap targets of at least 44 px."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Campaign
from tests.browser.conftest import sign_in
from tests.helpers import households_of, village

pytestmark = pytest.mark.browser

TARGETS = """() => [...document.querySelectorAll(
    'main button, main a.btn, main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
    + 'main label.check, main label.pill, main a.tel, main a.found-link, .pager a, .map-filter label, '
    + '.summary a.chip, .crumbs a, .menu summary, .syncbar button, .fix-tools a')]
    .filter(el => el.offsetParent !== null)
    .map(el => ({what: el.outerHTML.slice(0, 90), h: Math.round(el.getBoundingClientRect().height),
                 w: Math.round(el.getBoundingClientRect().width)}))
    .filter(t => t.h < 44 || t.w < 44)"""


def test_dates_are_dd_mm_yyyy_in_an_english_browser(live_server, browser, sqlite_app):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    sign_in(page, live_server.url, "quantri")
    page.goto(f"{live_server.url}/campaigns/")
    first = page.locator("input[name=starts_on]")
    assert first.get_attribute("type") == "text" and first.get_attribute("placeholder") == "dd/mm/yyyy"
    page.fill("input[name=name]", "Đợt tháng Giêng")
    first.fill("05/01/2027")
    page.fill("input[name=ends_on]", "7/2/2027")
    page.locator("label.check").first.click()
    page.get_by_role("button", name="Tạo chiến dịch").click()
    page.wait_for_url("**/campaigns/*")
    assert "05/01/2027 – 07/02/2027" in page.locator("main").inner_text()
    with sqlite_app.app_context():
        db.session.rollback()
        made = db.session.scalar(sa.select(Campaign).where(Campaign.name == "Đợt tháng Giêng"))
        assert (made.starts_on.isoformat(), made.ends_on.isoformat()) == ("2027-01-05", "2027-02-07")
    page.goto(f"{live_server.url}/assignments/")
    shown = page.locator("input[name=starts_on]").input_value()
    assert len(shown) == 10 and shown[2] == "/" and shown[5] == "/"
    page.goto(f"{live_server.url}/campaigns/")
    page.fill("input[name=name]", "Sai ngày")
    page.fill("input[name=starts_on]", "31/02/2027")
    page.fill("input[name=ends_on]", "01/03/2027")
    page.locator("label.check").first.click()
    page.get_by_role("button", name="Tạo chiến dịch").click()
    assert "viết theo dạng dd/mm/yyyy" in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize("username, paths", [
    ("cskv1", ["/villages/{v}", "/households/{h}", "/households/new?village={v}", "/villages/{v}/map", "/proof/"]),
    ("chihuy", ["/incidents/new?q=nguyen", "/coverage/map", "/sync/quarantine", "/campaigns/{c}",
                "/villages/{v}/route", "/audit/", "/proof/", "/proof/points", "/proof/sample"]),
    ("truongthon1", ["/coverage/villages/{v}", "/proof/sample"]),
])
def test_tap_targets_are_at_least_44_px(live_server, page, sqlite_app, username, paths):
    with sqlite_app.app_context():
        ids = {"v": village("T01").id, "h": next(h.id for h in households_of("T01") if h.phone),
               "c": db.session.scalar(sa.select(Campaign.id))}
    sign_in(page, live_server.url, username)
    small = []
    for path in paths:
        page.goto(live_server.url + path.format(**ids))
        page.wait_for_load_state("networkidle")
        small += [(path, t) for t in page.evaluate(TARGETS)]
    assert small == []
