"""The campaign's standard package: edited on the campaign page, recorded exactly by the
one-tap "Đã cảnh báo", nothing for the other outcomes, and the full form drops what an
outcome excludes; visits are marked standard or detailed."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from tests.helpers import unvisited_household, user, visits_of

HX = {"HX-Request": "true"}


def _set(auth, campaign_id, topics, materials):
    return auth.post(f"/campaigns/{campaign_id}/standard", {"topics": topics, "materials": materials})


def test_the_commander_sets_the_package_and_one_tap_records_exactly_it(client, auth, db_session):
    campaign = current_campaign(user("chihuy"))
    auth.login("chihuy")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="standard"' in page and 'name="materials" type="checkbox" value="handbook"' in page
    assert _set(auth, campaign.id, [], ["leaflet"]).status_code == 422
    assert _set(auth, campaign.id, ["tu_co_lap", "link_la_otp"], ["leaflet", "handbook"]).status_code == 302
    household = unvisited_household("T03")
    answer = auth.post(f"/households/{household.id}/quick", {"outcome": "warned"}, headers=HX)
    html = answer.get_data(as_text=True)
    assert "Đã cảnh báo · 2 nội dung · Tờ rơi · Cẩm nang" in html  # the row says what it recorded
    assert 'hx-swap-oob="true"' in html and 'data-count="warned"' in html  # and the counters follow
    [visit] = visits_of(household.id)
    assert sorted(visit.topics) == ["link_la_otp", "tu_co_lap"] and sorted(visit.materials) == ["handbook", "leaflet"]
    assert visit.standard
    pack = client.get("/api/me/pack").get_json()
    assert pack["campaign"]["standard"] == {"topics": ["tu_co_lap", "link_la_otp"], "materials": ["leaflet", "handbook"]}


def test_other_outcomes_record_no_topics_and_no_materials(client, auth, db_session):
    household, other = unvisited_household("T01"), unvisited_household("T02")
    auth.login("cskv1")
    auth.post(f"/households/{household.id}/quick", {"outcome": "nobody_home"}, headers=HX)
    [tap] = visits_of(household.id)
    assert (tap.topics, tap.materials, tap.people_reached, tap.standard) == ([], [], 0, True)
    # the full form starts from the outcome: details sent with "Không tiếp" are dropped
    assert auth.post(f"/households/{other.id}/visits", {
        "outcome": "refused", "topics": ["tu_co_lap"], "materials": ["leaflet"], "people_reached": "3",
        "commitment_signed": "y"}).status_code == 302
    [form] = visits_of(other.id)
    assert (form.topics, form.materials, form.people_reached, form.commitment_signed) == ([], [], 0, False)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    form_html = page.split('class="visit-form"')[1].split("</form>")[0]
    assert "checked" not in form_html.split('class="outcomes')[1].split("</fieldset>")[0]  # no outcome chosen
    assert 'class="warned-only"' in form_html  # details belong to a warning only


def test_a_warning_with_more_than_the_package_is_detailed(client, auth, db_session):
    household = unvisited_household("T04")
    campaign = current_campaign(user("cskv1"))
    auth.login("cskv1")
    assert auth.post(f"/households/{household.id}/visits", {
        "outcome": "warned", "topics": [t.code for t in campaign.topics], "materials": ["leaflet", "hotline_sticker"],
        "people_reached": "2"}).status_code == 302
    [visit] = visits_of(household.id)
    assert not visit.standard


def test_only_those_who_run_the_campaign_change_its_package(client, auth, db_session):
    campaign = current_campaign(user("cskv1"))
    for username, status in (("cskv1", 403), ("truongthon1", 403), ("quantri", 302)):
        auth.login(username)
        assert _set(auth, campaign.id, ["tu_co_lap"], []).status_code == status, username
        client.post("/logout", data={"csrf_token": auth.token()})
    db.session.rollback()
    assert current_campaign(user("cskv1")).standard == {"topics": ["tu_co_lap"], "materials": []}
    assert sa  # imported for symmetry with the other tests
