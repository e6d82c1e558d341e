"""A village head reports changes to the register, never edits it; the commander accepts or
rejects each report with a comment, audited; outside his village → 404."""
from __future__ import annotations

import re

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Household, RegisterChange, VillageReview
from tests.helpers import households_of, village

HEAD_T05 = "truongthon5"


def _change_id(client) -> int:
    return int(re.findall(r'data-change-id="(\d+)"', client.get("/register/changes").get_data(as_text=True))[0])


def _switch(auth, username: str) -> None:
    auth.post("/logout")
    auth.login(username)


def test_moved_away_is_reported_then_accepted(client, auth, db_session):
    household = next(h for h in households_of("T05") if h.status == "active")
    auth.login(HEAD_T05)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f"/households/{household.id}/report/moved" in page
    assert auth.post(f"/households/{household.id}/report/moved", {"note": ""}).status_code == 422
    sent = auth.post(f"/households/{household.id}/report/moved", {"note": "Cả nhà vào Bình Dương làm ăn từ tháng 9."})
    assert sent.status_code == 302
    db.session.rollback()
    assert db.session.get(Household, household.id).status == "active"  # a report changes nothing
    assert client.get("/register/changes").status_code == 403  # the queue is the commander's
    _switch(auth, "chihuy")
    queue = client.get("/register/changes").get_data(as_text=True)
    assert "Bình Dương" in queue and household.head_name in queue and "Chờ xử lý (1)" in queue
    change_id = _change_id(client)
    assert auth.post(f"/register/changes/{change_id}/accept", {"comment": "Đã xác minh."}).status_code == 302
    db.session.rollback()
    assert db.session.get(Household, household.id).status == "moved"
    assert db.session.get(RegisterChange, change_id).status == "accepted"
    again = auth.post(f"/register/changes/{change_id}/accept", {"comment": ""})
    assert again.status_code == 409 and "đã được xử lý" in again.get_data(as_text=True)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"change_report", "change_accept", "household_moved"} <= actions
    _switch(auth, HEAD_T05)
    village_page = client.get(f"/coverage/villages/{household.village_id}").get_data(as_text=True)
    assert f'data-change-id="{change_id}" data-status="accepted"' in village_page


def test_outside_his_village_is_404_and_others_may_not_report(client, auth, db_session):
    theirs = households_of("T06")[0]
    auth.login(HEAD_T05)
    for kind in ("moved", "duplicate", "wrong_info"):
        assert client.get(f"/households/{theirs.id}/report/{kind}").status_code == 404
        assert auth.post(f"/households/{theirs.id}/report/{kind}", {"note": "x"}).status_code == 404
    assert auth.post(f"/villages/{village('T06').id}/report-new", {"note": "x"}).status_code == 404
    mine = households_of("T05")[0]
    assert client.get(f"/households/{mine.id}/report/rename").status_code == 404
    _switch(auth, "cskv1")
    assert client.get(f"/households/{households_of('T01')[0].id}/report/moved").status_code == 403
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegisterChange)) == 0


def test_wrong_details_carry_only_what_differs(client, auth, db_session):
    household = households_of("T05")[1]
    url = f"/households/{household.id}/report/wrong_info"
    fields = {"head_name": household.head_name, "code": household.code, "address": household.address,
              "phone": household.phone or "", "members": str(household.members), "youth": str(household.youth)}
    auth.login(HEAD_T05)
    same = auth.post(url, {**fields, "note": "Kiểm tra lại"})
    assert same.status_code == 422 and "Không có gì khác" in same.get_data(as_text=True)
    bad = auth.post(url, {**fields, "phone": "12345", "note": "Số mới"})
    assert bad.status_code == 422 and "10 chữ số" in bad.get_data(as_text=True)
    assert auth.post(url, {**fields, "phone": "0905 111 222", "note": "Đổi số điện thoại"}).status_code == 302
    db.session.rollback()
    change = db.session.scalar(sa.select(RegisterChange))
    assert change.proposed == {"phone": "0905111222"}
    _switch(auth, "chihuy")
    assert auth.post(f"/register/changes/{change.id}/accept").status_code == 302
    db.session.rollback()
    assert db.session.get(Household, household.id).phone == "0905111222"


