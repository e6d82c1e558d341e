"""Checks on every visit: raised by the server at receipt, stored, read through the API."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from fieldapp.models import Household, LearntPoint, VisitCheck
from fieldapp.proof import checks
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time

API_KEYS = {"id", "household_id", "outcome", "recorded_at", "received_at", "by", "topics", "materials",
            "in_force", "superseded_by", "checks", "verification"}


def _at(h, m=0, s=0, day=12):
    """A device time on a day of the demo's campaign, `day` 12 being twelve days ago."""
    return vn_time(24 - day, f"{h:02d}:{m:02d}:{s:02d}")


def _codes(client, entry) -> dict:
    body = client.get(f"/api/visits/{entry['id']}").get_json()
    return {c["code"]: c for c in body["checks"]}


def test_far_no_fix_poor_fix_late_and_night_visits_are_flagged_not_refused(client, auth, db_session):
    homes = households_of("T01")[:4]
    cid = campaign_id()
    far = visit_entry(homes[0].id, cid, 1, recorded_at=_at(9), lat=homes[0].lat + 0.05, lon=homes[0].lon, accuracy_m=12)
    nofix = visit_entry(homes[1].id, cid, 2, recorded_at=_at(11), lat=None, lon=None, accuracy_m=None)
    poor = visit_entry(homes[2].id, cid, 3, recorded_at=_at(13), lat=homes[2].lat, lon=homes[2].lon, accuracy_m=250)
    night = visit_entry(homes[3].id, cid, 4, recorded_at=_at(23, 30), lat=homes[3].lat, lon=homes[3].lon, accuracy_m=8)
    auth.login("cskv1")
    assert statuses(send(client, [far, nofix, poor, night])) == ["created"] * 4

    flagged = _codes(client, far)
    assert set(flagged) == {"far", "late_entry"}
    assert 5400 < flagged["far"]["distance_m"] < 5700 and flagged["far"]["accuracy_m"] == 12
    assert flagged["far"]["limit_m"] == 162
    assert flagged["late_entry"]["hours"] > 48
    assert set(_codes(client, nofix)) == {"no_fix", "late_entry"}
    assert _codes(client, poor)["poor_fix"]["accuracy_m"] == 250 and "far" not in _codes(client, poor)
    assert _codes(client, night)["odd_hours"] == {"code": "odd_hours", "local_time": "23:30"}
    history = client.get(f"/households/{homes[0].id}").get_data(as_text=True)  # the flags in the history
    assert 'data-check="far"' in history and 'data-check="late_entry"' in history


def test_a_burst_of_taps_flags_every_visit_in_it(client, auth, db_session):
    homes = households_of("T02")[:5]
    cid = campaign_id()
    burst = [visit_entry(h.id, cid, n, recorded_at=_at(10, 0, n * 8), lat=h.lat, lon=h.lon, accuracy_m=10)
             for n, h in enumerate(homes)]
    auth.login("cskv1")
    assert statuses(send(client, burst)) == ["created"] * 5
    for entry in burst:
        flag = _codes(client, entry)["burst"]
        assert flag["per_minute"] == 5
    # Taps elsewhere in the village seconds apart: faster than a walk.
    fastest = _codes(client, burst[0])["burst"]
    assert fastest["speed_kmh"] > 6 and fastest["seconds"] == 8


def test_a_visit_at_the_house_in_daytime_received_at_once_has_no_checks(make_app):
    app = make_app(CHECK_LATE_HOURS=10 ** 7)
    client = app.test_client()
    from tests.conftest import Auth

    with app.app_context():
        home = households_of("T03")[0]
        entry = visit_entry(home.id, campaign_id(), recorded_at=_at(9), lat=home.lat, lon=home.lon, accuracy_m=10)
    Auth(client).login("cskv1")
    assert statuses(send(client, [entry])) == ["created"]
    body = client.get(f"/api/visits/{entry['id']}").get_json()
    assert body["checks"] == [] and body["verification"] is None


