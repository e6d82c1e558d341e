"""Personal data in the offline pack (/api/me/pack): each role gets exactly the villages its
phone needs (officers and team members their assignments, village heads their village;
commanders and admins, who see a whole commune, only the villages they are assigned to
themselves, never the whole commune by default), only the fields the field work needs (no
phones), and every download is in the audit trail."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Commune, Household, Village
from tests.helpers import households_of, user

COMMUNE = {f"T{i:02d}" for i in range(1, 32)}
FIELDS = {"id", "code", "head_name", "address", "youth", "members", "status", "household_status",
          "visit_count", "last_visit_at", "history", "route", "lat", "lon"}


@pytest.fixture
def elsewhere(db_session):
    """A village with one household in another commune."""
    commune = Commune(code="X99", name="Xã Khác")
    db.session.add(commune)
    db.session.flush()
    other = Village(commune_id=commune.id, code="X01", name="Thôn Khác")
    db.session.add(other)
    db.session.flush()
    db.session.add(Household(village_id=other.id, code="1", head_name="Ngô Văn Xa", phone="0905000111",
                             members=2, youth=0))
    db.session.commit()
    return other


@pytest.mark.parametrize("username, expected", [
    ("cskv1", {"T01", "T02", "T03", "T04", "T05"}),
    ("antt7", {"T07"}),
    ("truongthon12", {"T12"}),
    ("chihuy", set()),
    ("quantri", set()),
])
def test_each_role_gets_exactly_its_area(client, auth, elsewhere, username, expected):
    auth.login(username)
    pack = client.get("/api/me/pack").get_json()
    assert {v["code"] for v in pack["villages"]} == expected
    got = {h["id"] for v in pack["villages"] for h in v["households"]}
    want = {str(h.id) for code in expected if code != "X01" for h in households_of(code)}
    if "X01" in expected:
        want |= {str(h.id) for h in db.session.scalars(sa.select(Household).where(Household.village_id == elsewhere.id))}
    assert got == want


def test_a_commander_takes_only_the_villages_assigned_to_him(client, auth, db_session):
    from fieldapp.auth.services import assign
    from fieldapp.timeutil import today_vn
    from tests.helpers import village

    assign(user("chihuy"), village("T05"), today_vn(), by=user("quantri"))
    db.session.commit()
    auth.login("chihuy")
    pack = client.get("/api/me/pack").get_json()
    assert [v["code"] for v in pack["villages"]] == ["T05"]
    assert {h["id"] for h in pack["villages"][0]["households"]} == {str(h.id) for h in households_of("T05")}
    assert client.get("/coverage/").status_code == 200  # the pages still show the whole commune


def test_the_pack_holds_no_phone_and_its_download_is_audited(client, auth, db_session):
    auth.login("truongthon12")
    pack = client.get("/api/me/pack").get_json()
    rows = [h for v in pack["villages"] for h in v["households"]]
    assert rows and all(set(h) == FIELDS for h in rows)
    assert "phone" not in client.get("/api/me/pack").get_data(as_text=True)
    db.session.rollback()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "pack_download")).all()
    assert [e.user_id for e in events] == [user("truongthon12").id] * 2
    assert events[0].detail["households"] == len(rows)


def test_signed_out_the_pack_is_401_json(client):
    response = client.get("/api/me/pack")
    assert response.status_code == 401 and response.is_json
