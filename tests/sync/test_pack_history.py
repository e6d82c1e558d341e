"""The offline household page's history: each household in the pack carries its last five
visits in force of the active campaign, newest first, with who went."""
from __future__ import annotations

from fieldapp.timeutil import utcnow
from tests.helpers import unvisited_household, user, visits_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time


def _household(pack: dict, household_id) -> dict:
    return next(h for v in pack["villages"] for h in v["households"] if h["id"] == str(household_id))


def test_the_pack_carries_the_last_five_visits_in_force(client, auth, db_session):
    auth.login("cskv1")
    household, cid = unvisited_household("T01"), campaign_id()
    entries = [visit_entry(household.id, cid, seq=day, outcome="nobody_home", topics=[], materials=[],
                           recorded_at=vn_time(10 - day, "08:30:00")) for day in range(1, 7)]
    entries[-1]["data"].update(outcome="warned", topics=["tu_co_lap"], companions=["antt1"])
    assert statuses(send(client, entries)) == ["created"] * 6

    history = _household(client.get("/api/me/pack").get_json(), household.id)["history"]
    assert [h["at"][:10] for h in history] == [vn_time(10 - day)[:10] for day in (6, 5, 4, 3, 2)]
    officer, mate = user("cskv1").display_name, user("antt1").display_name
    assert history[0] == {"id": entries[-1]["id"], "at": vn_time(4)[:10] + "T01:30:00Z", "outcome": "warned",
                          "user": "cskv1", "by": [officer, mate]}
    assert {h["outcome"] for h in history[1:]} == {"nobody_home"} and all(h["by"] == [officer] for h in history[1:])

    newest = max(visits_of(household.id), key=lambda v: v.recorded_at)
    newest.replaced_at, newest.replaced_reason = utcnow(), "withdrawn"  # no longer in force
    db_session.commit()
    history = _household(client.get("/api/me/pack").get_json(), household.id)["history"]
    assert [h["at"][:10] for h in history] == [vn_time(10 - day)[:10] for day in (5, 4, 3, 2, 1)]


def test_an_unvisited_household_has_an_empty_history(client, auth, db_session):
    auth.login("cskv1")
    household = unvisited_household("T02")
    assert _household(client.get("/api/me/pack").get_json(), household.id)["history"] == []