def test_visit_api_has_the_contract_shape_and_is_scoped(client, auth, db_session):
    home = households_of("T01")[5]
    entry = visit_entry(home.id, campaign_id(), recorded_at=_at(9, 15), lat=None, lon=None, accuracy_m=None)
    assert client.get(f"/api/visits/{entry['id']}").status_code == 401
    auth.login("cskv1")
    send(client, [entry])
    answer = client.get(f"/api/visits/{entry['id']}")
    body = answer.get_json()
    assert answer.status_code == 200 and set(body) == API_KEYS
    assert body["household_id"] == str(home.id) and body["outcome"] == "warned"
    assert body["recorded_at"] == _at(9, 15) and body["received_at"].endswith("Z")
    assert body["by"] == ["cskv1"] and body["topics"] == ["tu_co_lap"] and body["materials"] == ["leaflet"]
    assert body["in_force"] is True and body["superseded_by"] is None
    assert [c["code"] for c in body["checks"]] == ["no_fix", "late_entry"]
    assert client.get(f"/api/visits/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/visits/not-a-uuid").get_json()["error"] == "404"
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv2")  # T06–T10: the visit is outside the area
    assert client.get(f"/api/visits/{entry['id']}").status_code == 404
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    assert client.get(f"/api/visits/{entry['id']}").status_code == 200


def test_a_household_without_a_point_learns_it_from_a_good_fix(client, auth, db_session):
    home = households_of("T04")[0]
    db_session.execute(sa.update(Household).where(Household.id == home.id).values(lat=None, lon=None))
    db_session.commit()
    cid = campaign_id()
    rough = visit_entry(home.id, cid, 1, recorded_at=_at(8), lat=15.2, lon=108.9, accuracy_m=80)
    good = visit_entry(home.id, cid, 2, recorded_at=_at(9), lat=15.21, lon=108.91, accuracy_m=9)
    later = visit_entry(home.id, cid, 3, recorded_at=_at(15), lat=15.25, lon=108.91, accuracy_m=9)
    auth.login("cskv1")
    assert statuses(send(client, [rough, good])) == ["created", "created"]
    db_session.rollback()
    point = db_session.scalar(sa.select(LearntPoint).where(LearntPoint.household_id == home.id))
    assert (point.lat, point.lon, point.accuracy_m, point.state) == (15.21, 108.91, 9, "pending")
    assert str(point.visit_id) == good["id"] and point.user.username == "cskv1"
    assert (db_session.get(Household, home.id).lat, db_session.get(Household, home.id).lon) == (15.21, 108.91)
    assert "far" not in _codes(client, good)
    send(client, [later])  # 4.4 km north of the learnt point
    assert 4000 < _codes(client, later)["far"]["distance_m"] < 5000


def test_a_web_tap_without_location_is_flagged(client, auth, db_session):
    home = households_of("T05")[0]
    auth.login("cskv1")
    answer = auth.post(f"/households/{home.id}/quick", {"outcome": "nobody_home"})
    assert answer.status_code == 302
    db_session.rollback()
    codes = set(db_session.scalars(sa.select(VisitCheck.code).join_from(VisitCheck, Household, sa.true())
                                   .where(Household.id == home.id)))
    assert "no_fix" in codes


def _row(n, t, lat=15.0, lon=108.0, acc=5.0, outcome="warned"):
    return checks.Row(n, 1, n, outcome, t, t, lat, lon, acc, None, lat, lon)


def test_walking_pace_between_neighbours_is_not_a_burst():
    rows = [_row(1, datetime(2025, 11, 12, 3, 0, 0)),
            _row(2, datetime(2025, 11, 12, 3, 2, 0), lat=15.0009)]  # 100 m in two minutes
    line = checks.Timeline(rows)
    settings = {"walk": 6, "per_minute": 3}
    assert checks._burst(rows[1], line, settings) is None
    fast = _row(3, datetime(2025, 11, 12, 3, 2, 20), lat=15.0027)  # 200 m more in 20 s
    line = checks.Timeline(rows + [fast])
    assert checks._burst(fast, line, settings)[1]["speed_kmh"] > 30
    assert checks._most_in_a_minute(datetime(2025, 11, 12, 3, 2, 0), line.warned) == 2


