"""The village page: statuses, diacritic-free search, filters, youth first, htmx fragments."""
from __future__ import annotations

import re

from tests.helpers import households_of, village

ROW = re.compile(r'data-household-id="([0-9a-f-]{36})"')


def test_every_household_is_listed_with_its_id_and_quick_actions(client, auth, db_session):
    t01 = village("T01")
    ids = {str(h.id) for h in households_of("T01")}
    auth.login("cskv1")
    html = client.get(f"/villages/{t01.id}").get_data(as_text=True)
    assert set(ROW.findall(html)) == ids
    assert ">Đã cảnh báo</button>" in html and ">Vắng nhà</button>" in html


def test_search_ignores_diacritics_and_maps_d(client, auth, db_session):
    t01 = village("T01")
    target = households_of("T01")[0]
    auth.login("cskv1")
    from fieldapp.text import fold

    plain = fold(target.head_name)
    html = client.get(f"/villages/{t01.id}", query_string={"q": plain}).get_data(as_text=True)
    assert str(target.id) in ROW.findall(html)
    for household_id in ROW.findall(html):
        household = next(h for h in households_of("T01") if str(h.id) == household_id)
        assert all(w in household.search_key for w in plain.split())


def test_search_d_stroke(client, auth, db_session, app):
    from fieldapp.households.services import add_household
    from tests.helpers import user

    add_household(village("T01"), {"head_name": "Đặng Văn Đức", "members": 3, "youth": 1}, user("cskv1"))
    db_session.commit()
    auth.login("cskv1")
    html = client.get(f"/villages/{village('T01').id}?q=dang van duc").get_data(as_text=True)
    assert "Đặng Văn Đức" in html


def test_status_filter_lists_only_that_status(client, auth, db_session):
    auth.login("cskv1")
    html = client.get(f"/villages/{village('T01').id}?status=not_visited").get_data(as_text=True)
    rows = re.findall(r'<li id="h-[^"]+" data-household-id="[^"]+" class="st-(\w+)"', html)
    assert rows and set(rows) == {"not_visited"}


def test_households_come_in_walking_order_with_youths_badged(client, auth, db_session):
    from fieldapp.coverage.walk import walk_key

    homes = households_of("T02")
    auth.login("cskv1")
    html = client.get(f"/villages/{village('T02').id}").get_data(as_text=True)
    assert ROW.findall(html) == [str(h.id) for h in sorted(homes, key=walk_key)]
    assert html.count('class="yb"') == sum(1 for h in homes if h.youth)


def test_htmx_search_returns_only_the_list_fragment(client, auth, db_session):
    auth.login("cskv1")
    response = client.get(f"/villages/{village('T01').id}?q=a", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'class="hh"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_unknown_status_filter_is_ignored_not_an_error(client, auth, db_session):
    auth.login("cskv1")
    assert client.get(f"/villages/{village('T01').id}?status=bogus&q=%00").status_code == 200


def test_my_villages_show_progress(client, auth):
    auth.login("cskv1")
    html = client.get("/villages/").get_data(as_text=True)
    assert html.count('role="progressbar"') == 5
