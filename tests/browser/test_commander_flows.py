"""The commander's and the village head's work, as people do it in Chromium at 390 px: find a
victim's household by phone, house number and age group; the verdict of a household warned
after the incident; a village head's "đã chuyển đi" accepted; a pair dismissed; a merge undone."""
from __future__ import annotations

import sqlalchemy as sa
import pytest

from fieldapp.extensions import db
from fieldapp.households import services
from fieldapp.models import Household, HouseholdMember, HouseholdMerge
from tests.accountability.visits import add_visit
from tests.browser.test_accessibility import sign_in
from tests.helpers import households_of, unvisited_household, user

pytestmark = pytest.mark.browser


def _sign_out(page, base):
    page.context.clear_cookies()
    page.goto(f"{base}/login")


def test_find_by_phone_house_number_and_age_then_read_the_verdict(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = unvisited_household("T08")
        household.phone, household.youth, household.members = "0977111222", 1, max(household.members, 2)
        db.session.execute(sa.delete(HouseholdMember).where(HouseholdMember.household_id == household.id))
        db.session.commit()
        add_visit(household, "antt8", "warned", "2025-11-22 09:30")
        code, household_id = household.code, household.id
    base = live_server.url
    sign_in(page, base, "chihuy")
    page.goto(f"{base}/incidents/new")
    page.fill("input[name=q]", "0977 111 222")
    page.select_option("select[name=age]", "12-24")
    page.get_by_role("button", name="Tìm").click()
    result = page.locator(f'li[data-household-id="{household_id}"] a')
    assert result.count() == 1 and f"Số nhà {code}" in result.inner_text()
    assert result.bounding_box()["height"] >= 44
    page.fill("input[name=q]", code)
    page.select_option("select[name=village]", label="T08 · Thôn Đông Thành")
    page.get_by_role("button", name="Tìm").click()
    page.locator("li[data-household-id] a").first.click()
    page.fill("input[name=occurred_on]", "2025-11-20")
    page.select_option("select[name=kind]", "online_kidnapping")
    page.get_by_role("button", name="Lưu vụ việc").click()
    headline = page.locator("[data-headline]")
    headline.wait_for()
    assert headline.inner_text() == "Chưa được cảnh báo trước ngày 20/11/2025; được cảnh báo sau đó ngày 22/11/2025."


def test_a_village_head_reports_moved_away_and_the_commander_accepts(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        household = next(h for h in households_of("T09") if h.status == "active")
        household_id, name = household.id, household.head_name
    base = live_server.url
    sign_in(page, base, "truongthon9")
    page.goto(f"{base}/households/{household_id}")
    page.get_by_role("link", name="Đã chuyển đi").click()
    page.fill("textarea[name=note]", "Cả nhà vào Đồng Nai từ tháng 9")
    page.get_by_role("button", name="Gửi đề nghị").click()
    page.locator('[data-status="open"]').wait_for()
    _sign_out(page, base)
    sign_in(page, base, "chihuy")
    page.goto(f"{base}/register/changes")
    assert [link.bounding_box()["height"] >= 44 for link in page.locator("nav.role-filter a").all()] == [True] * 3
    card = page.locator("[data-change-id]").first
    assert name in card.inner_text() and "Đồng Nai" in card.inner_text()
    card.locator("textarea").fill("Đã gọi điện xác minh")
    card.get_by_role("button", name="Chấp nhận").click()
    page.locator(".flash").wait_for()
    with sqlite_app.app_context():
        assert db.session.get(Household, household_id).status == "moved"


def test_dismiss_a_pair_then_undo_a_merge(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        a, b, c, d = households_of("T10")[:4]
        b.head_name, d.head_name = a.head_name, c.head_name
        db.session.commit()
        services.merge(d, c, user("chihuy"))
        db.session.commit()
        merge_id = db.session.scalar(sa.select(HouseholdMerge.id).where(HouseholdMerge.duplicate_id == d.id))
        pair, village_id, d_id = f"{a.id} {b.id}", a.village_id, d.id
    base = live_server.url
    sign_in(page, base, "quantri")
    page.goto(f"{base}/register/duplicates?village={village_id}")
    page.locator(f'[data-pair="{pair}"]').get_by_role("button", name="Không phải trùng").click()
    page.locator(".flash").wait_for()
    assert page.locator(f'[data-pair="{pair}"]').count() == 0
    page.goto(f"{base}/register/merges")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'[data-merge-id="{merge_id}"]').get_by_role("button", name="Huỷ việc gộp").click()
    page.wait_for_url(f"{base}/households/{d_id}")
    with sqlite_app.app_context():
        back = db.session.get(Household, d_id)
        assert back.status == "active" and back.merged_into_id is None
