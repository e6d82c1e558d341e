"""Refused entries: fixed on the phone and sent again under the same id, they go through and
leave the commander's list; sent again unchanged (under their id or a new one) they add
nothing to it."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household, QuarantinedEntry, SyncReceipt
from tests.helpers import unvisited_household, village, visits_of
from tests.sync.helpers import campaign_id, household_entry, send, statuses, visit_entry


def _rows():
    db.session.rollback()
    return db.session.scalars(sa.select(QuarantinedEntry).order_by(QuarantinedEntry.id)).all()


def test_the_same_refused_content_again_adds_nothing_to_the_list(client, auth, db_session):
    auth.login("cskv1")
    bad = visit_entry(unvisited_household("T01").id, campaign_id(), outcome="bogus")
    assert statuses(send(client, [bad])) == ["quarantined"]
    assert statuses(send(client, [bad])) == ["quarantined"]  # the same id: tried again
    assert statuses(send(client, [{**bad, "id": str(uuid.uuid4()), "seq": 9}])) == ["quarantined"]  # a new id
    [row] = _rows()
    assert row.entry_id == bad["id"] and row.resolved_at is None


def test_a_fixed_entry_goes_through_under_its_id_and_leaves_the_list(client, auth, db_session):
    t02 = village("T02")
    auth.login("cskv1")
    household = household_entry(t02.id, phone="12345")
    visit = visit_entry(household["id"], campaign_id())
    assert statuses(send(client, [household, visit])) == ["quarantined", "quarantined"]
    first = send(client, [household]).get_json()["results"][0]
    assert "phone" in first["errors"] and len(_rows()) == 2
    household["data"]["phone"] = "0905123456"  # edited on the phone, same id
    assert statuses(send(client, [household, visit])) == ["created", "created"]
    rows = _rows()
    assert {r.resolution for r in rows} == {"fixed"} and all(r.resolved_at for r in rows)
    added = db.session.get(Household, uuid.UUID(household["id"]))
    assert added.phone == "0905123456" and [v.outcome for v in visits_of(added.id)] == ["warned"]
    assert db.session.get(SyncReceipt, uuid.UUID(household["id"])).status == "created"
    assert statuses(send(client, [household])) == ["duplicate"]


def test_another_users_id_is_not_taken_over(client, auth, db_session):
    auth.login("cskv1")
    bad = visit_entry(unvisited_household("T01").id, campaign_id(), outcome="bogus")
    assert statuses(send(client, [bad])) == ["quarantined"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("antt1")
    good = {**bad, "data": {**bad["data"], "outcome": "warned"}}
    assert statuses(send(client, [good])) == ["id_conflict"]
