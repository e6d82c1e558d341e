"""The sync batch contract: receipts, duplicates, conflicts, quarantine, savepoints."""
from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from fieldapp.models import Household, QuarantinedEntry, SyncReceipt, Visit
from fieldapp.sync import entries as sync_entries
from fieldapp.timeutil import today_vn
from tests.helpers import households_of, village, visits_of
from tests.sync.helpers import campaign_id, household_entry, send, statuses, visit_entry, vn_time


def _landed(db_session, *entries) -> list[int]:
    """How many visit rows each entry made (0 or 1)."""
    return [_count(db_session, Visit, Visit.id == uuid.UUID(e["id"])) for e in entries]


def _visit(db_session, entry) -> Visit:
    db_session.rollback()
    return db_session.get(Visit, uuid.UUID(entry["id"]))


def _count(db_session, model, *where) -> int:
    db_session.rollback()
    return db_session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_retry_after_a_lost_answer_is_a_duplicate_and_writes_nothing(client, auth, db_session):
    household = households_of("T01")[0]
    entry = visit_entry(household.id, campaign_id(), seq=17)
    auth.login("cskv1")
    assert statuses(send(client, [entry])) == ["created"]
    # The answer was lost on the way back: the phone sends the same entry again.
    answer = send(client, [entry])
    assert statuses(answer) == ["duplicate"] and answer.get_json()["results"][0]["id"] == entry["id"]
    visit = _visit(db_session, entry)
    assert (visit.device_id, visit.seq, visit.recorded_offset_min) == ("phone-1", 17, 420)
    assert visit.recorded_at == datetime.combine(today_vn() - timedelta(days=1), time(2, 15))
    assert visit.received_at > visit.recorded_at and visit.topics == ["tu_co_lap"]
    assert _count(db_session, SyncReceipt, SyncReceipt.entry_id == uuid.UUID(entry["id"])) == 1


def test_same_id_with_different_content_is_a_conflict_and_keeps_the_original(client, auth, db_session):
    household = households_of("T01")[1]
    entry = visit_entry(household.id, campaign_id())
    auth.login("cskv1")
    send(client, [entry])
    changed = {**entry, "data": {**entry["data"], "outcome": "nobody_home", "topics": []}}
    answer = send(client, [changed]).get_json()["results"][0]
    assert answer["status"] == "id_conflict" and answer["errors"]["id"]
    assert _visit(db_session, entry).outcome == "warned"
    # Another officer reusing the id is a conflict too, never a duplicate of someone else's.
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("antt1")
    assert statuses(send(client, [entry])) == ["id_conflict"]


def test_valid_invalid_valid_sent_twice(client, auth, db_session):
    hs = households_of("T02")
    cid = campaign_id()
    batch = [visit_entry(hs[0].id, cid, 1), visit_entry(hs[1].id, cid, 2, outcome="bogus"),
             visit_entry(hs[2].id, cid, 3)]
    auth.login("cskv1")
    first = send(client, batch).get_json()["results"]
    assert [r["status"] for r in first] == ["created", "quarantined", "created"]
    assert "outcome" in first[1]["errors"] and "hợp lệ" in first[1]["errors"]["outcome"]
    assert statuses(send(client, batch)) == ["duplicate", "quarantined", "duplicate"]
    assert _landed(db_session, *batch) == [1, 0, 1]
    assert _count(db_session, QuarantinedEntry, QuarantinedEntry.entry_id == batch[1]["id"]) == 1


def test_an_exception_in_one_entry_does_not_fail_its_neighbours(client, auth, db_session, monkeypatch):
    hs = households_of("T03")
    cid = campaign_id()
    batch = [visit_entry(h.id, cid, n) for n, h in enumerate(hs[:3], 1)]
    real = sync_entries.APPLY["visit"]

    def exploding(entry_id, entry, lookups, device_id):
        visit = real(entry_id, entry, lookups, device_id)  # written, then the failure
        if entry["data"]["household_id"] == str(hs[1].id):
            raise RuntimeError("injected")
        return visit

    monkeypatch.setitem(sync_entries.APPLY, "visit", exploding)
    auth.login("cskv1")
    first = send(client, batch).get_json()["results"]
    # Not refused (nothing is wrong with its content): no receipt, so the phone sends it again.
    assert [r["status"] for r in first] == ["created", "retry", "created"]
    assert "server" in first[1]["errors"] and _landed(db_session, *batch) == [1, 0, 1]
    assert _count(db_session, QuarantinedEntry) == 0
    assert _count(db_session, SyncReceipt, SyncReceipt.entry_id == uuid.UUID(batch[1]["id"])) == 0
    monkeypatch.setitem(sync_entries.APPLY, "visit", real)
    assert statuses(send(client, batch)) == ["duplicate", "created", "duplicate"]
    assert _landed(db_session, *batch) == [1, 1, 1]


