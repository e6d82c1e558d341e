"""The commander's review of flagged visits, officers' own flags, learnt locations."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.models import CheckReview, Household, LearntPoint
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time


def _far(home, seq, minute=0, **data):
    return visit_entry(home.id, campaign_id(), seq, recorded_at=vn_time(12, f"{9 + seq:02d}:{minute:02d}:00"),
                       lat=home.lat + 0.02, lon=home.lon, accuracy_m=10, **data)


def _sync_as(client, auth, username, entries):
    auth.login(username)
    assert statuses(send(client, entries)) == ["created"] * len(entries)
    client.post("/logout", data={"csrf_token": auth.token()})


def test_the_commander_sees_flags_by_officer_and_check_and_marks_them(client, auth, db_session):
    t01, t06 = households_of("T01"), households_of("T06")
    first, second = _far(t01[0], 1), _far(t01[1], 3)
    other = _far(t06[0], 1)
    _sync_as(client, auth, "cskv1", [first, second])
    _sync_as(client, auth, "cskv2", [other])
    auth.login("chihuy")
    page = client.get("/proof/").get_data(as_text=True)
    assert all(f'data-visit-id="{e["id"]}"' in page for e in (first, second, other))
    assert 'data-group-officer="cskv1"' in page and 'data-group-officer="cskv2"' in page
    assert "Xa nhà" in page and "cách nhà" in page  # the flag and its figures, in Vietnamese
    only = client.get(f"/proof/?village={t06[0].village_id}&flag=far").get_data(as_text=True)
    assert other["id"] in only and first["id"] not in only
    assert first["id"] not in client.get("/proof/?officer=cskv2").get_data(as_text=True)

    refused = auth.post(f"/proof/visits/{first['id']}/mark", {"verdict": "problem", "note": ""},
                        headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Cần ghi rõ vấn đề" in refused.get_data(as_text=True)
    fine = auth.post(f"/proof/visits/{first['id']}/mark", {"verdict": "fine"}, headers={"HX-Request": "true"})
    assert fine.status_code == 200 and 'data-mark="fine"' in fine.get_data(as_text=True)
    problem = auth.post(f"/proof/visits/{second['id']}/mark", {"verdict": "problem", "note": "Ở đồn, không đến nhà"})
    assert problem.status_code == 302
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(CheckReview)) == 2
    still_open = client.get("/proof/").get_data(as_text=True)
    assert first["id"] not in still_open and second["id"] not in still_open and other["id"] in still_open
    problems = client.get("/proof/?state=problem").get_data(as_text=True)
    assert second["id"] in problems and "Ở đồn, không đến nhà" in problems
    assert client.get("/proof/?state=nope").status_code == 400
    assert client.get("/proof/?date_from=31/12/2025").status_code == 400


def test_officers_see_only_their_own_flags_and_cannot_mark(client, auth, db_session):
    home = households_of("T01")[2]
    mine, theirs = _far(home, 1), _far(households_of("T01")[3], 5)
    _sync_as(client, auth, "cskv1", [mine])
    _sync_as(client, auth, "antt1", [theirs])
    auth.login("cskv1")
    page = client.get("/proof/").get_data(as_text=True)
    assert mine["id"] in page and theirs["id"] not in page and 'class="mark-form"' not in page
    assert auth.post(f"/proof/visits/{mine['id']}/mark", {"verdict": "fine"}).status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("truongthon1")
    assert client.get("/proof/").status_code == 403


def test_a_commander_of_another_area_gets_404_for_a_visit(client, auth, db_session):
    home = households_of("T07")[0]
    entry = _far(home, 1)
    _sync_as(client, auth, "cskv2", [entry])
    auth.login("cskv1")  # not this officer's village: the visit is outside his area
    assert client.get(f"/api/visits/{entry['id']}").status_code == 404


def test_the_commander_accepts_or_clears_a_learnt_location(client, auth, db_session):
    homes = households_of("T02")[:2]
    db_session.execute(sa.update(Household).where(Household.id.in_([h.id for h in homes])).values(lat=None, lon=None))
    db_session.commit()
    entries = [visit_entry(h.id, campaign_id(), n, recorded_at=vn_time(12, f"{9 + 2 * n:02d}:00:00"),
                           lat=15.3 + n / 100, lon=108.7, accuracy_m=8) for n, h in enumerate(homes)]
    _sync_as(client, auth, "cskv1", entries)
    auth.login("cskv1")
    assert client.get("/proof/points").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    page = client.get("/proof/points").get_data(as_text=True)
    db_session.rollback()
    learnt = {p.household_id: p for p in db_session.scalars(sa.select(LearntPoint))}
    kept, dropped = learnt[homes[0].id], learnt[homes[1].id]
    assert f'data-point-id="{kept.id}"' in page and "Chờ chỉ huy xác nhận" in page
    assert auth.post(f"/proof/points/{kept.id}", {"decision": "accept"}).status_code == 302
    assert auth.post(f"/proof/points/{dropped.id}", {"decision": "clear"}).status_code == 302
    assert auth.post(f"/proof/points/{dropped.id}", {"decision": "clear"}).status_code == 409
    assert auth.post(f"/proof/points/{kept.id}", {"decision": "maybe"}).status_code == 400
    db_session.rollback()
    assert db_session.get(LearntPoint, kept.id).state == "accepted"
    assert db_session.get(Household, homes[0].id).lat == 15.3
    assert db_session.get(LearntPoint, dropped.id).state == "cleared"
    assert db_session.get(Household, homes[1].id).lat is None
    assert auth.post("/proof/points/999999", {"decision": "accept"}).status_code == 404


def test_the_review_page_runs_a_fixed_number_of_queries(client, auth, db_session, count_queries):
    """A page with one flagged visit and a page with a dozen send the same statements. The
    first flag is the test's own: the demo may hold none, and an empty page rightly skips the
    queries about the items it does not have (their checks, marks and officers)."""
    homes = households_of("T01") + households_of("T02")
    _sync_as(client, auth, "cskv1", [_far(homes[0], 0)])
    auth.login("chihuy")
    client.get("/proof/?state=all")
    with count_queries() as few:
        assert client.get("/proof/?state=all").get_data(as_text=True).count("data-visit-id=") >= 1
    client.post("/logout", data={"csrf_token": auth.token()})
    _sync_as(client, auth, "cskv1", [_far(h, n % 12, minute=n) for n, h in enumerate(homes[1:], 1)])
    auth.login("chihuy")
    with count_queries() as many:
        page = client.get("/proof/?state=all").get_data(as_text=True)
    assert page.count("data-visit-id=") >= 12 and many[0] == few[0]
