"""An officer's loop in a real headless Chromium at phone width."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.helpers import unvisited_household, village, visits_of

pytestmark = pytest.mark.browser


def test_one_tap_records_a_warned_visit_and_undo_reverts_it(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        t01 = village("T01").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t01}")
    row = page.locator(f'[data-household-id="{household.id}"]')
    row.get_by_role("button", name="Đã cảnh báo", exact=True).click()
    row = page.locator(f'[data-household-id="{household.id}"].st-warned')
    row.get_by_role("button", name="Hoàn tác").wait_for()
    with sqlite_app.app_context():
        [visit] = visits_of(household.id)
        assert visit.outcome == "warned" and len(visit.topics) == 12
    row.get_by_role("button", name="Hoàn tác").click()
    page.locator(f'[data-household-id="{household.id}"].st-not_visited').wait_for()
    with sqlite_app.app_context():
        assert not visits_of(household.id)[0].in_force


def test_nobody_home_is_one_tap(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = unvisited_household("T02")
        t02 = village("T02").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t02}")
    page.locator(f'[data-household-id="{household.id}"]').get_by_role("button", name="Vắng nhà").click()
    page.locator(f'[data-household-id="{household.id}"].st-revisit').wait_for()  # at once
    page.locator(f'[data-household-id="{household.id}"].st-revisit:not(.pending)').wait_for()  # then sent
    with sqlite_app.app_context():
        assert [v.outcome for v in visits_of(household.id)] == ["nobody_home"]


def test_typing_a_name_without_diacritics_finds_the_household(live_server, page, sqlite_app):
    from fieldapp.text import fold

    with sqlite_app.app_context():
        household = unvisited_household("T03")
        t03 = village("T03").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t03}")
    total = page.locator("[data-household-id]").count()
    page.locator("input[name=q]").press_sequentially(fold(household.head_name), delay=20)
    page.wait_for_url(lambda url: "q=" in url)
    page.locator(f'[data-household-id="{household.id}"]').wait_for()
    assert 1 <= page.locator("[data-household-id]").count() < total


def test_full_form_is_two_taps_away(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = unvisited_household("T04")
        t04 = village("T04").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t04}")
    page.locator(f'[data-household-id="{household.id}"] a').click()
    page.get_by_label("Không tiếp").check()
    page.get_by_role("button", name="Lưu lượt đến nhà").click()
    page.get_by_text("Đã lưu lượt đến nhà").wait_for()
    with sqlite_app.app_context():
        assert [v.outcome for v in visits_of(household.id)] == ["refused"]
