"""The offline full visit form offers the village's team as companions, like the online
form, and the companion ticked there is on the visit once it is synced."""
from __future__ import annotations

import pytest

from tests.browser.test_offline import back_online, phone_gone_offline, server  # noqa: F401
from tests.helpers import unvisited_household, user, village, visits_of

pytestmark = pytest.mark.browser


def test_a_companion_ticked_offline_is_on_the_synced_visit(browser, server, sqlite_app, tmp_path):  # noqa: F811
    with sqlite_app.app_context():
        t03 = village("T03").id
        household_id = unvisited_household("T03").id
        mate = user("antt3").display_name
    phone, page = phone_gone_offline(browser, server, tmp_path / "phone", t03)

    page.goto(f"{server.url}/households/{household_id}")
    form = page.locator("form[data-offline-visit]")
    team = form.locator("[data-companions]")
    team.locator('input[value="antt3"]').wait_for()  # drawn from the pack
    assert team.is_visible()
    assert team.locator('input[value="cskv1"]').count() == 0  # not the one recording
    form.get_by_text("Vắng nhà").click()
    team.get_by_text(mate, exact=True).click()
    assert team.locator('input[value="antt3"]').is_checked()
    form.get_by_role("button", name="Lưu lượt đến nhà").click()
    page.wait_for_url(f"**/villages/{t03}*")
    page.locator('[data-outbox-count="1"]').wait_for(state="attached")

    back_online(page, server)
    with sqlite_app.app_context():
        [visit] = visits_of(household_id)
        assert visit.outcome == "nobody_home"
        assert [c.username for c in visit.companions] == ["antt3"]
    phone.close()
