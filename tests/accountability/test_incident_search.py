"""Finding the victim's household by any detail an officer has: head's name, house number,
address, phone however typed, village, a named young person's name, an age group; and
enough shown to tell two namesakes apart."""
from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household, HouseholdMember
from fieldapp.households import services
from fieldapp.timeutil import today_vn
from tests.helpers import households_of, village


def found_ids(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    return re.findall(r'<li data-household-id="([^"]+)"', response.get_data(as_text=True))


def search(client, **args):
    return client.get("/incidents/new", query_string=args)


def test_by_phone_as_people_type_it(client, auth, db_session):
    household = households_of("T05")[2]
    household.phone = "0905123456"
    db.session.commit()
    auth.login("chihuy")
    for typed in ("0905123456", "0905 123 456", "0905.123.456", "+84 905 123 456", "905 123 456"):
        assert str(household.id) in found_ids(search(client, q=typed)), typed


def test_by_house_number_exact_first_and_by_village(client, auth, db_session):
    t06 = village("T06")
    target = next(h for h in households_of("T06") if h.code == "3")
    auth.login("chihuy")
    ids = found_ids(search(client, q="3", village=t06.id))
    assert ids[0] == str(target.id)  # the house numbered 3 before houses whose address holds a 3
    assert all(h.village_id == t06.id for h in db.session.scalars(
        sa.select(Household).where(Household.id.in_([uuid.UUID(i) for i in ids]))))
    assert str(target.id) in found_ids(search(client, q=target.address.lower()))  # the address


def test_a_young_person_by_name_and_by_age_group(client, auth, db_session):
    year = today_vn().year
    household, other = households_of("T07")[:2]
    household.youth, household.members = 2, max(household.members, 3)
    other.youth = 0
    db.session.execute(sa.delete(HouseholdMember).where(HouseholdMember.household_id.in_([household.id, other.id])))
    services.name_youth(household, "Trần Minh Khoa", year - 16)
    db.session.commit()
    auth.login("chihuy")
    assert found_ids(search(client, q="tran minh khoa"))[0] == str(household.id)  # without diacritics
    page = search(client, q="Khoa", village=household.village_id).get_data(as_text=True)
    assert "<mark>Trần Minh Khoa" in page and f"{16} tuổi" in page
    in_t07 = {"village": household.village_id}
    assert str(household.id) in found_ids(search(client, age="12-17", **in_t07))
    # One of its two youths is not named: they may be of any age from 12 to 24.
    assert str(household.id) in found_ids(search(client, age="18-24", **in_t07))
    assert str(other.id) not in found_ids(search(client, age="12-24", **in_t07))
    # Phone, house number and age group together.
    household.phone = "0987654321"
    db.session.commit()
    assert found_ids(search(client, q="0987 654 321", age="12-24")) == [str(household.id)]


def test_namesakes_are_told_apart(client, auth, db_session):
    first, second = households_of("T08")[0], households_of("T09")[0]
    for h, address, members in ((first, "Số 4, ngõ 2", 5), (second, "Số 17, hẻm 1", 3)):
        h.head_name, h.address, h.members, h.youth = "Lê Thị Bích", address, members, min(h.youth, members)
    db.session.commit()
    auth.login("chihuy")
    response = search(client, q="le thi bich")
    assert {str(first.id), str(second.id)} <= set(found_ids(response))
    cards = {m.group(1): m.group(2) for m in re.finditer(
        r'<li data-household-id="([^"]+)">(.*?)</li>', response.get_data(as_text=True), re.S)}
    assert "T08" in cards[str(first.id)] and "Số 4, ngõ 2" in cards[str(first.id)] and "5 nhân khẩu" in cards[str(first.id)]
    assert "T09" in cards[str(second.id)] and "Số 17, hẻm 1" in cards[str(second.id)]


def test_nothing_to_search_says_so(client, auth, db_session):
    auth.login("chihuy")
    assert client.get("/incidents/new").status_code == 200  # the empty form, no message
    for args, message in (({"q": ""}, "Chưa có gì để tìm"), ({"q": " x "}, "ít nhất 2"),
                          ({"age": "99-120"}, "Lựa chọn không hợp lệ"), ({"village": "abc"}, "Lựa chọn không hợp lệ")):
        response = search(client, **args)
        assert response.status_code == 422 and message in response.get_data(as_text=True), args


def test_merged_households_are_not_offered(client, auth, db_session):
    duplicate, survivor = households_of("T10")[:2]
    duplicate.head_name = survivor.head_name
    services.merge(duplicate, survivor)
    db.session.commit()
    auth.login("chihuy")
    ids = found_ids(search(client, q=survivor.head_name, village=survivor.village_id))
    assert str(survivor.id) in ids and str(duplicate.id) not in ids
