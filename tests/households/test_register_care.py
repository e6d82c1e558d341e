"""Register care: likely duplicates side by side, "not duplicates" for good, a merge an admin
can undo within 30 days (the household and its visits back as they were), refused with the
reason after 30 days or when merged again since."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.households import services
from fieldapp.models import AuditEvent, Household, HouseholdMember, HouseholdMerge, Incident, User, Visit
from fieldapp.timeutil import today_vn
from tests.accountability.visits import add_visit
from tests.helpers import households_of, visits_of
from tests.province.summaries import assert_summaries_match_a_recount


def _twins(code: str) -> tuple[Household, Household]:
    a, b = households_of(code)[:2]
    b.head_name, b.phone = a.head_name, "0912345678"
    a.phone, a.lat, a.lon, b.lat, b.lon = "0912345678", 15.1, 108.8, 15.1 + 0.00005, 108.8
    db.session.commit()
    return a, b


def _merge(duplicate: Household, survivor: Household, username: str = "chihuy") -> HouseholdMerge:
    services.merge(duplicate, survivor, db.session.scalar(sa.select(User).where(User.username == username)))
    db.session.commit()
    return db.session.scalar(sa.select(HouseholdMerge).where(HouseholdMerge.duplicate_id == duplicate.id))


def test_pairs_side_by_side_and_dismissed_for_good(client, auth, db_session):
    a, b = _twins("T13")
    add_visit(a, "antt13", "nobody_home", f"{today_vn():%Y-%m-%d} 00:05")  # after the demo's visits
    auth.login("chihuy")
    url = f"/register/duplicates?village={a.village_id}"
    html = client.get(url).get_data(as_text=True)
    pair = html.split(f'data-pair="{a.id} {b.id}"')[1].split("</li>")[0]
    assert "Trùng họ tên" in pair and "cách nhau 6 m" in pair and pair.count("0912345678") == 2
    assert f"{today_vn():%d/%m/%Y}, vắng nhà" in pair and "Không phải trùng" in pair
    response = auth.post("/register/duplicates/dismiss", {"a": str(b.id), "b": str(a.id), "next": url})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert str(a.id) not in client.get(url).get_data(as_text=True)
    assert auth.post("/register/duplicates/dismiss", {"a": str(a.id), "b": "nope"}).status_code == 404
    db.session.rollback()
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "duplicates_dismiss"))
    assert event.username == "chihuy"


def test_admin_undoes_a_merge_and_everything_comes_back(client, auth, db_session):
    duplicate, survivor = _twins("T14")
    mine = [v.id for v in visits_of(duplicate.id)] + [add_visit(duplicate, "antt14", "warned", "2025-11-05 10:00").id]
    theirs = [v.id for v in visits_of(survivor.id)] + [add_visit(survivor, "antt14", "nobody_home", "2025-11-06 10:00").id]
    db.session.add(HouseholdMember(household_id=duplicate.id, full_name="Võ Thị Hoa", birth_year=2010))
    db.session.add(Incident(household_id=duplicate.id, occurred_on=date(2025, 11, 20), kind="scam",
                            created_by_id=db.session.scalar(sa.select(User.id).where(User.username == "chihuy"))))
    db.session.commit()
    status_before = duplicate.status
    auth.login("chihuy")
    merged = auth.post(f"/register/households/{duplicate.id}/merge", {"into": str(survivor.id), "confirmed": "1"})
    assert merged.status_code == 302
    db.session.rollback()
    assert {v.id for v in visits_of(survivor.id)} == {*mine, *theirs}
    assert_summaries_match_a_recount()  # the province's figures follow the visits moved in bulk
    [merge] = db.session.scalars(sa.select(HouseholdMerge))
    assert client.get("/register/merges").status_code == 200
    assert auth.post(f"/register/merges/{merge.id}/undo", {"confirmed": "1"}).status_code == 403  # admins only
    auth.post("/logout")
    auth.login("quantri")
    page = client.get("/register/merges").get_data(as_text=True)
    assert f'data-merge-id="{merge.id}" data-undoable="yes"' in page and "Huỷ việc gộp" in page
    assert f"/register/merges/{merge.id}/undo" in client.get(f"/households/{duplicate.id}").get_data(as_text=True)
    asked = auth.post(f"/register/merges/{merge.id}/undo")  # the confirmation page, nothing done
    assert asked.status_code == 200 and "data-confirm" in asked.get_data(as_text=True)
    assert db.session.get(Household, duplicate.id).status == "merged"
    undone = auth.post(f"/register/merges/{merge.id}/undo", {"confirmed": "1"})
    assert undone.status_code == 302 and str(duplicate.id) in undone.headers["Location"]
    db.session.rollback()
    back = db.session.get(Household, duplicate.id)
    assert back.status == status_before and back.merged_into_id is None
    assert {v.id for v in visits_of(duplicate.id)} == set(mine) and {v.id for v in visits_of(survivor.id)} == set(theirs)
    assert [m.full_name for m in back.named_youths if m.full_name == "Võ Thị Hoa"] == ["Võ Thị Hoa"]
    assert db.session.scalar(sa.select(Incident.household_id)) == duplicate.id
    assert_summaries_match_a_recount()  # and back again
    again = auth.post(f"/register/merges/{merge.id}/undo", {"confirmed": "1"})
    assert again.status_code == 409 and "đã được huỷ trước đó" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEvent.username).where(AuditEvent.action == "household_unmerge")) == "quantri"


def test_undo_refused_after_30_days_with_the_reason(client, auth, db_session):
    duplicate, survivor = _twins("T15")
    merge = _merge(duplicate, survivor)
    merge.merged_at -= timedelta(days=31)
    db.session.commit()
    auth.login("quantri")
    response = auth.post(f"/register/merges/{merge.id}/undo", {"confirmed": "1"})
    assert response.status_code == 409
    assert "quá 30 ngày: chỉ huỷ được việc gộp trong vòng 30 ngày" in response.get_data(as_text=True)
    page = client.get(f"/households/{duplicate.id}").get_data(as_text=True)
    assert "quá 30 ngày" in page and f"/register/merges/{merge.id}/undo" not in page
    db.session.rollback()
    assert db.session.get(Household, duplicate.id).status == "merged"


def test_undo_refused_when_merged_again_since(client, auth, db_session):
    first, second = _twins("T16")
    third = households_of("T16")[2]
    merge = _merge(first, second)
    _merge(second, third)
    auth.login("quantri")
    page = client.get("/register/merges").get_data(as_text=True)
    assert f'data-merge-id="{merge.id}" data-undoable="no"' in page
    response = auth.post(f"/register/merges/{merge.id}/undo", {"confirmed": "1"})
    assert response.status_code == 409 and "đã bị gộp vào hộ khác" in response.get_data(as_text=True)
    assert auth.post("/register/merges/99999/undo", {"confirmed": "1"}).status_code == 404
