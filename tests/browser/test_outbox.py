"""The outbox in headless Chromium: refused entries, logout, households added in the field."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from fieldapp.models import Household, SyncReceipt
from tests.browser.conftest import sign_in, until
from tests.helpers import unvisited_household, village, visits_of

pytestmark = pytest.mark.browser

STORED = """() => new Promise(ok => {
  const r = indexedDB.open("tungnha");
  r.onsuccess = () => {
    const t = r.result.transaction(["outbox", "meta"]);
    const n = t.objectStore("outbox").count(), pack = t.objectStore("meta").get("pack");
    t.oncomplete = () => ok({outbox: n.result, pack: pack.result || null});
  };
})"""


@pytest.fixture
def plain_page(browser):
    """No service worker, so every send comes from the page (where routes apply)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", service_workers="block")
    yield context.new_page()
    context.close()


def _open_village(page, base, code, sqlite_app):
    with sqlite_app.app_context():
        village_id = village(code).id
    sign_in(page, base, "cskv1")
    page.goto(f"{base}/villages/{village_id}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    return village_id


def test_refused_entries_wait_in_the_attention_list_until_discarded(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T03", sqlite_app)
    with sqlite_app.app_context():
        household_id = str(unvisited_household("T03").id)
    page.evaluate("""(hid) => TN.outbox.add("visit", {household_id: hid, campaign_id: TN.pack().campaign.id,
        outcome: "bogus", topics: [], materials: []}, "cskv1").then(() => TN.syncNow())""", household_id)
    box = page.locator("#tn-attention")
    box.wait_for()
    text = box.inner_text()
    assert "Cần sửa trước khi gửi (1)" in text and "Kết quả:" in text and "outcome" not in text
    assert "Máy chủ trả lại" in text
    assert page.locator("[data-outbox-count]").get_attribute("data-outbox-count") == "0"
    page.reload()  # it stays, with the server's reason, and is not sent again
    box.wait_for()
    first = box.locator("[data-entry]").get_attribute("data-entry")
    box.get_by_role("button", name="Gửi lại").click()  # the same content again, under its id
    page.locator('[data-outbox-count="0"]').wait_for(state="attached")
    box.locator(f'[data-entry="{first}"]').wait_for()  # returned again, nothing new on the server
    assert page.evaluate(STORED)["outbox"] == 1
    with sqlite_app.app_context():
        from fieldapp.extensions import db
        from fieldapp.models import QuarantinedEntry

        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(QuarantinedEntry.id))) == 1
    page.once("dialog", lambda dialog: dialog.accept())
    box.get_by_role("button", name="Bỏ").click()
    box.wait_for(state="detached")
    assert page.evaluate(STORED)["outbox"] == 0
    with sqlite_app.app_context():
        assert visits_of(uuid.UUID(household_id)) == []


def test_logout_warns_about_unsent_entries_then_clears_the_phone(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T04", sqlite_app)
    with sqlite_app.app_context():
        household_id = str(unvisited_household("T04").id)
    page.route("**/api/sync/batch", lambda route: route.fulfill(status=500, body="oops"))
    page.locator(f'[data-household-id="{household_id}"]').get_by_role("button", name="Vắng nhà").click()
    page.locator('[data-outbox-count="1"]').wait_for(state="attached")
    messages = []

    def answer(dialog):
        messages.append(dialog.message)
        dialog.dismiss() if len(messages) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.locator("nav.menu details").evaluate("menu => { menu.open = true; }")
    page.get_by_role("button", name="Đăng xuất").click()
    for _ in range(100):  # the warning comes after one more attempt to send
        if messages:
            break
        page.wait_for_timeout(100)
    assert messages and "1" in messages[0] and page.url.endswith("/villages/" + page.url.rsplit("/", 1)[1])
    assert page.evaluate(STORED)["outbox"] == 1  # kept: the officer said no
    page.locator("nav.menu details").evaluate("menu => { menu.open = true; }")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    assert page.evaluate(STORED) == {"outbox": 0, "pack": None}
    assert page.evaluate("caches.keys()") == []
    with sqlite_app.app_context():
        assert visits_of(uuid.UUID(household_id)) == []


def test_a_household_added_in_the_field_goes_through_the_outbox(live_server, plain_page, sqlite_app):
    page = plain_page
    village_id = _open_village(page, live_server.url, "T05", sqlite_app)
    page.goto(f"{live_server.url}/households/new?village={village_id}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    page.fill("input[name=head_name]", "Hồ Thị Ngọc Ánh")
    page.fill("input[name=members]", "3")
    page.fill("input[name=youth]", "1")
    page.get_by_role("button", name="Thêm hộ").click()
    page.wait_for_url("**/households/*")  # it lands on the new household, with its buttons
    page.get_by_role("heading", name="Hồ Thị Ngọc Ánh").wait_for()
    page.get_by_role("button", name="Đã cảnh báo", exact=True).wait_for()
    with sqlite_app.app_context():
        from fieldapp.extensions import db

        db.session.rollback()
        household = db.session.scalar(sa.select(Household).where(Household.head_name == "Hồ Thị Ngọc Ánh"))
        assert household.source == "field" and (household.members, household.youth) == (3, 1)
        receipt = db.session.get(SyncReceipt, household.id)
        assert receipt.entry_type == "household" and receipt.device_id.startswith("web-")


def test_the_browser_offline_flag_then_online_sends_at_once(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T01", sqlite_app)
    with sqlite_app.app_context():
        household_id = str(unvisited_household("T01").id)
    page.context.set_offline(True)
    page.locator(f'[data-household-id="{household_id}"]').get_by_role("button", name="Đã cảnh báo", exact=True).click()
    page.locator(f'[data-household-id="{household_id}"].st-warned.pending').wait_for(timeout=1000)  # at once
    page.locator('[data-outbox-count="1"]').wait_for(state="attached")  # queued on the phone
    page.context.set_offline(False)  # the "online" event sends it
    page.locator(f'[data-household-id="{household_id}"]:not(.pending)').wait_for()
    with sqlite_app.app_context():
        assert [v.outcome for v in visits_of(uuid.UUID(household_id))] == ["warned"]


def test_a_wifi_login_page_is_no_fresh_pack(live_server, plain_page, sqlite_app):
    """A captive portal answering 200 with HTML must not mark the pack fresh (which would
    skip refreshing it for two minutes); a real pack does."""
    page = plain_page
    wifi_login = "<html><body><form action='/portal'>Đăng nhập Wi-Fi miễn phí</form></body></html>"
    page.route("**/api/me/pack", lambda route: route.fulfill(status=200, content_type="text/html", body=wifi_login))
    sign_in(page, live_server.url, "cskv1")
    refresh = "TN.refreshPack('cskv1').then(() => 'stored', e => String(e))"
    assert page.evaluate(refresh) == "Error: pack 200"
    assert page.evaluate("TN.outbox.meta('pack_at')") is None
    page.unroute("**/api/me/pack")
    assert page.evaluate(refresh) == "stored"
    assert isinstance(page.evaluate("TN.outbox.meta('pack_at')"), (int, float))
