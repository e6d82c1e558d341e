"""The coverage dashboard: totals that match the rules, sorting, the chart, who is behind,
bad parameters, scoping and a fixed number of queries."""
from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from fieldapp.coverage import queries
from fieldapp.coverage.goals import Goal
from fieldapp.models import Assignment, Campaign, Household, User, Village
from fieldapp.timeutil import today_vn
from tests.conftest import Auth
from tests.coverage import truth
from tests.helpers import user, village

ROW = re.compile(r'<tr data-village-id="\d+" data-village-code="(\w+)">')


def total(html: str, name: str) -> int:
    value = re.search(rf'data-total="{name}">([\d.,]+)<', html).group(1)
    return int(value.replace(".", "").replace(",", ""))


def test_totals_match_the_status_rules(client, auth, db_session):
    expected = sum(truth.by_village(truth.campaign_id()).values(), Counter())
    auth.login("chihuy")
    html = client.get("/coverage/").get_data(as_text=True)
    for status in ("warned", "revisit", "not_visited", "excluded"):
        assert total(html, status) == expected[status]
    assert total(html, "households") == sum(expected.values())
    assert len(ROW.findall(html)) == 31


def test_sort_by_coverage_descending(client, auth, db_session):
    counts = truth.by_village(truth.campaign_id())
    ratio = {code: c["warned"] / (sum(c.values()) - c["excluded"]) for code, c in counts.items()}
    auth.login("chihuy")
    order = ROW.findall(client.get("/coverage/?sort=-coverage").get_data(as_text=True))
    assert order == sorted(ratio, key=lambda code: (ratio[code], code), reverse=True)
    assert ROW.findall(client.get("/coverage/").get_data(as_text=True)) == sorted(ratio)


def test_chart_bars_add_up_to_the_warned_households(client, auth, db_session):
    auth.login("chihuy")
    html = client.get("/coverage/").get_data(as_text=True)
    bars = [int(v) for v in re.findall(r'class="bar" data-day="[\d-]+" data-value="(\d+)"', html)]
    assert len(bars) >= 56  # every day of the campaign
    assert sum(bars) == total(html, "warned")


def test_village_head_sees_only_their_village(client, auth, db_session):
    auth.login("truongthon12")
    html = client.get("/coverage/").get_data(as_text=True)
    assert ROW.findall(html) == ["T12"]
    assert total(html, "households") == len(db_session.scalars(
        sa.select(Household).where(Household.village_id == village("T12").id)).all())


def test_officer_sees_own_villages_without_colleagues_activity(client, auth, db_session):
    auth.login("cskv1")
    html = client.get("/coverage/").get_data(as_text=True)
    assert ROW.findall(html) == ["T01", "T02", "T03", "T04", "T05"]
    assert "data-officer=" not in html and "data-idle-user" not in html


@pytest.mark.parametrize("query, code", [
    ("campaign=abc", 400), ("campaign=-1", 400), ("campaign=999", 404), ("sort=bogus", 400),
    ("target=101", 400), ("idle=0", 400), ("idle=1e3", 400), ("target=" + "9" * 5000, 400),
])
def test_bad_parameters(client, auth, query, code):
    auth.login("chihuy")
    response = client.get(f"/coverage/?{query}")
    assert response.status_code == code
    if code == 400:
        name = query.split("=")[0]
        assert f"“{name}”" in response.get_data(as_text=True)  # the message names the parameter


def test_campaign_of_another_commune_is_404(app, client, auth, db_session):
    from fieldapp.models import Commune

    other = Commune(code="XX", name="Khác")
    db_session.add(other)
    db_session.flush()
    campaign = Campaign(commune_id=other.id, name="Khác", starts_on=datetime(2025, 1, 1).date(),
                        ends_on=datetime(2025, 2, 1).date())
    db_session.add(campaign)
    db_session.commit()
    auth.login("chihuy")
    assert client.get(f"/coverage/?campaign={campaign.id}").status_code == 404
    admin = app.test_client()
    Auth(admin).login("quantri")
    assert admin.get(f"/coverage/?campaign={campaign.id}").status_code == 200


def test_who_is_behind(client, auth, db_session):
    """A new officer with no visit is idle; villages under the target are listed, none above."""
    t01 = village("T01")
    newbie = User(username="moi1", role="officer", commune_id=t01.commune_id, password_hash="x")
    db_session.add(newbie)
    db_session.flush()
    db_session.add(Assignment(user_id=newbie.id, village_id=t01.id, starts_on=datetime(2025, 10, 1).date()))
    db_session.commit()
    counts = truth.by_village(truth.campaign_id())
    ratio = {code: c["warned"] / (sum(c.values()) - c["excluded"]) for code, c in counts.items()}
    auth.login("chihuy")
    html = client.get("/coverage/?target=50&idle=3").get_data(as_text=True)
    assert 'data-idle-user="moi1"' in html
    listed = set(re.findall(r'data-behind-village="(T\d\d)"', html))
    # Behind: under the target's share of the days gone by the reference day (all of it once
    # the campaign has ended).
    campaign = db_session.get(Campaign, truth.campaign_id())
    area = queries.area(user("chihuy"), campaign)
    on = queries.reference_day(campaign, today_vn(), max(queries.warned_by_day(campaign, area), default=None))
    share = Goal(0.5, campaign.ends_on, False).expected(campaign.starts_on, on)
    assert listed == {code for code, r in ratio.items() if r < share}