def test_a_correction_carries_the_checks_of_the_visit_it_replaces(client, auth, db_session):
    from fieldapp.models import Campaign, Visit
    from fieldapp.visits.services import record_visit
    from tests.helpers import user

    home = households_of("T01")[3]
    entry = visit_entry(home.id, campaign_id(), recorded_at=_at(9), lat=home.lat + 0.01, lon=home.lon, accuracy_m=5)
    auth.login("cskv1")
    send(client, [entry])
    db_session.rollback()
    original = db_session.get(Visit, uuid.UUID(entry["id"]))
    campaign = db_session.get(Campaign, campaign_id())
    fixed = record_visit(home, campaign, user("cskv1"), {"outcome": "nobody_home"}, supersedes=original)
    checks.after_store([fixed.id])
    db_session.commit()
    body = client.get(f"/api/visits/{fixed.id}").get_json()
    assert {c["code"] for c in body["checks"]} == {"far", "late_entry"}
    assert all(c["carried_from"] == entry["id"] for c in body["checks"])
    before = client.get(f"/api/visits/{entry['id']}").get_json()
    assert before["in_force"] is False and before["superseded_by"] == str(fixed.id)


def test_a_burst_at_the_station_teaches_no_house_its_point(client, auth, db_session):
    homes = households_of("T05")[2:6]
    db_session.execute(sa.update(Household).where(Household.id.in_([h.id for h in homes])).values(lat=None, lon=None))
    db_session.commit()
    station = [visit_entry(h.id, campaign_id(), n, recorded_at=_at(14, 0, n * 5), lat=15.4, lon=108.6, accuracy_m=5)
               for n, h in enumerate(homes)]
    auth.login("cskv1")
    assert statuses(send(client, station)) == ["created"] * 4
    assert all("burst" in _codes(client, e) for e in station)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(LearntPoint)) == 0
    assert all(db_session.get(Household, h.id).lat is None for h in homes)


def test_the_burst_check_finds_the_nearest_visits_within_the_hour_not_only_the_minute(client, auth, db_session):
    """The timeline is read around the batch (a minute) plus the nearest visit on each side
    within the hour: a visit 20 minutes before, 3 km away, is the neighbour (not the one 50
    minutes before, nor one 70 minutes before), and one 25 minutes after too."""
    homes = households_of("T03")[:6]
    cid = campaign_id()
    here = (homes[0].lat, homes[0].lon)

    def at(minute, n, lat):
        return visit_entry(homes[n].id, cid, n, recorded_at=_at(9 + minute // 60, minute % 60), lat=lat, lon=here[1],
                           accuracy_m=5)

    earlier = [at(0, 1, here[0] + 0.5), at(20, 2, here[0] + 0.3), at(50, 3, here[0] + 0.027)]  # 70, 50, 20 min before
    later = [at(95, 4, here[0] - 0.036), at(135, 5, here[0] + 0.9)]  # 25 and 65 min after
    auth.login("cskv1")
    assert statuses(send(client, earlier + later)) == ["created"] * 5
    checked = at(70, 0, here[0])
    assert statuses(send(client, [checked])) == ["created"]
    burst = _codes(client, checked)["burst"]
    # 3 km in 20 min is 9 km/h (the nearest before); 4 km in 25 min is 9.6 km/h (the nearest after): the faster
    assert burst["other_visit"] == later[0]["id"] and burst["seconds"] == 25 * 60
    assert 9 < burst["speed_kmh"] < 10.5
    db_session.rollback()
    rows = checks.load([uuid.UUID(checked["id"])])
    line = checks._timelines(rows)[rows[0].user_id]
    assert {str(i) for i in line.neighbours(rows[0].id)} == {earlier[2]["id"], later[0]["id"]}
