"""GET /api/households/<id>/warned?as_of=: visits in force by the end of the day (Vietnam
time, by the server's clock) and who answered for the village that day."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from fieldapp.auth.models import Assignment
from fieldapp.auth.services import assign
from fieldapp.extensions import db
from fieldapp.models import AuditEvent
from fieldapp.timeutil import to_utc_naive, today_vn
from tests.helpers import unvisited_household, user, village

from .visits import add_visit, vn


def warned(client, household, as_of=None):
    query = f"?as_of={as_of}" if as_of else ""
    return client.get(f"/api/households/{household.id}/warned{query}")


def test_unvisited_household_names_the_officers_of_the_day(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("chihuy")
    body = warned(client, household, "2025-11-12").get_json()
    assert body["warned"] is False and body["visits"] == [] and body["status"] == "not_visited"
    names = {r["username"] for r in body["responsible"]}
    assert names == {"cskv1", "antt1"}  # the village head only reads; not listed
    assert {r["from"] for r in body["responsible"]} == {"2025-10-01"}
    assert {r["to"] for r in body["responsible"]} == {None}


def test_before_the_visit_and_on_its_day(client, auth, db_session):
    household = unvisited_household("T01")
    visit = add_visit(household, "cskv1", "warned", "2025-11-15 10:00", companions=["antt1"], youth=1)
    auth.login("cskv1")
    assert warned(client, household, "2025-11-14").get_json()["warned"] is False
    body = warned(client, household, "2025-11-15").get_json()
    assert body["warned"] is True
    [entry] = body["visits"]
    assert entry["id"] == str(visit.id) and entry["outcome"] == "warned"
    assert entry["by"] == ["cskv1", "antt1"] and entry["visited_at"] == "2025-11-15T03:00:00Z"
    assert "tu_co_lap" in entry["topics"] and len(entry["topics"]) == 12
    assert entry["youth_reached"] == 1


def test_end_of_day_is_midnight_in_vietnam(client, auth, db_session):
    household = unvisited_household("T02")
    add_visit(household, "antt2", "warned", "2025-11-15 23:40", received="2025-11-15 23:55")
    auth.login("chihuy")
    assert warned(client, household, "2025-11-15").get_json()["warned"] is True  # 16:55 UTC


def test_back_dated_entry_counts_only_from_the_day_the_server_got_it(client, auth, db_session):
    household = unvisited_household("T01")
    add_visit(household, "cskv1", "warned", "2025-11-10 09:00", received="2025-11-13 08:00")
    auth.login("chihuy")
    for day in ("2025-11-10", "2025-11-12"):
        body = warned(client, household, day).get_json()
        assert body["warned"] is False and body["visits"] == [], day
    body = warned(client, household, "2025-11-13").get_json()
    assert body["warned"] is True and body["visits"][0]["visited_at"] == "2025-11-10T02:00:00Z"


def test_nobody_home_is_not_a_warning(client, auth, db_session):
    household = unvisited_household("T03")
    add_visit(household, "antt3", "nobody_home", "2025-11-08 17:00")
    add_visit(household, "antt3", "refused", "2025-11-09 17:00")
    auth.login("chihuy")
    body = warned(client, household, "2025-11-20").get_json()
    assert body["warned"] is False and body["status"] == "attempted"
    assert [v["outcome"] for v in body["visits"]] == ["nobody_home", "refused"]
    assert all(v["topics"] == [] for v in body["visits"])


def test_withdrawn_visit_stops_counting_when_withdrawn(client, auth, db_session):
    household = unvisited_household("T01")
    visit = add_visit(household, "cskv1", "warned", "2025-11-10 09:00")
    visit.replaced_at, visit.replaced_reason = to_utc_naive(vn("2025-11-12 08:00")), "withdrawn"
    db.session.commit()
    auth.login("chihuy")
    assert warned(client, household, "2025-11-11").get_json()["warned"] is True  # known then
    assert warned(client, household, "2025-11-12").get_json()["warned"] is False
    assert warned(client, household, "2025-11-30").get_json()["visits"] == []


def test_a_correction_replaces_the_visit_it_supersedes(client, auth, db_session):
    household = unvisited_household("T01")
    first = add_visit(household, "cskv1", "nobody_home", "2025-11-10 09:00")
    second = add_visit(household, "cskv1", "warned", "2025-11-10 09:00", received="2025-11-11 07:00",
                       supersedes=first)
    auth.login("chihuy")
    assert [v["id"] for v in warned(client, household, "2025-11-10").get_json()["visits"]] == [str(first.id)]
    body = warned(client, household, "2025-11-11").get_json()
    assert body["warned"] is True and [v["id"] for v in body["visits"]] == [str(second.id)]


def test_officers_come_from_the_assignment_history(client, auth, db_session):
    household = unvisited_household("T01")
    t01 = village("T01")
    old = db.session.scalar(sa.select(Assignment).where(
        Assignment.user_id == user("cskv1").id, Assignment.village_id == t01.id))
    old.ends_on = date(2025, 11, 19)
    assign(user("cskv2"), t01, date(2025, 11, 20), by=user("quantri"))
    db.session.commit()
    auth.login("chihuy")
    before = {r["username"]: r for r in warned(client, household, "2025-11-19").get_json()["responsible"]}
    after = {r["username"]: r for r in warned(client, household, "2025-11-20").get_json()["responsible"]}
    assert set(before) == {"cskv1", "antt1"} and before["cskv1"]["to"] == "2025-11-19"
    assert set(after) == {"cskv2", "antt1"} and after["cskv2"]["from"] == "2025-11-20"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "assignment_create")) == 1


def test_as_of_defaults_to_today(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    body = warned(client, household).get_json()
    assert body["as_of"] == today_vn().isoformat()


def test_malformed_as_of_is_a_400_json(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    for bad in ("12/11/2025", "2025-13-01", "yesterday", "2025-11-12T00:00", "9999-12-31", "0001-01-01"):
        response = warned(client, household, bad)
        assert response.status_code == 400 and response.is_json, bad
        assert "YYYY-MM-DD" in response.get_json()["message"] or "2100" in response.get_json()["message"]


def test_scoping_answers_404_json_outside_the_area(client, auth, db_session):
    mine, other = unvisited_household("T01"), unvisited_household("T06")
    assert warned(client, mine, "2025-11-12").status_code == 401
    auth.login("cskv1")
    assert warned(client, mine, "2025-11-12").status_code == 200
    response = warned(client, other, "2025-11-12")
    assert response.status_code == 404 and response.is_json
    assert client.get("/api/households/not-a-uuid/warned").status_code == 404
    auth.post("/logout")
    auth.login("truongthon6")
    assert warned(client, other, "2025-11-12").status_code == 200
    assert warned(client, mine, "2025-11-12").status_code == 404
