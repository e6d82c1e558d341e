"""The walk at 390 px in Chromium: a tap changes the row and the village's counters at once,
online and offline, and brings the next house into view; undo offline puts the row back as
it was; a full visit lands back on the list at the next house; "Gần tôi" with a GPS fix; the
route dragged into order."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from fieldapp.coverage.walk import walk_key
from tests.browser.conftest import CHROMIUM, sign_in, until
from tests.helpers import households_of, village, visits_of

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "shots"


def _counts(page) -> dict[str, int]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('[data-counters] [data-count]')]
        .map(b => [b.dataset.count, Number(b.textContent.replace(/\\D/g, ''))]))""")


def _order(app, code):
    with app.app_context():
        homes = sorted(households_of(code), key=walk_key)
        visited = {h.id for h in homes if any(v.in_force for v in visits_of(h.id))}
        return [(str(h.id), h.id in visited) for h in homes], village(code).id


def _in_view(page, selector) -> bool:
    return page.evaluate("""(s) => { const r = document.querySelector(s).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; }""", selector)


def test_a_tap_changes_the_row_and_counters_and_brings_the_next_house(live_server, page, sqlite_app):
    order, t01 = _order(sqlite_app, "T01")
    todo = [hid for hid, seen in order if not seen]
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t01}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    before = _counts(page)
    row = page.locator(f'[data-household-id="{todo[0]}"]')
    row.get_by_role("button", name="Đã cảnh báo", exact=True).click()
    page.locator(f'[data-household-id="{todo[0]}"].st-warned').wait_for(timeout=1000)  # at once
    after = _counts(page)
    assert (after["not_visited"], after["warned"]) == (before["not_visited"] - 1, before["warned"] + 1)
    page.locator(f'#h-{todo[1]}.next').wait_for()
    page.wait_for_timeout(600)  # the smooth scroll
    assert _in_view(page, f"#h-{todo[1]}")
    row.locator(".did").wait_for()
    assert row.locator(".did").inner_text() == "Đã cảnh báo · 12 nội dung · Tờ rơi"
    page.screenshot(path=str(SHOTS / "walk-after-tap.png"))
    page.locator(f'[data-household-id="{todo[0]}"]:not(.pending)').wait_for()
    with sqlite_app.app_context():
        [visit] = visits_of(uuid.UUID(todo[0]))
        assert len(visit.topics) == 12 and visit.materials == ["leaflet"] and visit.standard


def test_offline_the_counters_follow_and_undo_puts_the_row_back_as_it_was(live_server, page, sqlite_app):
    order, t02 = _order(sqlite_app, "T02")
    todo = [hid for hid, seen in order if not seen]
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t02}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    row = page.locator(f'#h-{todo[0]}')
    original = row.evaluate("li => li.outerHTML")
    before = _counts(page)
    page.context.set_offline(True)
    row.get_by_role("button", name="Vắng nhà").click()
    page.locator(f'#h-{todo[0]}.st-revisit.pending').wait_for(timeout=1000)
    assert _counts(page)["revisit"] == before["revisit"] + 1 and _counts(page)["not_visited"] == before["not_visited"] - 1
    page.locator('[data-outbox-count="1"]').wait_for(state="attached")
    # The words follow the count once the last-sent time is read and the browser has said it is
    # offline (a failed try may be drawn first): they settle on exactly these.
    until(page, "document.querySelector('[data-outbox-count]').textContent === 'Không có kết nối · 1 lượt chưa gửi'")
    page.screenshot(path=str(SHOTS / "walk-offline-tap.png"))
    page.locator(f"#h-{todo[0]}").get_by_role("button", name="Hoàn tác").click()
    page.locator('[data-outbox-count="0"]').wait_for(state="attached")
    until(page, f"document.querySelector('#h-{todo[0]}').outerHTML === {original!r}")
    assert _counts(page) == before
    page.context.set_offline(False)
    with sqlite_app.app_context():
        assert visits_of(uuid.UUID(todo[0])) == []


def test_a_full_visit_lands_back_at_the_next_house(live_server, page, sqlite_app):
    order, t03 = _order(sqlite_app, "T03")
    todo = [hid for hid, seen in order if not seen]
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/households/{todo[0]}")
    form = page.locator("form.visit-form")
    assert not form.locator("[name=topics]").first.is_visible()  # nothing shown before an outcome
    form.get_by_text("Đã cảnh báo", exact=True).click()
    assert form.locator("[name=topics]").first.is_visible() and form.locator('[name=materials][value=leaflet]').is_checked()
    form.get_by_text("Vắng nhà", exact=True).click()
    assert not form.locator("[name=topics]").first.is_visible()
    form.get_by_role("button", name="Lưu lượt đến nhà").click()
    page.wait_for_url(f"**/villages/{t03}#h-{todo[1]}")
    page.get_by_text("Đã lưu lượt đến nhà").wait_for()
    assert _in_view(page, f"#h-{todo[1]}")
    page.screenshot(path=str(SHOTS / "walk-next-house.png"))


def test_nearest_first_with_a_fix(live_server, browser, sqlite_app):
    with sqlite_app.app_context():
        homes = [h for h in households_of("T04") if h.lat is not None]
        t04 = village("T04").id
        far_corner = max(homes, key=lambda h: (h.lat, h.lon))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", has_touch=True,
                                  geolocation={"latitude": far_corner.lat, "longitude": far_corner.lon},
                                  permissions=["geolocation"])
    page = context.new_page()
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t04}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    button = page.get_by_role("button", name="Gần tôi")
    button.wait_for()
    walk = page.evaluate("[...document.querySelectorAll('ul.hh li[data-household-id]')].map(li => li.dataset.householdId)")
    button.click()
    first = page.locator("ul.hh li[data-household-id]").first.get_attribute("data-household-id")
    assert first == str(far_corner.id)
    page.get_by_role("button", name="Theo thứ tự đi").click()
    assert page.evaluate("[...document.querySelectorAll('ul.hh li[data-household-id]')].map(li => li.dataset.householdId)") == walk
    context.close()


def test_the_village_head_moves_houses_on_the_route(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        homes = sorted(households_of("T05"), key=walk_key)
        t05 = village("T05").id
    sign_in(page, live_server.url, "truongthon5")
    page.goto(f"{live_server.url}/villages/{t05}/route")
    items = page.locator("#route-list li")
    items.nth(0).get_by_role("button", name="Chuyển xuống").click()
    page.locator("#route-list li").last.locator(".grip").drag_to(page.locator("#route-list li").first.locator(".grip"))
    page.screenshot(path=str(SHOTS / "route-order.png"))
    shown = page.evaluate("[...document.querySelectorAll('#route-list li')].map(li => li.dataset.householdId)")
    page.get_by_role("button", name="Lưu thứ tự đi").click()
    page.get_by_text("Đã lưu thứ tự đi.").wait_for()
    assert shown[1:3] == [str(homes[1].id), str(homes[0].id)] or shown[:2] == [str(homes[1].id), str(homes[0].id)]
    with sqlite_app.app_context():
        from fieldapp.extensions import db

        db.session.rollback()
        assert [str(h.id) for h in sorted(households_of("T05"), key=walk_key)] == shown
    assert CHROMIUM