def test_a_duplicate_is_merged_once_the_commander_confirms(client, auth, db_session):
    first, second = households_of("T05")[2:4]
    auth.login(HEAD_T05)
    form = client.get(f"/households/{first.id}/report/duplicate").get_data(as_text=True)
    assert f'value="{second.id}"' in form and f'value="{first.id}"' not in form
    assert auth.post(f"/households/{first.id}/report/duplicate",
                     {"other": str(second.id), "note": "Cùng một nhà, ghi hai lần"}).status_code == 302
    _switch(auth, "chihuy")
    change_id = _change_id(client)
    asked = auth.post(f"/register/changes/{change_id}/accept", {"comment": "ok"})
    assert asked.status_code == 200 and "data-confirm" in asked.get_data(as_text=True)
    assert auth.post(f"/register/changes/{change_id}/accept", {"comment": "ok", "confirmed": "1"}).status_code == 302
    db.session.rollback()
    merged = db.session.get(Household, first.id)
    assert merged.status == "merged" and merged.merged_into_id == second.id


def test_a_new_household_and_a_rejection_with_its_reason(client, auth, db_session):
    t05 = village("T05")
    auth.login(HEAD_T05)
    new = {"head_name": "Đinh Thị Lụa", "code": "301", "address": "Số 301, ngõ 2", "phone": "",
           "members": "3", "youth": "1", "note": "Mới dọn về tháng 10"}
    assert auth.post(f"/villages/{t05.id}/report-new", new).status_code == 302
    assert auth.post(f"/villages/{t05.id}/report-new", {**new, "head_name": "Lê Văn Sáu", "note": "Nhà mới"}).status_code == 302
    _switch(auth, "chihuy")
    first, second = [int(i) for i in re.findall(r'data-change-id="(\d+)"', client.get("/register/changes").get_data(as_text=True))]
    assert auth.post(f"/register/changes/{first}/accept").status_code == 302
    refused = auth.post(f"/register/changes/{second}/reject", {"comment": ""})
    assert refused.status_code == 422 and "lý do" in refused.get_data(as_text=True)
    assert auth.post(f"/register/changes/{second}/reject", {"comment": "Đã có trong sổ: số 12"}).status_code == 302
    db.session.rollback()
    added = db.session.scalar(sa.select(Household).where(Household.head_name == "Đinh Thị Lụa"))
    assert added.village_id == t05.id and (added.members, added.youth, added.code) == (3, 1, "301")
    assert db.session.get(RegisterChange, first).result_household_id == added.id
    assert db.session.scalar(sa.select(Household).where(Household.head_name == "Lê Văn Sáu")) is None
    _switch(auth, HEAD_T05)
    page = client.get(f"/coverage/villages/{t05.id}").get_data(as_text=True)
    assert "Đã có trong sổ: số 12" in page and f'data-change-id="{second}" data-status="rejected"' in page


def test_the_review_stamp_takes_a_comment(client, auth, db_session):
    t05 = village("T05")
    auth.login(HEAD_T05)
    assert auth.post(f"/coverage/villages/{t05.id}/review", {"note": "x" * 501}).status_code == 422
    assert auth.post(f"/coverage/villages/{t05.id}/review", {"note": "Ngõ 3 còn 4 hộ đi làm xa."}).status_code == 302
    page = client.get(f"/coverage/villages/{t05.id}").get_data(as_text=True)
    assert "“Ngõ 3 còn 4 hộ đi làm xa.”" in page
    db.session.rollback()
    assert db.session.scalar(sa.select(VillageReview.note)) == "Ngõ 3 còn 4 hộ đi làm xa."
