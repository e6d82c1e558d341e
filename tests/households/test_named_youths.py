"""Young people (12–24) named in the register: only a full name and a year of birth, within
the household's count of youths, audited, in the household's data, gone with the purge."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, HouseholdMember
from fieldapp.timeutil import today_vn
from tests.helpers import households_of


def test_commander_names_and_removes_a_young_person(client, auth, db_session):
    household = households_of("T11")[0]
    household.youth, household.members = 1, max(2, household.members)
    db.session.execute(sa.delete(HouseholdMember).where(HouseholdMember.household_id == household.id))
    db.session.commit()
    year = today_vn().year
    url = f"/register/households/{household.id}/youths"
    auth.login("chihuy")
    assert "Người từ 12 đến 24 tuổi (ghi tên)" in client.get(f"/register/households/{household.id}/edit").get_data(as_text=True)
    too_old = auth.post(url, {"full_name": "Phạm Văn Tài", "birth_year": str(year - 30)})
    assert too_old.status_code == 422 and f"sinh từ năm {year - 24} đến năm {year - 12}" in too_old.get_data(as_text=True)
    assert auth.post(url, {"full_name": "An1", "birth_year": str(year - 15)}).status_code == 422
    saved = auth.post(url, {"full_name": "  phạm   Thị Mai ", "birth_year": str(year - 15)})
    assert saved.status_code == 302
    one_more = auth.post(url, {"full_name": "Phạm Văn Tài", "birth_year": str(year - 20)})
    assert one_more.status_code == 422 and "tăng số này" in one_more.get_data(as_text=True)
    db.session.rollback()
    [member] = db.session.scalars(sa.select(HouseholdMember).where(HouseholdMember.household_id == household.id))
    assert member.full_name == "phạm Thị Mai" and member.search_key == "pham thi mai"
    body = client.get(f"/households/{household.id}/data.json").get_json()
    assert body["household"]["named_youths"] == [{"full_name": "phạm Thị Mai", "birth_year": year - 15}]
    member_id, other = member.id, households_of("T12")[0]
    assert auth.post(f"/register/households/{other.id}/youths/{member.id}/remove").status_code == 404
    assert auth.post(f"/register/households/{household.id}/youths/{member.id}/remove").status_code == 302
    db.session.rollback()
    assert db.session.get(HouseholdMember, member_id) is None
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(household.id))).all()
    assert "youth_named" in actions and "youth_unnamed" in actions


def test_only_the_register_names_young_people(client, auth, db_session):
    household = households_of("T01")[0]
    auth.login("cskv1")
    response = auth.post(f"/register/households/{household.id}/youths", {"full_name": "Lê Văn Hậu", "birth_year": "2010"})
    assert response.status_code == 403
