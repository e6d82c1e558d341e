"""The offline client in headless Chromium: the server stopped or hanging, the browser
closed and reopened, answers that are not receipts. Every visit lands exactly once."""
from __future__ import annotations

import socket

import pytest
from werkzeug.serving import make_server
import threading

from fieldapp.text import fold
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in, until
from tests.helpers import households_of, unvisited_household, user, village, visits_of

pytestmark = pytest.mark.browser


class RestartableServer:
    """The app on a fixed loopback port that can be stopped, made to hang, and started again."""

    def __init__(self, app):
        self.app = app
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = self.thread = self.hanging = None

    def start(self):
        self.unhang()
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None

    def hang(self):
        """Accept connections (the kernel does) and never answer, like a stuck server."""
        self.stop()
        self.hanging = socket.socket()
        self.hanging.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.hanging.bind(("127.0.0.1", self.port))
        self.hanging.listen(64)

    def unhang(self):
        if self.hanging:
            self.hanging.close()
            self.hanging = None


@pytest.fixture
def server(sqlite_app):
    srv = RestartableServer(sqlite_app).start()
    yield srv
    srv.stop()
    srv.unhang()


def open_phone(browser, profile):
    """A Chromium with a profile on disk, so IndexedDB and the service worker survive closing."""
    return browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 390, "height": 844}, locale="vi-VN", has_touch=True)


def sign_in_remembered(page, base_url, username="cskv1"):
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo1234")
    page.check("input[name=remember]")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/villages/**")  # one village: straight to it


def ready_for_offline(page):
    page.wait_for_selector("html[data-pack-ready][data-sw-ready]", state="attached")
    until(page, "navigator.serviceWorker.controller !== null")
    until(page, "caches.match('/sync/shell').then(function (r) { return !!r; })")


def phone_gone_offline(browser, server, profile, village_id: int):
    """cskv1's phone that opened a village page online, then lost the server (refused)."""
    phone = open_phone(browser, profile)
    page = phone.new_page()
    sign_in_remembered(page, server.url)
    page.goto(f"{server.url}/villages/{village_id}")
    ready_for_offline(page)
    server.stop()
    return phone, page


def back_online(page, server):
    """Start the server again, tap "Đồng bộ", and wait until the outbox is empty."""
    server.start()
    page.get_by_role("button", name="Đồng bộ").click()
    page.locator('[data-outbox-count="0"]').wait_for(state="attached", timeout=15000)


def counter(page) -> str:
    return page.locator("[data-outbox-count]").get_attribute("data-outbox-count")


def test_visits_recorded_with_the_server_down_land_once(browser, server, sqlite_app, tmp_path):
    with sqlite_app.app_context():
        t01 = village("T01").id
        fresh = [h for h in households_of("T01") if not any(True for _ in visits_of(h.id))]
        (warned_id, name), (away_id, _name) = [(h.id, h.head_name) for h in fresh[:2]]
    profile = tmp_path / "phone"
    phone = open_phone(browser, profile)
    page = phone.new_page()
    sign_in_remembered(page, server.url)
    page.goto(f"{server.url}/villages/{t01}")
    ready_for_offline(page)

    server.stop()  # connection refused
    page.goto(f"{server.url}/villages/")
    page.locator(f'a[href="/villages/{t01}"]').click()
    page.wait_for_url(f"**/villages/{t01}")
    page.locator("#offline-app [data-household-id]").first.wait_for()
    total = page.locator("[data-household-id]").count()
    page.locator("input[name=q]").fill(fold(name))  # no diacritics
    row = page.locator(f'[data-household-id="{warned_id}"]')
    until(page, f"document.querySelectorAll('[data-household-id]').length < {total}")
    assert page.locator("[data-household-id]").count() >= 1
    row.get_by_role("button", name="Đã cảnh báo", exact=True).click()
    page.locator(f'[data-household-id="{warned_id}"].st-warned.pending').wait_for()
    assert counter(page) == "1"

    server.hang()  # the server accepts connections and never answers
    page.goto(f"{server.url}/villages/{t01}")
    row = page.locator(f'[data-household-id="{away_id}"]')
    row.get_by_role("button", name="Vắng nhà").click()
    page.locator(f'[data-household-id="{away_id}"].st-revisit').wait_for()
    page.locator('[data-outbox-count="2"]').wait_for(state="attached")
    phone.close()  # the browser closed

    phone = open_phone(browser, profile)
    page = phone.new_page()
    page.goto(f"{server.url}/villages/{t01}")
    page.locator('[data-outbox-count="2"]').wait_for(state="attached")
    page.locator(f'[data-household-id="{warned_id}"].st-warned.pending').wait_for()

    back_online(page, server)  # the server back
    page.get_by_role("button", name="Đồng bộ").click()
    page.reload()
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    assert page.evaluate("TN.outbox.all().then(function (l) { return l.length; })") == 0
    with sqlite_app.app_context():
        assert [v.outcome for v in visits_of(warned_id)] == ["warned"]
        assert [v.outcome for v in visits_of(away_id)] == ["nobody_home"]
        visit = visits_of(warned_id)[0]
        assert visit.device_id.startswith("web-") and visit.seq == 1 and len(visit.topics) == 12
    phone.close()


def warned_online_with_companion(village_code: str, username: str, companion: str):
    """A warned visit already on the server (so in the pack), recorded with a companion."""
    from fieldapp.campaigns.services import current_campaign
    from fieldapp.extensions import db
    from fieldapp.visits.services import record_visit, standard_values

    household, officer = unvisited_household(village_code), user(username)
    campaign = current_campaign(commune_id=officer.commune_id)
    record_visit(household, campaign, officer, {**standard_values(campaign, "warned"), "companions": [companion]})
    db.session.commit()
    return household.id


