"""One village's coverage: households by status, the walk list, the village head's review."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from fieldapp.models import AuditEvent, Household, VillageReview
from tests.coverage import truth
from tests.helpers import households_of, unvisited_household, user, village

ROW = re.compile(r'<li data-household-id="([0-9a-f-]{36})" class="st-(\w+)">')


@pytest.mark.parametrize("status", ["not_visited", "revisit", "warned", "excluded"])
def test_status_lists_match_the_rules(client, auth, db_session, status):
    t02 = village("T02")
    homes = households_of("T02")
    homes[0].status = "moved"  # one excluded household
    db_session.commit()
    expected = truth.statuses(truth.campaign_id())
    wanted = {str(h.id) for h in households_of("T02") if expected[h.id] == status}
    auth.login("truongthon2")
    html = client.get(f"/coverage/villages/{t02.id}?status={status}").get_data(as_text=True)
    rows = ROW.findall(html)
    assert {i for i, _ in rows} == wanted
    assert {s for _, s in rows} <= {status}
    assert f'data-count="{status}"' in html


def test_unfiltered_view_lists_every_household(client, auth, db_session):
    auth.login("chihuy")
    html = client.get(f"/coverage/villages/{village('T07').id}").get_data(as_text=True)
    assert {i for i, _ in ROW.findall(html)} == {str(h.id) for h in households_of("T07")}


def test_a_visit_posted_moves_the_household_out_of_not_visited(client, auth, db_session):
    home = unvisited_household("T01")
    auth.login("cskv1")
    url = f"/coverage/villages/{village('T01').id}?status=not_visited"
    assert str(home.id) in client.get(url).get_data(as_text=True)
    assert auth.post(f"/households/{home.id}/quick", {"outcome": "warned"}).status_code in (200, 302)
    html = client.get(url).get_data(as_text=True)
    assert str(home.id) not in html
    assert str(home.id) in client.get(url.replace("not_visited", "warned")).get_data(as_text=True)


def test_outside_the_area_and_bad_input(client, auth, db_session):
    auth.login("truongthon2")
    assert client.get(f"/coverage/villages/{village('T03').id}").status_code == 404
    assert client.get("/coverage/villages/99999").status_code == 404
    bad = client.get(f"/coverage/villages/{village('T02').id}?status=bogus")
    assert bad.status_code == 400 and "“status”" in bad.get_data(as_text=True)
    assert client.get(f"/coverage/villages/{village('T02').id}/walk?status=nope").status_code == 400


def test_walk_list_in_alley_order_with_tick_boxes(client, auth, db_session):
    from fieldapp.coverage.walk import walk_key

    t05 = village("T05")
    extra = [Household(village_id=t05.id, code=c, head_name="Phạm Thị Hoa", address=a, members=2)
             for c, a in (("3", "Số 3, ngõ 2"), ("10", "Số 10, ngõ 1"), ("2", "Số 2, ngõ 1"), ("7", "Số 7"))]
    db_session.add_all(extra)
    db_session.commit()
    expected = truth.statuses(truth.campaign_id())
    todo = [h for h in households_of("T05") if expected[h.id] in ("not_visited", "revisit")]
    auth.login("truongthon5")
    html = client.get(f"/coverage/villages/{t05.id}/walk").get_data(as_text=True)
    order = re.findall(r'<tr data-household-id="([0-9a-f-]{36})">', html)
    assert order == [str(h.id) for h in sorted(todo, key=walk_key)]
    positions = [order.index(str(h.id)) for h in (extra[2], extra[1], extra[0], extra[3])]
    assert positions == sorted(positions)  # ngõ 1 no. 2, ngõ 1 no. 10, ngõ 2 no. 3, then the road
    assert html.count('class="box"') == 2 * len(todo)
    db_session.rollback()
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.detail["format"] == "walk_list" and event.object_id == str(t05.id)
    from fieldapp import ROOT

    assert "@page{size:A4" in (ROOT / "static/css/coverage.css").read_text()


def test_village_head_marks_reviewed(client, auth, db_session):
    t04 = village("T04")
    auth.login("truongthon4")
    url = f"/coverage/villages/{t04.id}"
    assert "data-reviewed-at" not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/review").status_code == 403  # no CSRF token
    response = auth.post(f"{url}/review")
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "data-reviewed-at" in html
    db_session.rollback()
    review = db_session.scalar(sa.select(VillageReview))
    assert review.village_id == t04.id and review.user_id == user("truongthon4").id
    assert db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "village_review"))
    from tests.conftest import Auth

    boss = client.application.test_client()
    Auth(boss).login("chihuy")
    assert 'data-reviewed="T04"' in boss.get("/coverage/").get_data(as_text=True)


@pytest.mark.parametrize("username, code", [("chihuy", 403), ("cskv1", 403), ("truongthon5", 404)])
def test_only_the_village_head_reviews(client, auth, db_session, username, code):
    auth.login(username)
    assert auth.post(f"/coverage/villages/{village('T04').id}/review").status_code == code


@pytest.mark.parametrize("page", ["", "/walk"])
def test_village_view_runs_a_fixed_number_of_queries(client, auth, db_session, count_queries, page):
    from tests.coverage.test_dashboard import _grow

    auth.login("chihuy")
    url = f"/coverage/villages/{village('T03').id}{page}"
    client.get(url)
    with count_queries() as before:
        assert client.get(url).status_code == 200
    _grow(db_session, village("T03"), 30)
    with count_queries() as after:
        assert client.get(url).status_code == 200
    assert after[0] == before[0] <= 10, (before, after)
