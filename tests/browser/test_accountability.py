"""A commander records an incident in Chromium and sees the verdict at once."""
from __future__ import annotations

import pytest

from tests.accountability.visits import add_visit
from tests.browser.conftest import sign_in
from tests.helpers import unvisited_household, user

pytestmark = pytest.mark.browser


def test_commander_records_an_incident_and_sees_the_verdict(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        add_visit(household, "cskv1", "warned", "2025-11-15 10:00", companions=["antt1"], youth=1)
        name = household.head_name
        officers = [user(u).full_name for u in ("cskv1", "antt1")]
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/households/{household.id}")
    page.get_by_role("link", name="Ghi nhận vụ việc").click()
    page.fill("input[name=occurred_on]", "2025-11-20")
    page.select_option("select[name=kind]", "online_kidnapping")
    page.fill("input[name=loss_vnd]", "150000000")
    page.fill("textarea[name=note]", "Con bị dụ tự cô lập, gia đình bị gọi đòi tiền chuộc.")
    page.get_by_role("button", name="Lưu vụ việc").click()
    verdict = page.locator('[data-verdict="warned"]')
    verdict.wait_for()
    text = verdict.inner_text()
    assert "Đã được cảnh báo trước ngày 20/11/2025" in text and "15/11/2025 10:00" in text
    assert all(officer in text for officer in officers)
    assert "Phân công phụ trách thôn ngày 20/11/2025" in text
    page.get_by_role("link", name="← Vụ việc").click()
    row = page.locator("[data-incident-id]")
    assert row.count() == 1 and name in row.inner_text() and "Đã cảnh báo trước vụ việc" in row.inner_text()


def test_a_future_date_is_refused_with_a_message(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = unvisited_household("T02")
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/incidents/new/{household.id}")
    page.fill("input[name=occurred_on]", "2099-01-01")
    page.get_by_role("button", name="Lưu vụ việc").click()
    assert page.locator(".error").first.inner_text() == "Ngày xảy ra không thể ở tương lai."
