"""Putting the record right from the phone, in Chromium at 390 px: a visit corrected and one
withdrawn with the server stopped land once it is back; a refused new household is fixed on
the phone (field named in Vietnamese) and sent again, and adds nothing to the review list."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household, QuarantinedEntry, Visit, VisitWithdrawal
from tests.browser.conftest import sign_in
from tests.browser.test_offline import back_online, phone_gone_offline, server  # noqa: F401 (fixture)
from tests.helpers import unvisited_household, village, visits_of

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "shots"


def _recorded(app, code: str, username: str, outcome: str) -> tuple[str, str]:
    """A visit by `username` on an unvisited household of the village: (household, visit)."""
    from fieldapp.campaigns.services import current_campaign
    from fieldapp.visits import services
    from tests.helpers import user

    with app.app_context():
        household = unvisited_household(code)
        campaign = current_campaign(commune_id=household.village.commune_id)
        visit = services.record_visit(household, campaign, user(username), services.standard_values(campaign, outcome))
        db.session.commit()
        return str(household.id), str(visit.id)


def test_a_visit_corrected_and_one_withdrawn_offline_land_when_back(browser, server, sqlite_app, tmp_path):  # noqa: F811
    fixed_home, fixed_visit = _recorded(sqlite_app, "T02", "cskv1", "nobody_home")
    gone_home, gone_visit = _recorded(sqlite_app, "T02", "cskv1", "warned")
    with sqlite_app.app_context():
        t02 = village("T02").id
    phone, page = phone_gone_offline(browser, server, tmp_path / "phone", t02)

    page.goto(f"{server.url}/households/{fixed_home}")
    item = page.locator(f'#offline-history li[data-visit-id="{fixed_visit}"]')
    item.get_by_role("link", name="Đính chính").click()
    form = page.locator("form[data-offline-visit]")
    form.get_by_text("Đã cảnh báo", exact=True).click()
    form.locator("textarea[name=reason]").fill("Nhà có người, đã cảnh báo")
    page.screenshot(path=str(SHOTS / "offline-correction.png"))
    form.get_by_role("button", name="Lưu lượt đến nhà").click()
    page.wait_for_url(f"**/villages/{t02}#h-{fixed_home}")
    page.locator(f'#h-{fixed_home}.st-warned.pending').wait_for()

    page.goto(f"{server.url}/households/{gone_home}")
    item = page.locator(f'#offline-history li[data-visit-id="{gone_visit}"]')
    item.get_by_role("button", name="Rút lại").click()
    item.locator("textarea[name=reason]").fill("Ghi nhầm hộ")
    item.locator("form").get_by_role("button", name="Rút lại").click()
    page.locator(f'#offline-history li.replaced[data-visit-id="{gone_visit}"]').wait_for()
    page.locator(".hh li.st-not_visited").wait_for()  # the phone applies the rule at once
    page.locator('[data-outbox-count="2"]').wait_for(state="attached")

    back_online(page, server)
    with sqlite_app.app_context():
        db.session.rollback()
        old = db.session.get(Visit, uuid.UUID(fixed_visit))
        [new] = [v for v in visits_of(uuid.UUID(fixed_home)) if v.in_force]
        assert not old.in_force and new.supersedes_id == old.id and new.outcome == "warned"
        assert new.reason == "Nhà có người, đã cảnh báo" and new.recorded_at == old.recorded_at
        record = db.session.scalar(sa.select(VisitWithdrawal).where(VisitWithdrawal.visit_id == uuid.UUID(gone_visit)))
        assert record.reason == "Ghi nhầm hộ" and not db.session.get(Visit, uuid.UUID(gone_visit)).in_force
    phone.close()


def test_a_refused_household_is_fixed_on_the_phone_and_sent_again(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        t05 = village("T05").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/households/new?village={t05}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    page.evaluate("""(vid) => TN.outbox.add("household", {village_id: vid, head_name: "Lò Thị Sáu", code: "", address: "",
        phone: "12345", members: 3, youth: 0, lat: null, lon: null}, "cskv1").then(() => TN.syncNow())""", t05)
    box = page.locator("#tn-attention")
    box.wait_for()
    assert "Điện thoại:" in box.inner_text() and "phone" not in box.inner_text()
    page.goto(f"{live_server.url}/villages/{t05}")  # not in the list as if it were real
    box.wait_for()
    assert page.locator("ul.hh").get_by_text("Lò Thị Sáu").count() == 0
    box.get_by_role("button", name="Gửi lại").click()  # unchanged: returned again, nothing new
    page.wait_for_timeout(500)
    box.get_by_role("button", name="Sửa").click()
    box.locator("input[name=phone]").fill("0912345678")
    page.screenshot(path=str(SHOTS / "refused-entry-edit.png"))
    box.get_by_role("button", name="Lưu và gửi lại").click()
    box.wait_for(state="detached")
    page.locator('[data-outbox-count="0"]').wait_for(state="attached")
    with sqlite_app.app_context():
        db.session.rollback()
        added = db.session.scalar(sa.select(Household).where(Household.head_name == "Lò Thị Sáu"))
        assert added.phone == "0912345678" and added.village_id == t05
        [row] = db.session.scalars(sa.select(QuarantinedEntry)).all()  # one row, closed as fixed
        assert row.resolution == "fixed" and row.entry_id == str(added.id)
