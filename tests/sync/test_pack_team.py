"""Companions offline: each village's team in the pack (and in its ETag), and the batch
refusing a companion who is not in the village's team."""
from __future__ import annotations

from fieldapp.models import Assignment
from fieldapp.timeutil import today_vn
from fieldapp.visits.services import village_team
from tests.helpers import unvisited_household, user, village, visits_of
from tests.sync.helpers import campaign_id, send, visit_entry


def _village(pack: dict, code: str) -> dict:
    return next(v for v in pack["villages"] if v["code"] == code)


def test_the_pack_carries_each_villages_team_without_the_caller(client, auth, db_session):
    auth.login("cskv1")
    pack = client.get("/api/me/pack").get_json()
    assert {tuple(sorted(v)) for v in pack["villages"]} == {("boundary", "code", "households", "id", "name", "team")}
    t01 = _village(pack, "T01")
    expected = [{"username": u.username, "name": u.display_name} for u in village_team(village("T01").id, user("cskv1"))]
    assert t01["team"] == expected and {"username": "antt1", "name": user("antt1").display_name} in expected
    assert all(m["username"] != "cskv1" for v in pack["villages"] for m in v["team"])
    assert "antt2" in [m["username"] for m in _village(pack, "T02")["team"]]


def test_the_pack_etag_moves_when_a_villages_team_changes(client, auth, db_session):
    auth.login("cskv1")
    etag = client.get("/api/me/pack").headers["ETag"]
    newcomer = user("antt9")  # assigned to T09, outside cskv1's villages
    db_session.add(Assignment(user_id=newcomer.id, village_id=village("T01").id, starts_on=today_vn()))
    db_session.commit()
    changed = client.get("/api/me/pack", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "antt9" in [m["username"] for m in _village(changed.get_json(), "T01")["team"]]
    etag = changed.headers["ETag"]
    assert client.get("/api/me/pack", headers={"If-None-Match": etag}).status_code == 304
    newcomer.active = False  # a disabled account leaves the team
    db_session.commit()
    again = client.get("/api/me/pack", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert "antt9" not in [m["username"] for m in _village(again.get_json(), "T01")["team"]]


def test_a_companion_outside_the_villages_team_is_quarantined(client, auth, db_session):
    auth.login("cskv1")
    household, cid = unvisited_household("T01"), campaign_id()
    stranger = visit_entry(household.id, cid, companions=["antt2"])  # antt2 is T02's, not T01's
    results = send(client, [stranger]).get_json()["results"]
    assert results[0]["status"] == "quarantined" and "companions" in results[0]["errors"]
    assert visits_of(household.id) == []
    mate = visit_entry(household.id, cid, companions=["antt1"])
    assert send(client, [mate]).get_json()["results"][0]["status"] == "created"
    db_session.expire_all()
    [visit] = visits_of(household.id)
    assert [c.username for c in visit.companions] == ["antt1"]