def test_nfd_names_are_stored_nfc_and_match_their_nfc_resend(client, auth, db_session):
    t01 = village("T01").id
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    entry = household_entry(t01, head_name=nfd, address=unicodedata.normalize("NFD", "Số 5, ngõ Đình"))
    auth.login("cskv1")
    assert statuses(send(client, [entry])) == ["created"]
    nfc_entry = {**entry, "data": {**entry["data"], "head_name": "Nguyễn Thị Ánh",
                                   "address": "Số 5, ngõ Đình"}}
    assert statuses(send(client, [nfc_entry])) == ["duplicate"]
    db_session.rollback()
    household = db_session.get(Household, uuid.UUID(entry["id"]))
    assert household.head_name == "Nguyễn Thị Ánh" and household.source == "field"
    assert "nguyen thi anh" in household.search_key


def test_a_household_added_offline_then_visited_in_the_same_batch(client, auth, db_session):
    new = household_entry(village("T04").id, seq=1)
    visit = visit_entry(new["id"], campaign_id(), seq=2)
    auth.login("cskv1")
    assert statuses(send(client, [new, visit])) == ["created", "created"]
    assert [str(v.id) for v in visits_of(uuid.UUID(new["id"]))] == [visit["id"]]


def test_device_times_outside_the_campaign_or_without_offset_are_quarantined(client, auth, db_session):
    hs = households_of("T05")
    cid = campaign_id()
    batch = [visit_entry(hs[0].id, cid, recorded_at="1970-01-01T00:00:00+07:00"),
             visit_entry(hs[1].id, cid, recorded_at="2099-12-31T23:59:59-05:30"),
             visit_entry(hs[2].id, cid, recorded_at="2025-11-12T09:15:00"),
             visit_entry(hs[3].id, cid, recorded_at="12/11/2025"),
             visit_entry(hs[4].id, cid, recorded_at=vn_time(2, "23:30:00").replace("+07:00", "-05:30"))]
    auth.login("cskv1")
    results = send(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined"] * 4 + ["created"]
    assert all("recorded_at" in r["errors"] for r in results[:4])
    assert "01/01/1970 nằm ngoài thời gian của chiến dịch" in results[0]["errors"]["recorded_at"]
    assert _visit(db_session, batch[0]) is None and _visit(db_session, batch[1]) is None
    # Stored as sent, offset and all: 23:30 at UTC-5:30 is the next morning in Vietnam.
    stored = _visit(db_session, batch[4])
    assert (stored.recorded_at.time(), stored.recorded_offset_min) == (time(5, 0), -330)


def test_households_outside_the_area_are_quarantined(client, auth, db_session):
    outside = households_of("T10")[0]  # cskv1 has T01–T05
    cid = campaign_id()
    batch = [visit_entry(outside.id, cid), household_entry(village("T10").id),
             visit_entry(uuid.uuid4(), cid), visit_entry(households_of("T01")[2].id, 99999)]
    auth.login("cskv1")
    results = send(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined"] * 4
    assert "household_id" in results[0]["errors"] and "village_id" in results[1]["errors"]
    assert "household_id" in results[2]["errors"] and "campaign_id" in results[3]["errors"]
    assert _landed(db_session, *batch) == [0] * 4


def test_bad_uuids(client, auth, db_session):
    cid = campaign_id()
    household = households_of("T01")[3]
    bad_id = {**visit_entry(household.id, cid), "id": "not-a-uuid"}
    bad_household = visit_entry(household.id, cid)
    bad_household["data"]["household_id"] = "1234"
    auth.login("cskv1")
    results = send(client, [bad_id, bad_household]).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined", "quarantined"]
    assert "id" in results[0]["errors"] and "household_id" in results[1]["errors"]
    send(client, [bad_id])
    assert _count(db_session, QuarantinedEntry, QuarantinedEntry.entry_id == "not-a-uuid") == 1
    assert _landed(db_session, bad_household) == [0]


def test_ids_out_of_the_databases_range_are_quarantined(client, auth, db_session):
    household = households_of("T01")[3]
    batch = [visit_entry(household.id, cid) for cid in (2**31, 2**63, -1, 0, True)]
    batch += [household_entry(vid) for vid in (2**31, 2**70, 0)]
    auth.login("cskv1")
    results = send(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined"] * 8
    assert all(r["errors"]["campaign_id"] == "Chiến dịch này không tồn tại." for r in results[:5])
    assert all("village_id" in r["errors"] for r in results[5:])
    assert _count(db_session, QuarantinedEntry) == 8 and _landed(db_session, *batch[:5]) == [0] * 5


def test_form_rules_apply_with_vietnamese_messages(client, auth, db_session):
    hs = households_of("T02")
    cid = campaign_id()
    batch = [visit_entry(hs[3].id, cid, people_reached=1, youth_reached=2),
             visit_entry(hs[4].id, cid, topics=[]),
             visit_entry(hs[5].id, cid, people_reached="nhiều", materials=["cake"], lat=95)]
    auth.login("cskv1")
    results = send(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined"] * 3
    assert set(results[0]["errors"]) == {"youth_reached"}
    assert set(results[1]["errors"]) == {"topics"}
    assert {"people_reached", "materials", "lat"} <= set(results[2]["errors"])
    assert all(r["errors"][k] for r in results for k in r["errors"])


def test_whole_batch_answers_are_json(client, auth, db_session):
    household = households_of("T01")[4]
    entry = visit_entry(household.id, campaign_id())
    anonymous = client.post("/api/sync/batch", json={"device_id": "x", "entries": [entry]})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "unauthorized"
    auth.login("cskv1")
    bad_csrf = send(client, [entry], token="nope")
    assert bad_csrf.status_code == 403 and bad_csrf.is_json
    not_json = client.post("/api/sync/batch", data="entries=1", headers={"X-CSRFToken": auth.token()})
    assert not_json.status_code == 400 and not_json.is_json
    for shape in ([], {"device_id": "x"}, {"device_id": "", "entries": []},
                  {"device_id": "x", "entries": [{"id": "a"}]},
                  {"device_id": "x", "entries": [{**entry, "seq": "7"}]}):
        answer = send(client, [], json=shape) if shape != [] else client.post(
            "/api/sync/batch", json=[], headers={"X-CSRFToken": auth.token()})
        assert answer.status_code == 400 and answer.get_json()["message"], shape
    too_many = send(client, [visit_entry(household.id, campaign_id(), n) for n in range(201)])
    assert too_many.status_code == 413 and too_many.is_json
    too_big = send(client, [visit_entry(household.id, campaign_id(), note="x" * 1_000_001)])
    assert too_big.status_code == 413 and too_big.is_json
    assert _landed(db_session, entry) == [0]


def test_roles_that_only_read_cannot_send(client, auth, db_session):
    auth.login("truongthon1")
    answer = send(client, [visit_entry(households_of("T01")[0].id, campaign_id())])
    assert answer.status_code == 403 and answer.is_json


def test_status_tells_which_ids_the_server_holds(client, auth, db_session):
    cid = campaign_id()
    good = visit_entry(households_of("T03")[4].id, cid)
    bad = visit_entry(households_of("T03")[5].id, cid, outcome="?")
    auth.login("cskv1")
    send(client, [good, bad])
    unknown = str(uuid.uuid4())
    answer = client.get(f"/api/sync/status?ids={good['id']},{bad['id']},{unknown},zzz").get_json()
    assert [r["status"] for r in answer["results"]] == ["created", "quarantined", "unknown", "unknown"]
    client.post("/logout", data={"csrf_token": auth.token()})
    assert client.get(f"/api/sync/status?ids={good['id']}").status_code == 401
    auth.login("cskv2")  # another officer learns nothing about cskv1's entries
    assert client.get(f"/api/sync/status?ids={good['id']}").get_json()["results"][0]["status"] == "unknown"
    assert _count(db_session, Visit, Visit.id == uuid.UUID(good["id"])) == 1

