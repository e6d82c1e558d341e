"""Campaigns: create with ordered topics, topics added mid-campaign (lifecycle: tests/campaigns)."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from fieldapp.models import Campaign, Household, Visit, VisitTopic
from fieldapp.timeutil import today_vn
from tests.helpers import user, village


def test_create_campaign_with_ordered_topics(client, auth, db_session):
    auth.login("quantri")
    today = today_vn()
    data = {"name": "Chiến dịch mới", "starts_on": (today + timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=60)).isoformat(), "topics": ["link_la_otp", "tu_co_lap"]}
    assert auth.post("/campaigns/", {**data, "topics": []}).status_code == 422
    response = auth.post("/campaigns/", data)
    assert response.status_code == 302
    db.session.rollback()
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == "Chiến dịch mới"))
    assert [t.code for t in campaign.topics] == ["tu_co_lap", "link_la_otp"]  # the list's order
    assert campaign.state == "upcoming" and campaign.standard == {"topics": ["tu_co_lap", "link_la_otp"],
                                                                  "materials": ["leaflet"]}
    seeded = db.session.scalar(sa.select(Campaign).where(Campaign.id != campaign.id))
    assert current_campaign(commune_id=campaign.commune_id).id == seeded.id  # the running one
    auth.post(f"/campaigns/{campaign.id}/topics", {"move": campaign.topics[1].id, "dir": "up"})
    db.session.rollback()
    assert [t.code for t in db.session.get(Campaign, campaign.id).topics] == ["link_la_otp", "tu_co_lap"]
    assert auth.post(f"/campaigns/{campaign.id}/topics", {"activate": "1"}).status_code == 400  # no marks


def _topic_added_later(auth, code: str = "dau_tu_ao") -> Campaign:
    """The campaign with `code` taken out and added again after its start (by quantri, signed
    in): every household warned in it needs a re-warning on that topic."""
    campaign = current_campaign(user("chihuy"))
    if code in {t.code for t in campaign.topics}:  # make room for a mid-campaign addition
        link = next(ct for ct in campaign.campaign_topics if ct.topic.code == code)
        campaign.campaign_topics.remove(link)
    db.session.execute(sa.delete(VisitTopic).where(VisitTopic.topic_code == code))
    db.session.commit()
    auth.login("quantri")
    auth.post(f"/campaigns/{campaign.id}/topics", {"add": code})
    return campaign


def test_topic_added_mid_campaign_lists_households_to_warn_again(client, auth, db_session):
    campaign = current_campaign(user("chihuy"))
    warned = db.session.scalars(sa.select(Visit.household_id).where(
        Visit.campaign_id == campaign.id, Visit.outcome == "warned", Visit.replaced_at.is_(None)).distinct()).all()
    assert warned
    missing_code = "dau_tu_ao"
    campaign = _topic_added_later(auth, missing_code)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    expected = db.session.scalar(sa.select(sa.func.count(Household.id)).where(
        Household.id.in_(warned), Household.status == "active"))
    assert f'data-rewarn="{expected}"' in page
    listing = client.get(f"/campaigns/{campaign.id}/rewarn?topic={missing_code}").get_data(as_text=True)
    assert listing.count("data-household-id=") == min(expected, 1000)
    assert client.get(f"/campaigns/{campaign.id}/rewarn?topic=nope").status_code == 404
    first = db.session.get(Household, warned[0])
    one_village = client.get(f"/campaigns/{campaign.id}/rewarn?topic={missing_code}&village={first.village_id}")
    in_village = db.session.scalar(sa.select(sa.func.count(Household.id)).where(
        Household.id.in_(warned), Household.status == "active", Household.village_id == first.village_id))
    assert one_village.get_data(as_text=True).count("data-household-id=") == in_village < expected
    db.session.rollback()
    listed = re.search(r'data-household-id="([^"]+)"', listing).group(1)
    one = db.session.scalar(sa.select(Visit.id).where(
        Visit.household_id == uuid.UUID(listed), Visit.outcome == "warned", Visit.replaced_at.is_(None)))
    db.session.add(VisitTopic(visit_id=one, topic_code=missing_code))  # warned again on it
    db.session.commit()
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'data-rewarn="{expected - 1}"' in page, re.findall(r"data-rewarn=\"\d+\"", page)


def test_officers_cannot_open_campaign_admin(client, auth, db_session):
    auth.login("cskv1")
    assert client.get("/campaigns/").status_code == 403


def test_admin_adds_a_topic_then_uses_it(client, auth, db_session):
    auth.login("quantri")
    bad = auth.post("/campaigns/topics", {"code": "Có Dấu", "label_vi": "X"}, follow_redirects=True)
    assert "chữ thường" in bad.get_data(as_text=True)
    auth.post("/campaigns/topics", {"code": "sim_rac", "label_vi": "Sim rác, tin nhắn giả ngân hàng",
                                    "label_en": "Junk SIMs"})
    page = client.get("/campaigns/").get_data(as_text=True)
    assert 'value="sim_rac"' in page and "Sim rác" in page
    assert auth.post("/campaigns/topics", {"code": "sim_rac", "label_vi": "Lần hai"}).status_code == 400


def test_moving_an_unknown_topic_is_a_400_with_a_message(client, auth, db_session):
    campaign = current_campaign(user("chihuy"))
    auth.login("quantri")
    for move in ("abc", str(10**6), "-1"):
        response = auth.post(f"/campaigns/{campaign.id}/topics", {"move": move, "dir": "up"})
        assert response.status_code == 400, move
        assert "Chủ đề này không có trong chiến dịch" in response.get_data(as_text=True)


def test_the_campaign_list_counts_topics_in_one_query(app, client, auth, db_session):
    commune_id = user("chihuy").commune_id
    today = today_vn()
    for n in range(4):
        db.session.add(Campaign(name=f"Cũ {n}", commune_id=commune_id, starts_on=today - timedelta(days=400 + n),
                                ends_on=today - timedelta(days=390 + n)))
    db.session.commit()
    auth.login("chihuy")
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if "campaign_topics" in statement:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        html = client.get("/campaigns/").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert "Cũ 3" in html and "0 nội dung" in html
    assert len(seen) == 1, seen


def _warned_before_the_topic(campaign: Campaign, codes: list[str], n: int) -> None:
    """`n` new households in each village, warned on every topic but dau_tu_ao."""
    from fieldapp.visits.services import record_visit, standard_values

    db.session.rollback()
    values = standard_values(db.session.get(Campaign, campaign.id), "warned")
    values["topics"] = [code for code in values["topics"] if code != "dau_tu_ao"]
    for code in codes:
        for i in range(n):
            home = Household(village_id=village(code).id, code=f"R{i}", head_name="Phan Văn Mới", members=2)
            db.session.add(home)
            db.session.flush()
            record_visit(home, campaign, user("cskv1"), values)
    db.session.commit()


def test_rewarn_list_runs_a_fixed_number_of_queries(client, auth, db_session, count_queries):
    """The audit event is written after the page is drawn, so no row is read twice (it was
    700 statements for 660 rows)."""
    campaign = _topic_added_later(auth)
    url = f"/campaigns/{campaign.id}/rewarn?topic=dau_tu_ao"
    client.get(url)
    with count_queries() as before:
        small = client.get(url).get_data(as_text=True)
    _warned_before_the_topic(campaign, ["T05", "T17"], 15)
    with count_queries() as after:
        large = client.get(url).get_data(as_text=True)
    assert large.count("data-household-id=") == small.count("data-household-id=") + 30
    assert after[0] == before[0] <= 12, (before, after)
