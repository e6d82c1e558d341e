"""Correcting and withdrawing visits, online and through sync: a new record supersedes the
old, history keeps both, the verdict and exports use the record in force and say it was
corrected, when and by whom; only the author or the commander, only a visit in force."""
from __future__ import annotations

import io
import re
import uuid

import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, QuarantinedEntry, Visit, VisitWithdrawal
from fieldapp.timeutil import today_vn
from tests.helpers import unvisited_household, visits_of
from tests.sync.helpers import campaign_id, send, statuses, visit_entry, vn_time

HX = {"HX-Request": "true"}


def _tap(auth, household, outcome="warned"):
    assert auth.post(f"/households/{household.id}/quick", {"outcome": outcome}).status_code == 302
    [visit] = [v for v in visits_of(household.id) if v.in_force]
    return visit


def test_the_author_corrects_a_visit_online_and_history_keeps_both(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    visit = _tap(auth, household)
    form = client.get(f"/households/visits/{visit.id}/correct").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="warned"', form) and 'name="reason"' in form
    bad = auth.post(f"/households/visits/{visit.id}/correct", {"outcome": "nobody_home"})
    assert bad.status_code == 422 and "Ghi lý do đính chính" in bad.get_data(as_text=True)
    answer = auth.post(f"/households/visits/{visit.id}/correct", {"outcome": "nobody_home", "reason": "Bấm nhầm, nhà vắng"})
    assert answer.status_code == 302
    old, new = sorted(visits_of(household.id), key=lambda v: v.received_at)
    assert (old.in_force, old.replaced_reason) == (False, "corrected")
    assert (new.in_force, new.outcome, new.supersedes_id, new.reason) == (True, "nobody_home", old.id, "Bấm nhầm, nhà vắng")
    assert new.recorded_at == old.recorded_at and new.topics == [] and new.materials == []
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    history = page.split('id="history"')[1]
    assert history.count("data-visit-id=") == 2 and "Đã đính chính bởi" in history and "Bấm nhầm, nhà vắng" in history
    assert 'class="chip st-revisit"' in page  # the status follows the record in force
    api = client.get(f"/api/visits/{old.id}").get_json()
    assert api["in_force"] is False and api["superseded_by"] == str(new.id)


def test_only_the_author_or_the_commander_and_only_a_visit_in_force(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("antt1")
    visit = _tap(auth, household)
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv1")  # same village, not the author
    assert client.get(f"/households/visits/{visit.id}/correct").status_code == 403
    assert auth.post(f"/households/visits/{visit.id}/withdraw", {"reason": "x"}).status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv2")  # another officer's area
    assert client.get(f"/households/visits/{visit.id}/withdraw").status_code == 404
    assert client.get(f"/api/visits/{visit.id}").status_code == 404
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    confirm = client.get(f"/households/visits/{visit.id}/withdraw").get_data(as_text=True)
    assert "Rút lại lượt đến nhà này?" in confirm and 'method="post"' in confirm  # no JavaScript needed
    assert auth.post(f"/households/visits/{visit.id}/withdraw", {"reason": ""}).status_code == 422
    assert auth.post(f"/households/visits/{visit.id}/withdraw", {"reason": "Hộ đã chuyển đi từ trước"}).status_code == 302
    answer = client.get(f"/households/visits/{visit.id}/correct")
    assert answer.status_code == 409 and "đã được đính chính hoặc rút lại" in answer.get_data(as_text=True)
    db.session.rollback()
    record = db.session.scalar(sa.select(VisitWithdrawal).where(VisitWithdrawal.visit_id == visit.id))
    assert record.reason == "Hộ đã chuyển đi từ trước" and record.user.username == "chihuy"
    assert db.session.get(Visit, visit.id).replaced_reason == "withdrawn"


def test_corrections_and_withdrawals_through_sync(client, auth, db_session):
    first, second = unvisited_household("T02"), unvisited_household("T03")
    cid = campaign_id()
    auth.login("cskv1")
    made = [visit_entry(first.id, cid), visit_entry(second.id, cid, outcome="nobody_home", topics=[], materials=[])]
    assert statuses(send(client, made)) == ["created", "created"]
    fix = visit_entry(first.id, cid, outcome="moved_away", topics=[], materials=[], people_reached=0,
                      youth_reached=0, supersedes=made[0]["id"], reason="Hộ đã chuyển đi", recorded_at=vn_time(0))
    take_back = {"id": str(uuid.uuid4()), "type": "withdrawal", "seq": 9, "recorded_at": vn_time(0),
                 "data": {"visit_id": made[1]["id"], "reason": "Ghi nhầm nhà"}}
    again = {**take_back, "id": str(uuid.uuid4())}
    answer = send(client, [fix, take_back, again]).get_json()["results"]
    assert [r["status"] for r in answer] == ["created", "created", "quarantined"]
    assert "đã được đính chính hoặc rút lại" in answer[2]["errors"]["visit_id"]
    db.session.rollback()
    old, new = (db.session.get(Visit, uuid.UUID(e)) for e in (made[0]["id"], fix["id"]))
    assert not old.in_force and new.in_force and new.supersedes_id == old.id and new.recorded_at == old.recorded_at
    assert not db.session.get(Visit, uuid.UUID(made[1]["id"])).in_force
    pack = client.get("/api/me/pack").get_json()
    rows = {h["id"]: h for v in pack["villages"] for h in v["households"]}
    assert rows[str(first.id)]["status"] == "excluded" and rows[str(second.id)]["status"] == "not_visited"
    assert statuses(send(client, [fix, take_back])) == ["duplicate", "duplicate"]


def test_refused_corrections_write_nothing_and_say_why(client, auth, db_session):
    household = unvisited_household("T01")
    cid = campaign_id()
    auth.login("antt1")
    made = visit_entry(household.id, cid)
    assert statuses(send(client, [made])) == ["created"]
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("cskv1")
    outsider = unvisited_household("T07")
    cases = [
        (visit_entry(household.id, cid, supersedes=made["id"], reason="sửa"), "supersedes", "Chỉ cán bộ đã ghi lượt này"),
        (visit_entry(household.id, cid, supersedes=str(uuid.uuid4()), reason="sửa"), "supersedes", "không tồn tại"),
        ({"id": str(uuid.uuid4()), "type": "withdrawal", "seq": 3, "recorded_at": vn_time(0),
          "data": {"visit_id": made["id"], "reason": ""}}, "visit_id", "Chỉ cán bộ"),
        (visit_entry(outsider.id, cid, supersedes=made["id"], reason="sửa"), "supersedes", "Chỉ cán bộ"),
    ]
    db.session.rollback()
    before = db.session.scalar(sa.select(sa.func.count(Visit.id)))
    results = send(client, [entry for entry, *_ in cases]).get_json()["results"]
    for result, (_entry, field, words) in zip(results, cases):
        assert result["status"] == "quarantined" and words in result["errors"][field], result
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) == before
    assert db.session.get(Visit, uuid.UUID(made["id"])).in_force
    assert db.session.scalar(sa.select(sa.func.count(VisitWithdrawal.visit_id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(QuarantinedEntry.id))) == 4


def test_the_verdict_and_its_export_use_the_record_in_force_and_say_it_was_corrected(client, auth, db_session):
    from datetime import timedelta

    from fieldapp.timeutil import utcnow

    household = unvisited_household("T04")
    auth.login("cskv1")
    visit = _tap(auth, household, "nobody_home")
    assert auth.post(f"/households/visits/{visit.id}/correct", {"outcome": "warned", "topics": ["tu_co_lap"],
                                                      "people_reached": "2", "reason": "Đã cảnh báo thật"}).status_code == 302
    db.session.rollback()
    old, new = sorted(visits_of(household.id), key=lambda v: v.received_at)
    now = utcnow()  # as if visited three days ago and corrected the next day
    old.recorded_at = old.received_at = now - timedelta(days=3)
    new.recorded_at, new.received_at = old.recorded_at, now - timedelta(days=2)
    old.replaced_at = new.received_at
    db.session.commit()
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    response = auth.post(f"/incidents/new/{household.id}", {"occurred_on": today_vn().isoformat(), "kind": "scam",
                                                             "loss_vnd": "1000000", "victim_age": "", "note": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="warned"' in page and "Bản ghi đã đính chính, bởi" in page and "Đã cảnh báo thật" in page
    book = load_workbook(io.BytesIO(client.get("/incidents/export.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][-1] == "Đính chính" and any(r[-1] and "Đã cảnh báo thật" in r[-1] for r in rows[1:])
    body = client.get(f"/api/households/{household.id}/warned?as_of={today_vn().isoformat()}").get_json()
    assert [(v["id"], v["supersedes"], v["reason"]) for v in body["visits"]] == [(str(new.id), str(old.id), "Đã cảnh báo thật")]


def test_a_visit_corrected_after_the_day_judged_says_so(client, auth, db_session):
    from datetime import timedelta

    from fieldapp.timeutil import utcnow

    household = unvisited_household("T05")
    auth.login("cskv1")
    visit = _tap(auth, household, "warned")
    db.session.rollback()
    visit = db.session.get(Visit, visit.id)
    visit.recorded_at = visit.received_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert auth.post(f"/households/visits/{visit.id}/withdraw", {"reason": "Không đến nhà này"}).status_code == 302
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    response = auth.post(f"/incidents/new/{household.id}", {"occurred_on": today_vn().isoformat(), "kind": "scam",
                                                             "loss_vnd": "", "victim_age": "", "note": ""})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-verdict="warned"' in page and "Sau đó được rút lại lúc" in page  # as the record stood then
