"""Every create/update/merge of households, visits, assignments and imports leaves exactly one
audit event naming the action, the object and the user (issue 6); a sync entry that is rolled
back leaves none."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Household, Visit
from fieldapp.timeutil import today_vn
from tests.helpers import households_of, unvisited_household, user, village, visits_of
from tests.register.files import GOOD, csv_file
from tests.sync.helpers import campaign_id, household_entry, send, statuses, visit_entry

HX = {"HX-Request": "true"}


def events(action: str, object_id=None) -> list[AuditEvent]:
    db.session.rollback()
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(query))


def only_event(action: str, object_type: str, object_id, username: str) -> AuditEvent:
    [event] = events(action, object_id)
    assert (event.object_type, event.username, event.user_id) == (object_type, username, user(username).id)
    return event


def test_one_tap_visit_and_its_undo_are_audited_once_each(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    assert auth.post(f"/households/{household.id}/quick", {"outcome": "warned"}, headers=HX).status_code == 200
    [visit] = visits_of(household.id)
    event = only_event("visit_create", "visit", visit.id, "cskv1")
    assert event.detail["household"] == str(household.id) and event.detail["outcome"] == "warned"
    assert event.ip == "127.0.0.1" and "merged_from" not in event.detail
    auth.post(f"/households/visits/{visit.id}/undo", headers=HX)
    only_event("visit_withdraw", "visit", visit.id, "cskv1")
    assert len(events("visit_create", visit.id)) == 1


def test_full_form_visit_is_audited_once(client, auth, db_session):
    household = unvisited_household("T02")
    auth.login("cskv1")
    response = auth.post(f"/households/{household.id}/visits", {
        "outcome": "nobody_home", "people_reached": "0", "youth_reached": "0"})
    assert response.status_code == 302
    [visit] = visits_of(household.id)
    assert only_event("visit_create", "visit", visit.id, "cskv1").detail["outcome"] == "nobody_home"


def test_a_refused_form_audits_nothing(client, auth, db_session):
    household = unvisited_household("T02")
    before = len(events("visit_create"))
    auth.login("cskv1")
    assert auth.post(f"/households/{household.id}/quick", {"outcome": "maybe"}).status_code == 400
    assert len(events("visit_create")) == before


def test_sync_batch_audits_each_created_entry_once(client, auth, db_session):
    rows = households_of("T01")
    good = [visit_entry(rows[n].id, campaign_id(), seq=n) for n in range(3)]
    bad = visit_entry(rows[3].id, campaign_id(), seq=9, outcome="bogus")
    added = household_entry(village("T01").id, seq=10)
    before = len(events("visit_create"))
    auth.login("cskv1")
    assert statuses(send(client, [*good, bad, added])) == ["created"] * 3 + ["quarantined", "created"]
    for entry in good:
        event = only_event("visit_create", "visit", entry["id"], "cskv1")
        assert event.detail["household"] == entry["data"]["household_id"]
    assert events("visit_create", bad["id"]) == []
    only_event("household_create", "household", added["id"], "cskv1")
    assert len(events("visit_create")) == before + 3
    assert statuses(send(client, [*good, added])) == ["duplicate"] * 4  # a resend audits nothing more
    assert len(events("visit_create")) == before + 3 and len(events("household_create", added["id"])) == 1


def test_a_sync_entry_rolled_back_leaves_no_audit_event(client, auth, db_session, monkeypatch):
    """An entry that fails after its visit's rows were gathered is rolled back: no visit, no
    receipt, no audit event (it is answered "retry"); its neighbours keep theirs."""
    from fieldapp.sync import entries

    real = entries.visits.visit_rows

    def failing(household, campaign, person, values, into, **kwargs):
        visit_id = real(household, campaign, person, values, into, **kwargs)
        if values.get("note") == "boom":
            raise RuntimeError("a bug after the write")
        return visit_id

    monkeypatch.setattr(entries.visits, "visit_rows", failing)
    rows = households_of("T02")
    first, broken, last = (visit_entry(rows[n].id, campaign_id(), seq=n, note="boom" if n == 1 else "")
                           for n in range(3))
    auth.login("cskv1")
    assert statuses(send(client, [first, broken, last])) == ["created", "retry", "created"]
    assert db.session.get(Visit, uuid.UUID(broken["id"])) is None and events("visit_create", broken["id"]) == []
    only_event("visit_create", "visit", first["id"], "cskv1")
    only_event("visit_create", "visit", last["id"], "cskv1")


def test_household_add_edit_move_and_merge_are_audited_once_each(client, auth, db_session):
    auth.login("cskv1")
    t04 = village("T04")
    response = auth.post(f"/households/new?village={t04.id}", {
        "head_name": "Phạm Văn Mới", "address": "Số 5", "members": "3", "youth": "1"})
    assert response.status_code == 302
    db.session.rollback()
    added = db.session.scalar(sa.select(Household).where(Household.head_name == "Phạm Văn Mới"))
    only_event("household_create", "household", added.id, "cskv1")
    auth.post("/logout")
    auth.login("chihuy")
    household, survivor = households_of("T05")[:2]
    data = {"head_name": "Đỗ Thị Sửa", "code": household.code, "address": household.address,
            "members": str(household.members), "youth": str(household.youth)}
    assert auth.post(f"/register/households/{household.id}/edit", data).status_code == 302
    assert only_event("household_update", "household", household.id, "chihuy").detail["fields"] == ["head_name"]
    assert auth.post(f"/register/households/{household.id}/status", {"status": "moved"}).status_code == 302
    only_event("household_moved", "household", household.id, "chihuy")
    assert auth.post(f"/register/households/{household.id}/status", {"status": "active"}).status_code == 302
    only_event("household_returned", "household", household.id, "chihuy")
    assert auth.post(f"/register/households/{household.id}/merge",
                     {"into": str(survivor.id), "confirmed": "1"}).status_code == 302
    event = only_event("household_merge", "household", household.id, "chihuy")
    assert event.detail["into"] == str(survivor.id)


def test_assignment_create_and_end_are_audited_once_each(client, auth, db_session):
    auth.login("chihuy")
    t10 = village("T10")
    response = auth.post("/assignments/", {"user": user("cskv1").id, "village": t10.id,
                                           "starts_on": today_vn().isoformat()})
    assert response.status_code == 302
    [created] = events("assignment_create")
    assert not events("assignment_change")  # one row per assignment
    assert (created.username, created.object_type, created.detail["village"]) == ("chihuy", "assignment", "T10")
    auth.post(f"/assignments/{created.object_id}/end", {"ends_on": today_vn().isoformat()})
    only_event("assignment_end", "assignment", created.object_id, "chihuy")


def test_an_import_is_audited_once_per_run(runner, db_session, tmp_path):
    before = len(events("households_import"))
    result = runner.invoke(args=["import-households", str(csv_file(tmp_path / "h.csv", GOOD))])
    assert result.exit_code == 0, result.output
    [event] = events("households_import")[before:]
    assert event.object_type == "import_run" and event.object_id and event.detail["created"] == 3
