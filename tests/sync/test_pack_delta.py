"""The pack's version and `?since=`: after a tap the phone gets only what changed (a few
hundred bytes, not the whole pack); an old or foreign version gets the whole pack."""
from __future__ import annotations

import gzip
import json

import sqlalchemy as sa

from datetime import timedelta

from fieldapp.extensions import db
from fieldapp.models import Household, Visit
from fieldapp.timeutil import utcnow
from fieldapp.households.services import merge
from tests.helpers import households_of, unvisited_household, user
from tests.sync.helpers import campaign_id, send, statuses, visit_entry


def settled():
    """The demo as if nothing had changed for an hour (the test database was just seeded)."""
    hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(sa.update(Household).values(updated_at=hour_ago, created_at=hour_ago))
    db.session.execute(sa.update(Visit).where(Visit.received_at > hour_ago).values(received_at=hour_ago))
    db.session.commit()


def test_the_pack_states_its_version_campaign_package_and_status_rule(client, auth, db_session):
    auth.login("cskv1")
    pack = client.get("/api/me/pack").get_json()
    assert isinstance(pack["version"], str) and pack["version"]
    assert pack["campaign"]["state"] == "running"
    assert pack["campaign"]["standard"] == {"topics": [t["code"] for t in pack["campaign"]["topics"]],
                                            "materials": ["leaflet"]}
    rule = pack["status_rule"]
    assert rule["rank"]["moved_away"] == 3 and rule["otherwise"] == "not_visited"
    first = pack["villages"][0]["households"][0]
    assert {"route", "lat", "lon"} <= set(first)


def test_after_one_tap_only_that_household_comes_back(client, auth, db_session):
    settled()
    household = unvisited_household("T02")
    auth.login("cskv1")
    full = client.get("/api/me/pack")
    version = full.get_json()["version"]
    assert statuses(send(client, [visit_entry(household.id, campaign_id())])) == ["created"]
    answer = client.get(f"/api/me/pack?since={version}")
    delta = answer.get_json()
    assert "villages" not in delta and delta["removed"] == []
    assert [h["id"] for h in delta["changed"]] == [str(household.id)]
    changed = delta["changed"][0]
    assert changed["status"] == "warned" and changed["village_id"] == household.village_id
    assert changed["history"][0]["outcome"] == "warned"
    assert delta["version"] != version
    body = answer.get_data()
    assert len(gzip.compress(body)) < 2048 < len(gzip.compress(full.get_data()))
    nothing = client.get(f"/api/me/pack?since={delta['version']}").get_json()
    assert nothing["changed"] in ([], delta["changed"])  # within the margin it may come again


def test_merged_households_are_removed_and_unknown_versions_get_the_whole_pack(client, auth, db_session):
    settled()
    auth.login("cskv1")
    version = client.get("/api/me/pack").get_json()["version"]
    db.session.rollback()
    keep, drop = households_of("T03")[:2]
    merge(drop, keep)
    db.session.commit()
    delta = client.get(f"/api/me/pack?since={version}").get_json()
    assert delta["removed"] == [str(drop.id)] and str(keep.id) in {h["id"] for h in delta["changed"]}
    for stale in ("nonsense", version.split("-")[0] + "-1", "0" * 12 + "-" + version.split("-")[1]):
        assert "villages" in client.get(f"/api/me/pack?since={stale}").get_json(), stale


def test_a_new_assignment_changes_the_structure_and_sends_the_whole_pack(client, auth, db_session):
    from fieldapp.auth.services import assign
    from fieldapp.timeutil import today_vn
    from tests.helpers import village

    auth.login("cskv1")
    version = client.get("/api/me/pack").get_json()["version"]
    db.session.rollback()
    assign(user("cskv1"), village("T09"), today_vn(), by=user("quantri"))
    db.session.commit()
    pack = client.get(f"/api/me/pack?since={version}").get_json()
    assert "T09" in [v["code"] for v in pack["villages"]]


def test_a_delta_carries_nothing_outside_the_area(client, auth, db_session):
    auth.login("cskv1")
    version = client.get("/api/me/pack").get_json()["version"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv2")
    other = unvisited_household("T07")
    assert statuses(send(client, [visit_entry(other.id, campaign_id())])) == ["created"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv1")
    delta = client.get(f"/api/me/pack?since={version}").get_json()
    assert str(other.id) not in json.dumps(delta)
    db.session.rollback()
    assert db.session.get(Household, other.id) is not None
    assert sa  # used above
