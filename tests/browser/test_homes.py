"""Each role's home at 390 px: `/` lands an officer on his villages (a team member with one
village straight on it), a village head on his village's coverage, the commander and the
admin on the dashboard, whose chart spans the whole campaign; the campaign page shows its
state and standard package; the shell's no-connection banner clears when the server is back."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import sign_in, until
from tests.browser.test_offline import phone_gone_offline, server  # noqa: F401 (fixture)
from tests.helpers import village

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "shots"


@pytest.mark.parametrize("username, where", [
    ("cskv1", "/villages/"), ("antt7", "/villages/{T07}"), ("truongthon3", "/coverage/villages/{T03}"),
    ("chihuy", "/coverage/"), ("quantri", "/coverage/"),
])
def test_home_per_role(live_server, page, sqlite_app, username, where):
    with sqlite_app.app_context():
        ids = {code: village(code).id for code in ("T03", "T07")}
    sign_in(page, live_server.url, username)
    page.goto(live_server.url + "/")
    page.wait_for_url(live_server.url + where.format(**ids))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / f"home-{username}.png"))
    if where == "/coverage/":
        bars = page.locator("rect.bar")
        assert bars.count() == 61  # the whole campaign, 45 days back and 15 ahead


def test_the_campaign_page_shows_its_state_and_standard_package(live_server, page, sqlite_app):
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/campaigns/")
    page.locator("#campaigns a").first.click()
    page.locator('[data-campaign-state="running"]').wait_for()
    assert page.locator("#standard input[name=topics]:checked").count() == 12
    page.screenshot(path=str(SHOTS / "campaign-standard.png"), full_page=True)


def test_the_no_connection_banner_clears_when_the_server_is_back(browser, server, sqlite_app, tmp_path):  # noqa: F811
    with sqlite_app.app_context():
        t01 = village("T01").id
    phone, page = phone_gone_offline(browser, server, tmp_path / "phone", t01)
    page.goto(f"{server.url}/villages/{t01}")
    banner = page.locator("[data-offline-banner]")
    banner.wait_for()
    page.screenshot(path=str(SHOTS / "offline-village.png"))
    server.start()
    page.get_by_role("button", name="Đồng bộ").click()
    banner.wait_for(state="hidden")
    phone.close()


def test_the_sync_button_says_it_is_syncing_until_done(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        t01 = village("T01").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t01}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    held, released = [], []  # the pack refresh waits here, as on a slow line

    def slow_line(route):
        route.continue_() if released else held.append(route)

    page.route("**/api/me/pack*", slow_line)
    button = page.locator("[data-sync-now]")
    button.click()
    until(page, "document.querySelector('[data-sync-now]').textContent === 'Đang đồng bộ…'")
    assert button.is_disabled()
    for _ in range(200):  # the refresh is on its way (10 s at most)
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    released.append(True)
    for route in held:
        route.continue_()
    until(page, "document.querySelector('[data-sync-now]').textContent === 'Đồng bộ'")
    assert button.is_enabled()
