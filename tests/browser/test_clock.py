"""A phone whose clock runs a year fast: it says so, and the visit it dates next year is
refused with a reason that names the phone's clock, kept on the phone to send again."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from tests.browser.test_outbox import _open_village, plain_page  # noqa: F401 (fixture)
from tests.helpers import unvisited_household, visits_of

pytestmark = pytest.mark.browser


def test_a_phone_a_year_fast_is_warned_and_its_visit_refused(live_server, plain_page, sqlite_app):
    page = plain_page
    page.context.clock.install(time=datetime.now() + timedelta(days=365))
    _open_village(page, live_server.url, "T05", sqlite_app)
    with sqlite_app.app_context():
        household_id = str(unvisited_household("T05").id)
    row = page.locator(f'[data-household-id="{household_id}"]')
    row.get_by_role("button", name="Đã cảnh báo", exact=True).click()
    warning = page.locator("#tn-clock")
    warning.wait_for()
    assert "nhanh hơn giờ máy chủ 365 ngày" in warning.inner_text()
    box = page.locator("#tn-attention")
    box.wait_for()
    assert "Đồng hồ của điện thoại đang sai" in box.inner_text()
    assert page.locator("[data-outbox-count]").get_attribute("data-outbox-count") == "0"
    with sqlite_app.app_context():
        assert visits_of(uuid.UUID(household_id)) == []
