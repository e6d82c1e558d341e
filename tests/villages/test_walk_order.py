"""Walking order: alleys then house numbers in natural order, or the village's own route,
set by dragging (the route page) or by the import's `route` column; refused whole when it
names a household of another village or one twice."""
from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.households.services import add_household
from fieldapp.models import AuditEvent, Household, Village
from tests.helpers import households_of, user, village
from tests.register.files import GOOD, HEADER, csv_file

ROW = re.compile(r'<li id="h-[^"]+" data-household-id="([0-9a-f-]{36})"')


def _add(code: str, address: str, name: str) -> Household:
    household = add_household(village("T06"), {"head_name": name, "code": code, "address": address,
                                               "members": 2, "youth": 0}, user("cskv2"))
    db.session.commit()
    return household


def _names(html: str, ids: dict) -> list[str]:
    return [ids[i] for i in ROW.findall(html) if i in ids]


def test_alleys_then_house_numbers_in_natural_order(client, auth, db_session):
    made = [_add("10", "Số 10, ngõ 2", "Ma Văn Mười"), _add("2", "Số 2, ngõ 2", "Ma Văn Hai"),
            _add("9", "Số 9, ngõ 1", "Ma Văn Chín"), _add("1", "Số 1", "Ma Văn Một")]
    ids = {str(h.id): h.head_name for h in made}
    auth.login("cskv2")
    html = client.get(f"/villages/{village('T06').id}?q=ma van").get_data(as_text=True)
    # ngõ 1 before ngõ 2, "Số 2" before "Số 10", the main road (no alley) last
    assert _names(html, ids) == ["Ma Văn Chín", "Ma Văn Hai", "Ma Văn Mười", "Ma Văn Một"]


def test_the_commander_drags_a_route_and_every_list_follows_it(client, auth, db_session):
    t07 = village("T07")
    homes = households_of("T07")
    order = [str(h.id) for h in reversed(homes)]
    auth.login("chihuy")
    page = client.get(f"/villages/{t07.id}/route").get_data(as_text=True)
    assert page.count('name="order"') == len(homes) and "Sortable.min.js" in page
    answer = auth.post(f"/villages/{t07.id}/route", {"order": order})
    assert answer.status_code == 302
    assert ROW.findall(client.get(f"/villages/{t07.id}").get_data(as_text=True)) == order
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("antt7")
    assert ROW.findall(client.get(f"/villages/{t07.id}").get_data(as_text=True)) == order
    pack = client.get("/api/me/pack").get_json()
    assert [h["id"] for h in pack["villages"][0]["households"]] == order
    assert [h["route"] for h in pack["villages"][0]["households"]] == list(range(1, len(order) + 1))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "village_route")) == 1


def test_a_new_household_follows_the_route_and_clearing_goes_back_to_alleys(client, auth, db_session):
    order = [str(h.id) for h in reversed(households_of("T07"))]
    auth.login("truongthon7")  # the village head sets it too
    assert auth.post(f"/villages/{village('T07').id}/route", {"order": order}).status_code == 302
    db.session.rollback()  # the test's read snapshot predates the request's write
    t07 = village("T07")
    late = add_household(t07, {"head_name": "Hà Văn Mới", "code": "0", "address": "Số 0, ngõ 1",
                               "members": 1, "youth": 0}, user("antt7"))
    db.session.commit()
    listed = re.findall(r'<li data-household-id="([0-9a-f-]{36})"',
                        client.get(f"/coverage/villages/{t07.id}").get_data(as_text=True))
    assert listed[:len(order)] == order and listed[-1] == str(late.id)
    assert auth.post(f"/villages/{t07.id}/route", {"clear": "1"}).status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Household.id)).where(
        Household.village_id == t07.id, Household.route.is_not(None))) == 0


def test_a_route_naming_a_stranger_or_a_household_twice_is_refused_whole(client, auth, db_session):
    t07, outsider = village("T07"), households_of("T08")[0]
    mine = [str(h.id) for h in households_of("T07")]
    auth.login("chihuy")
    for order, reason in (([*mine, str(outsider.id)], "không thuộc thôn này"),
                          ([mine[0], *mine], "xuất hiện hai lần"),
                          ([*mine[1:], "not-an-id"], "không phải một hộ của thôn này")):
        answer = auth.post(f"/villages/{t07.id}/route", {"order": order})
        assert answer.status_code == 400 and reason in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Household.id)).where(Household.route.is_not(None))) == 0


def test_officers_cannot_set_a_route_and_nobody_outside_the_area(client, auth, db_session):
    auth.login("cskv1")
    assert client.get(f"/villages/{village('T01').id}/route").status_code == 403
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("truongthon7")
    assert client.get(f"/villages/{village('T08').id}/route").status_code == 404


def test_the_import_sets_routes_and_refuses_a_place_twice(runner, db_session, tmp_path):
    rows = [row + [str(n)] for n, row in enumerate(GOOD, 1)]
    result = runner.invoke(args=["import-households", str(csv_file(tmp_path / "r.csv", rows, HEADER + ["route"]))])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    routes = dict(db.session.execute(sa.select(Household.code, Household.route).join(Village)
                                     .where(Village.code == "T01", Household.code.in_(("N1", "N2")))).all())
    assert routes == {"N1": 1, "N2": 2}
    twice = [GOOD[0] + ["4"], GOOD[1] + ["4"], GOOD[2] + ["x"]]
    bad = runner.invoke(args=["import-households", str(csv_file(tmp_path / "b.csv", twice, HEADER + ["route"]))])
    assert bad.exit_code != 0
    assert "dòng 3" in bad.output.lower() and "route" in bad.output and "đã có ở dòng 2" in bad.output
    assert "số nguyên từ 1" in bad.output
    db.session.rollback()
    assert db.session.scalar(sa.select(Household.route).join(Village).where(Village.code == "T01",
                                                                             Household.code == "N1")) == 1
    # a file without the column leaves the routes as they are
    assert runner.invoke(args=["import-households", str(csv_file(tmp_path / "n.csv", GOOD))]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(sa.select(Household.route).join(Village).where(Village.code == "T01",
                                                                             Household.code == "N1")) == 1
    assert uuid  # imported for the ids above
