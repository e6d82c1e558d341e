"""Recording visits: one tap, undo, the full form, validation; adding households."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.models import Household, Visit
from tests.helpers import households_of, unvisited_household, user, village, visits_of

HX = {"HX-Request": "true"}


def test_one_tap_records_the_standard_visit(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    response = auth.post(f"/households/{household.id}/quick",
                         {"outcome": "warned", "lat": "15.1", "lon": "108.8", "accuracy_m": "9"},
                         headers=HX)
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert f'data-household-id="{household.id}"' in row and "st-warned" in row and "Hoàn tác" in row
    [visit] = visits_of(household.id)
    assert visit.outcome == "warned" and visit.user.username == "cskv1"
    assert len(visit.topics) == 12 and visit.materials == ["leaflet"]
    assert (visit.lat, visit.lon, visit.accuracy_m) == (15.1, 108.8, 9)
    assert visit.received_at and visit.recorded_offset_min == visit.recorded_offset_min


def test_nobody_home_is_one_tap_too_and_makes_a_revisit(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("antt1")
    response = auth.post(f"/households/{household.id}/quick", {"outcome": "nobody_home"}, headers=HX)
    assert "st-revisit" in response.get_data(as_text=True)
    [visit] = visits_of(household.id)
    assert visit.outcome == "nobody_home" and visit.topics == [] and visit.materials == []


def test_plain_form_post_without_javascript_goes_back_to_the_next_house(client, auth, db_session):
    from fieldapp.coverage.walk import walk_key

    household = unvisited_household("T02")
    auth.login("cskv1")
    response = auth.post(f"/households/{household.id}/quick", {"outcome": "warned"})
    assert response.status_code == 302
    db_session.rollback()
    order = sorted(households_of("T02"), key=walk_key)
    visited = {v.household_id for h in order for v in visits_of(h.id) if v.in_force}
    at = [h.id for h in order].index(household.id)
    ring = order[at + 1:] + order[:at]
    expected = next(h for h in ring if h.id not in visited)
    assert response.headers["Location"] == f"/villages/{village('T02').id}#h-{expected.id}"
    assert len(visits_of(household.id)) == 1


def test_undo_withdraws_the_visit_but_keeps_it(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    auth.post(f"/households/{household.id}/quick", {"outcome": "warned"}, headers=HX)
    [visit] = visits_of(household.id)
    response = auth.post(f"/households/visits/{visit.id}/undo", headers=HX)
    assert response.status_code == 200 and "st-not_visited" in response.get_data(as_text=True)
    [kept] = visits_of(household.id)
    assert kept.replaced_reason == "withdrawn" and not kept.in_force


def test_only_the_author_may_undo(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    auth.post(f"/households/{household.id}/quick", {"outcome": "warned"}, headers=HX)
    [visit] = visits_of(household.id)
    auth.post("/logout")
    auth.login("antt1")
    assert auth.post(f"/households/visits/{visit.id}/undo").status_code == 409
    assert visits_of(household.id)[0].in_force


def test_bad_quick_outcome_is_400_and_writes_nothing(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    assert auth.post(f"/households/{household.id}/quick", {"outcome": "maybe"}).status_code == 400
    assert visits_of(household.id) == []


def test_full_form_records_details_and_companions(client, auth, db_session):
    household = unvisited_household("T03")
    auth.login("cskv1")
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert 'value="antt3"' in page  # the village's team member is offered as companion
    response = auth.post(f"/households/{household.id}/visits", {
        "outcome": "warned", "topics": ["tu_co_lap", "link_la_otp"], "materials": ["handbook"],
        "people_reached": "3", "youth_reached": "1", "commitment_signed": "y",
        "companions": ["antt3"], "note": "Gia đình có con học lớp 10",
    })
    assert response.status_code == 302
    [visit] = visits_of(household.id)
    assert sorted(visit.topics) == ["link_la_otp", "tu_co_lap"] and visit.materials == ["handbook"]
    assert (visit.people_reached, visit.youth_reached, visit.commitment_signed) == (3, 1, True)
    assert [u.username for u in visit.companions] == ["antt3"]
    history = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Gia đình có con học lớp 10" in history


def test_full_form_errors_are_vietnamese_beside_the_field_and_nothing_is_written(client, auth, db_session):
    household = unvisited_household("T03")
    auth.login("cskv1")
    response = auth.post(f"/households/{household.id}/visits", {
        "outcome": "warned", "topics": [], "people_reached": "2", "youth_reached": "5",
        "companions": ["antt9"],
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Đánh dấu ít nhất một nội dung" in html
    assert "Số thanh thiếu niên không được lớn hơn số người" in html
    assert "Lựa chọn không hợp lệ" in html
    assert visits_of(household.id) == []


def test_missing_outcome_and_bad_numbers(client, auth, db_session):
    household = unvisited_household("T03")
    auth.login("cskv1")
    html = auth.post(f"/households/{household.id}/visits",
                     {"people_reached": "abc", "lat": "15.1"}).get_data(as_text=True)
    assert "Chọn kết quả" in html
    assert "Vĩ độ và kinh độ phải có cả hai" in html
    assert visits_of(household.id) == []


def test_add_household_found_in_the_field(client, auth, db_session):
    t04 = village("T04")
    auth.login("cskv1")
    response = auth.post(f"/households/new?village={t04.id}", {
        "head_name": "  Nguyễn   Thị Hoa ", "code": "99A", "address": "Số 99A, ngõ 5",
        "phone": "+84 905 123 456", "members": "4", "youth": "2", "lat": "15.1", "lon": "108.81",
    })
    assert response.status_code == 302
    db_session.rollback()
    household = db_session.scalar(sa.select(Household).where(Household.code == "99A"))
    assert household.head_name == "Nguyễn Thị Hoa" and household.phone == "0905123456"
    assert household.source == "field" and household.created_by_id == user("cskv1").id


def test_add_household_rejects_bad_input_with_messages(client, auth, db_session):
    t04 = village("T04")
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Household))
    auth.login("cskv1")
    response = auth.post(f"/households/new?village={t04.id}", {
        "head_name": "", "phone": "12345", "members": "2", "youth": "3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    db_session.rollback()
    assert "Nhập họ và tên chủ hộ" in html
    assert "Số điện thoại phải có 10 chữ số" in html
    assert "Số người 12–24 tuổi (3) không được nhiều hơn số nhân khẩu (2)" in html  # the rule of the import too
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Household)) == before


def test_members_out_of_range(client, auth, db_session):
    auth.login("cskv1")
    html = auth.post(f"/households/new?village={village('T04').id}", {
        "head_name": "Lê Văn Tám", "members": "0", "youth": "0"}).get_data(as_text=True)
    assert "Nhập số từ 1 đến 99" in html


def test_visit_history_shows_who_and_when(client, auth, db_session):
    visited = db_session.scalar(sa.select(Visit).where(Visit.outcome == "warned"))
    auth.login("chihuy")
    html = client.get(f"/households/{visited.household_id}").get_data(as_text=True)
    assert visited.user.display_name in html
    assert visited.recorded_at.strftime("%Y") in html


def test_htmx_posts_need_the_csrf_header_or_field(client, auth, db_session):
    household = unvisited_household("T05")
    auth.login("cskv1")
    bare = client.post(f"/households/{household.id}/quick", data={"outcome": "warned"}, headers=HX)
    assert bare.status_code == 403
    with_header = client.post(f"/households/{household.id}/quick", data={"outcome": "warned"},
                              headers={**HX, "X-CSRFToken": auth.token()})
    assert with_header.status_code == 200
    assert len(visits_of(household.id)) == 1