def test_dashboard_runs_a_fixed_number_of_queries(client, auth, db_session, count_queries):
    auth.login("chihuy")
    client.get("/coverage/")
    with count_queries() as before:
        assert client.get("/coverage/").status_code == 200
    _grow(db_session, village("T03"), 40)
    with count_queries() as after:
        assert client.get("/coverage/").status_code == 200
    assert after[0] == before[0] <= 12, (before, after)


def _grow(session, target: Village, n: int) -> None:
    """Add households with visits by a new officer and a companion (more rows, same queries)."""
    from fieldapp.campaigns.services import current_campaign
    from fieldapp.visits.services import record_visit, standard_values

    session.rollback()  # a fresh snapshot: requests may have written since (SQLite WAL)
    target = session.merge(target)
    campaign = current_campaign(commune_id=target.commune_id)
    officer = User(username=f"o{uuid.uuid4().hex[:6]}", role="officer", commune_id=target.commune_id,
                   password_hash="x")
    session.add(officer)
    session.flush()
    session.add(Assignment(user_id=officer.id, village_id=target.id, starts_on=campaign.starts_on))
    for i in range(n):
        home = Household(village_id=target.id, code=f"X{i}", head_name="Lê Văn Tám", members=3, youth=1)
        session.add(home)
        session.flush()
        values = standard_values(campaign, "warned" if i % 2 else "nobody_home") | {"companions": ["antt3"]}
        record_visit(home, campaign, officer, values,
                     recorded_at=datetime.combine(campaign.starts_on, datetime.min.time()) + timedelta(days=i % 20, hours=3))
    session.commit()


def test_a_commune_without_campaign_still_answers(app, db_session):
    """No campaign yet: every household is not visited, pages and exports still work."""
    from fieldapp.models import Commune
    from tests.conftest import Auth

    commune = Commune(code="KC", name="Kon Chiêng")
    db_session.add(commune)
    db_session.flush()
    place = Village(commune_id=commune.id, code="L01", name="Làng Mới")
    db_session.add(place)
    db_session.flush()
    db_session.add_all([Household(village_id=place.id, code=str(i), head_name="Đinh Văn A", members=2)
                        for i in range(3)])
    boss = User(username="chihuy_kc", role="commander", commune_id=commune.id)
    boss.set_password("demo1234")
    db_session.add(boss)
    db_session.commit()
    client = app.test_client()
    assert Auth(client).login("chihuy_kc").status_code == 302
    response = client.get("/coverage/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert ROW.findall(html) == ["L01"] and total(html, "not_visited") == 3
    assert client.get(f"/coverage/villages/{place.id}?status=not_visited").get_data(as_text=True).count(
        "data-household-id") == 3
    assert client.get("/exports/coverage.csv").status_code == 200
    assert client.get("/reports/campaign").status_code == 404


def test_campaign_choice(app, client, auth, db_session):
    t01 = village("T01")
    old = Campaign(commune_id=t01.commune_id, name="Đợt cũ", starts_on=datetime(2025, 3, 1).date(),
                   ends_on=datetime(2025, 4, 30).date())
    db_session.add(old)
    db_session.commit()
    auth.login("chihuy")
    html = client.get("/coverage/").get_data(as_text=True)
    assert f'<option value="{old.id}"' in html
    html = client.get(f"/coverage/?campaign={old.id}").get_data(as_text=True)
    assert total(html, "warned") == 0 and total(html, "not_visited") == total(html, "households")


def test_chart_keeps_visits_with_wrong_device_clocks(client, auth, db_session):
    """A warned visit dated before the campaign still counts (on its first day)."""
    from fieldapp.campaigns.services import current_campaign
    from fieldapp.visits.services import record_visit, standard_values
    from tests.helpers import unvisited_household

    home = unvisited_household("T01")
    campaign = current_campaign(commune_id=home.village.commune_id)
    record_visit(home, campaign, user("cskv1"), standard_values(campaign, "warned"),
                 recorded_at=datetime(1999, 1, 1, 8, 0).astimezone())
    db_session.commit()
    auth.login("chihuy")
    html = client.get("/coverage/").get_data(as_text=True)
    bars = re.findall(r'class="bar" data-day="([\d-]+)" data-value="(\d+)"', html)
    assert bars[0][0] == campaign.starts_on.isoformat()
    assert sum(int(v) for _, v in bars) == total(html, "warned")


def test_huge_ids_are_not_found(client, auth):
    auth.login("chihuy")
    assert client.get("/coverage/villages/99999999999").status_code == 404
    assert client.get("/reports/campaigns/99999999999").status_code == 404
    assert client.get("/coverage/?campaign=99999999999").status_code == 400
