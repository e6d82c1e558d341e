"""Each role sees its area and nothing else; outside the area is 404."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp.models import Assignment
from fieldapp.timeutil import today_vn
from tests.helpers import households_of, user, village


def village_codes(html: str) -> set[str]:
    return set(re.findall(r"<b>(T\d\d)</b>", html))


@pytest.mark.parametrize("username, expected", [
    ("cskv1", {"T01", "T02", "T03", "T04", "T05"}),
    ("cskv6", {f"T{i:02d}" for i in range(26, 32)}),
    ("antt7", {"T07"}),
    ("truongthon12", {"T12"}),
    ("chihuy", {f"T{i:02d}" for i in range(1, 32)}),
    ("quantri", {f"T{i:02d}" for i in range(1, 32)}),
])
def test_each_role_sees_exactly_its_villages(client, auth, username, expected):
    auth.login(username)
    assert village_codes(client.get("/villages/").get_data(as_text=True)) == expected


def test_outside_the_area_is_404_for_villages_households_and_writes(client, auth, db_session):
    other_village = village("T06")
    other_household = households_of("T06")[0]
    auth.login("cskv1")
    assert client.get(f"/villages/{other_village.id}").status_code == 404
    assert client.get(f"/households/{other_household.id}").status_code == 404
    assert auth.post(f"/households/{other_household.id}/quick", {"outcome": "warned"}).status_code == 404
    assert auth.post(f"/households/{other_household.id}/visits", {"outcome": "warned"}).status_code == 404
    assert client.get(f"/households/new?village={other_village.id}").status_code == 404
    assert client.get("/households/not-a-uuid").status_code == 404


def test_village_heads_read_but_do_not_record(client, auth, db_session):
    household = households_of("T01")[0]
    auth.login("truongthon1")
    page = client.get(f"/villages/{village('T01').id}").get_data(as_text=True)
    assert "Đã cảnh báo" in page and 'name="outcome"' not in page  # status chips, no buttons
    assert auth.post(f"/households/{household.id}/quick", {"outcome": "warned"}).status_code == 403
    assert client.get(f"/villages/{village('T02').id}").status_code == 404


def test_an_ended_assignment_removes_the_village_from_view_and_pack(client, auth, db_session):
    antt = user("antt2")
    row = db_session.scalar(sa.select(Assignment).where(Assignment.user_id == antt.id))
    row.ends_on = today_vn() - timedelta(days=1)
    db_session.commit()
    auth.login("antt2")
    assert village_codes(client.get("/villages/").get_data(as_text=True)) == set()
    assert client.get(f"/villages/{village('T02').id}").status_code == 404
    assert client.get("/api/me/pack").get_json()["villages"] == []


def test_pack_holds_only_the_callers_villages_and_households(client, auth, db_session):
    expected = {str(h.id) for code in ("T01", "T02", "T03", "T04", "T05") for h in households_of(code)}
    auth.login("cskv1")
    pack = client.get("/api/me/pack").get_json()
    assert [v["code"] for v in pack["villages"]] == ["T01", "T02", "T03", "T04", "T05"]
    got = {h["id"] for v in pack["villages"] for h in v["households"]}
    assert got == expected
    today = today_vn()
    assert pack["campaign"]["starts_on"] == (today - timedelta(days=45)).isoformat()
    assert pack["campaign"]["ends_on"] == (today + timedelta(days=15)).isoformat()
    assert len(pack["campaign"]["topics"]) == 12
    first = pack["villages"][0]["households"][0]
    assert {"id", "code", "head_name", "address", "youth", "status"} <= set(first)
    assert first["status"] in {"not_visited", "revisit", "warned", "excluded"}
