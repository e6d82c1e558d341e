"""Households over time: edit (audited), moved, merge with visits moving, likely duplicates."""
from __future__ import annotations

import re

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent, Household
from tests.helpers import households_of, visits_of


def _fresh(household_id):
    db.session.rollback()
    return db.session.get(Household, household_id)


def test_edit_validates_and_audits(client, auth, db_session):
    household = households_of("T01")[0]
    other = households_of("T01")[1]
    auth.login("chihuy")
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert f"/register/households/{household.id}/edit" in page
    data = {"head_name": "Nguyễn Văn Sửa", "code": household.code, "address": "Số 9", "phone": "0912 345 678",
            "members": "5", "youth": "6"}
    bad = auth.post(f"/register/households/{household.id}/edit", data)
    assert bad.status_code == 422 and _fresh(household.id).members != 5
    far = auth.post(f"/register/households/{household.id}/edit", {**data, "youth": "1", "lat": "48.8", "lon": "2.3"})
    assert far.status_code == 422 and "ngoài Việt Nam" in far.get_data(as_text=True)
    taken = auth.post(f"/register/households/{household.id}/edit", {**data, "youth": "1", "code": other.code})
    assert taken.status_code == 422
    ok = auth.post(f"/register/households/{household.id}/edit", {**data, "youth": "1"})
    assert ok.status_code == 302
    edited = _fresh(household.id)
    assert (edited.head_name, edited.phone, edited.members) == ("Nguyễn Văn Sửa", "0912345678", 5)
    assert "nguyen van sua" in edited.search_key
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "household_update"))
    assert event.username == "chihuy" and "head_name" in event.detail["fields"]


def test_mark_moved_and_back(auth, db_session):
    household = households_of("T02")[0]
    auth.login("chihuy")
    auth.post(f"/register/households/{household.id}/status", {"status": "moved"})
    assert _fresh(household.id).status == "moved"
    auth.post(f"/register/households/{household.id}/status", {"status": "active"})
    assert _fresh(household.id).status == "active"
    assert auth.post(f"/register/households/{household.id}/status", {"status": "merged"}).status_code == 400


def test_merge_moves_visits_and_keeps_a_pointer(auth, db_session):
    rows = households_of("T03")
    duplicate = next(h for h in rows if visits_of(h.id))
    survivor = next(h for h in rows if h.id != duplicate.id)
    moved = len(visits_of(duplicate.id))
    before = len(visits_of(survivor.id))
    auth.login("chihuy")
    response = auth.post(f"/register/households/{duplicate.id}/merge", {"into": str(survivor.id), "confirmed": "1"})
    assert response.status_code == 302 and str(survivor.id) in response.headers["Location"]
    gone = _fresh(duplicate.id)
    assert gone.status == "merged" and gone.merged_into_id == survivor.id
    assert len(visits_of(survivor.id)) == before + moved and visits_of(duplicate.id) == []
    again = auth.post(f"/register/households/{duplicate.id}/merge", {"into": str(survivor.id), "confirmed": "1"})
    assert again.status_code == 400


def test_merge_without_javascript_asks_on_a_page_first(client, auth, db_session):
    """A plain form post (htmx off) gets a confirmation page and changes nothing; the page's
    own form, posted, merges; its other way out goes back to the household."""
    duplicate, survivor = households_of("T06")[:2]
    auth.login("chihuy")
    asked = auth.post(f"/register/households/{duplicate.id}/merge", {"into": str(survivor.id)})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "data-confirm" in html and survivor.head_name in html
    assert _fresh(duplicate.id).status == "active"
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html.split("data-confirm")[1], re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    assert form.group(1) == f"/register/households/{duplicate.id}/merge"
    assert fields["into"] == str(survivor.id) and fields["confirmed"] == "1"
    assert f'href="/households/{duplicate.id}"' in html  # cancel: back, nothing written
    done = client.post(form.group(1), data=fields)
    assert done.status_code == 302 and _fresh(duplicate.id).merged_into_id == survivor.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "household_merge")) == 1


def test_officers_may_not_and_other_areas_are_404(client, auth, db_session):
    mine, theirs = households_of("T01")[0], households_of("T10")[0]
    auth.login("cskv1")
    assert "/register/households/" not in client.get(f"/households/{mine.id}").get_data(as_text=True)
    assert auth.post(f"/register/households/{mine.id}/status", {"status": "moved"}).status_code == 403
    assert client.get("/register/duplicates").status_code == 403
    assert client.get(f"/register/households/{theirs.id}/edit").status_code == 403


def test_unknown_households_are_404(client, auth, db_session):
    mine = households_of("T01")[0]
    auth.login("chihuy")
    assert auth.post(f"/register/households/{mine.id}/merge", {"into": "not-a-uuid"}).status_code == 404
    assert client.get("/register/households/00000000-0000-0000-0000-000000000000/edit").status_code == 404


def test_likely_duplicates_by_folded_name_and_distance(client, auth, db_session):
    a, b, c, d = households_of("T04")[:4]
    b.head_name = a.head_name.upper().replace("Ễ", "E")
    c.lat, c.lon = 15.2, 108.9
    d.lat, d.lon = 15.2 + 0.00008, 108.9  # about 9 m north
    d.head_name = c.head_name + "h"  # a letter too many: the same name typed again
    db.session.commit()
    auth.login("chihuy")
    village_id = a.village_id
    html = client.get(f"/register/duplicates?village={village_id}").get_data(as_text=True)
    assert f'data-pair="{a.id} {b.id}"' in html or f'data-pair="{b.id} {a.id}"' in html
    assert f'data-pair="{c.id} {d.id}"' in html or f'data-pair="{d.id} {c.id}"' in html
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "duplicates_view")).username == "chihuy"
    d = db.session.get(Household, d.id)
    d.lat = 15.2 + 0.0003  # about 33 m
    db.session.commit()
    html = client.get(f"/register/duplicates?village={village_id}").get_data(as_text=True)
    assert str(d.id) not in html


def _same_names(codes) -> None:
    """In each village, give the second household the first one's name: a likely pair."""
    for code in codes:
        first, second = households_of(code)[:2]
        second.head_name = first.head_name
    db.session.commit()


def test_duplicates_page_runs_a_fixed_number_of_queries(client, auth, db_session, count_queries):
    """The audit event is written after the page is drawn, so no row is read twice (it was
    62 statements for 10 pairs). Nine, whatever the pairs: the session, the villages, the
    count, the households, the pairs dismissed for good, the shown pairs' visit histories (one
    query), then the audit event in its own short write (the user read again after each of
    `writing()`'s commits, and the insert)."""
    auth.login("chihuy")
    _same_names(["T01", "T02", "T03"])
    client.get("/register/duplicates")
    with count_queries() as before:
        few = client.get("/register/duplicates").get_data(as_text=True)
    _same_names([f"T{n:02d}" for n in range(4, 25)])
    with count_queries() as after:
        many = client.get("/register/duplicates").get_data(as_text=True)
    assert few.count("data-pair=") < many.count("data-pair=") == 10
    assert after[0] == before[0] <= 9, (before, after)