@pytest.fixture
def plain_page(browser):
    """No service worker, so every send comes from the page (where routes apply)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                  service_workers="block")
    yield context.new_page()
    context.close()


def test_answers_that_are_not_receipts_keep_the_outbox(server, plain_page, sqlite_app):
    page = plain_page
    with sqlite_app.app_context():
        t02 = village("T02").id
        household_id = unvisited_household("T02").id
    sign_in(page, server.url, "cskv1")
    page.goto(f"{server.url}/villages/{t02}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    wifi_login = "<html><body><form action='/portal'>Đăng nhập Wi-Fi miễn phí</form></body></html>"
    page.route("**/api/sync/batch", lambda route: route.fulfill(status=200, content_type="text/html", body=wifi_login))
    page.locator(f'[data-household-id="{household_id}"]').get_by_role("button", name="Đã cảnh báo", exact=True).click()
    page.locator(f'[data-household-id="{household_id}"].st-warned').wait_for()
    until(page, "window.TN.syncState.failures >= 1")
    assert counter(page) == "1"

    page.unroute("**/api/sync/batch")
    page.route("**/api/sync/batch", lambda route: route.fulfill(status=500, content_type="application/json",
                                                                 body='{"error": "500"}'))
    page.get_by_role("button", name="Đồng bộ").click()
    until(page, "window.TN.syncState.failures >= 2")
    assert counter(page) == "1"
    waits = page.evaluate("[1, 2, 5, 10, 30].map(n => Array.from({length: 20}, () => TN.backoff(n)))")
    assert all(1500 <= w <= 2000 for w in waits[0]) and all(3000 <= w <= 4000 for w in waits[1])
    assert all(675000 <= w <= 900000 for w in waits[4]) and len(set(waits[4])) > 1  # capped at 15 min, jittered
    with sqlite_app.app_context():
        assert visits_of(household_id) == []

    page.unroute("**/api/sync/batch")
    page.route("**/api/sync/batch", lambda route: route.fulfill(status=302, headers={"Location": "/login"}))
    page.get_by_role("button", name="Đồng bộ").click()
    until(page, "window.TN.syncState.failures >= 3")  # a redirect is no receipt either
    assert counter(page) == "1"

    page.unroute("**/api/sync/batch")
    page.context.clear_cookies()  # the session expired meanwhile: ask to log in, keep the entry
    page.get_by_role("button", name="Đồng bộ").click()
    page.locator("#tn-login").wait_for()
    assert counter(page) == "1"
    sign_in(page, server.url, "cskv1")  # the page load sends what waited
    until(page, "TN.outbox.pending().then(function (l) { return l.length === 0; })")
    with sqlite_app.app_context():
        assert [v.outcome for v in visits_of(household_id)] == ["warned"]


def test_the_full_form_and_a_new_household_work_offline(browser, server, sqlite_app, tmp_path):
    with sqlite_app.app_context():
        t04 = village("T04").id
        visited_id = warned_online_with_companion("T04", "cskv1", "antt4")
        household_id = unvisited_household("T04").id
    phone, page = phone_gone_offline(browser, server, tmp_path / "phone", t04)

    page.goto(f"{server.url}/households/{visited_id}")  # its history comes from the pack
    visit = page.locator("#offline-history li")
    visit.first.wait_for()
    with sqlite_app.app_context():
        went = f'{user("cskv1").display_name}, {user("antt4").display_name}'
    assert visit.count() == 1 and "Đã cảnh báo" in visit.inner_text() and went in visit.inner_text()

    page.goto(f"{server.url}/households/{household_id}")  # two taps: the full form
    page.locator("#offline-none").wait_for()  # the shell draws the page once the pack is read
    assert page.locator("#offline-history li").count() == 0
    form = page.locator("form[data-offline-visit]")
    form.get_by_text("Không tiếp").click()
    form.locator("textarea[name=note]").fill("Không mở cửa, hẹn tuần sau")
    form.get_by_role("button", name="Lưu lượt đến nhà").click()
    page.wait_for_url(f"**/villages/{t04}*")
    page.locator(f'[data-household-id="{household_id}"].st-revisit.pending').wait_for()
    page.goto(f"{server.url}/households/{household_id}")  # the unsent visit heads its history
    page.locator("#offline-history li.pending").get_by_text("Không tiếp").wait_for()
    unsent = page.locator("#offline-history li.pending").inner_text()
    with sqlite_app.app_context():
        assert "Chưa gửi" in unsent and user("cskv1").display_name in unsent
    page.goto(f"{server.url}/villages/{t04}")

    page.get_by_role("link", name="+ Thêm hộ mới phát hiện").click()
    page.fill("input[name=head_name]", "Đinh Văn Tú")
    page.fill("input[name=members]", "5")
    page.fill("input[name=youth]", "2")
    page.get_by_role("button", name="Thêm hộ").click()
    page.wait_for_url("**/households/*")  # on the new household, drawn from the phone, with its buttons
    page.locator("#offline-app [data-household-id]").get_by_text("Đinh Văn Tú").wait_for()
    page.locator("#offline-app").get_by_role("button", name="Vắng nhà").wait_for()
    page.locator('[data-outbox-count="2"]').wait_for(state="attached")

    back_online(page, server)
    with sqlite_app.app_context():
        [visit] = visits_of(household_id)
        assert (visit.outcome, visit.note, visit.topics) == ("refused", "Không mở cửa, hẹn tuần sau", [])
        from fieldapp.extensions import db
        from fieldapp.models import Household
        import sqlalchemy as sa

        added = db.session.scalar(sa.select(Household).where(Household.head_name == "Đinh Văn Tú"))
        assert added.village_id == t04 and (added.members, added.youth) == (5, 2)
    phone.close()
