"""Long lists in pages (templates/_pager.html): page 2 shows the next rows, filters stay in the
pager links, and a malformed or out-of-range page answers 400/404 with a message."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from fieldapp.extensions import db
from fieldapp.models import Incident, User, Village
from tests.helpers import households_of, user, village


def _marks(html: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]+)"', html)


def _bad_pages(client, url: str, last: int) -> None:
    joiner = "&" if "?" in url else "?"
    for raw in ("abc", "0", "-1", "1.5", "9999999999"):
        response = client.get(f"{url}{joiner}page={raw}")
        assert response.status_code == 400, (url, raw)
        assert "Số trang phải là số nguyên" in response.get_data(as_text=True)
    response = client.get(f"{url}{joiner}page={last + 1}")
    assert response.status_code == 404 and f"Không có trang {last + 1}" in response.get_data(as_text=True)


def test_duplicates_page_two_shows_the_next_pairs(client, auth, db_session):
    codes = db.session.scalars(db.select(Village.code).order_by(Village.code).limit(25)).all()
    for code in codes:  # one name pair in each of 25 villages
        a, b = households_of(code)[:2]
        b.head_name = a.head_name
    db.session.commit()
    auth.login("chihuy")
    first = client.get("/register/duplicates").get_data(as_text=True)
    second = client.get("/register/duplicates?page=2").get_data(as_text=True)
    one, two = _marks(first, "data-pair"), _marks(second, "data-pair")
    total = int(re.search(r'id="pair-count">Cặp 1–10 trên tổng ([\d.]+)<', first).group(1).replace(".", ""))
    assert len(one) == 10 and total >= 25 and len(two) == 10
    assert f'href="/register/duplicates?village={village(codes[0]).id}">{codes[0]} <span class="muted">(' in first
    assert not set(one) & set(two)
    assert 'href="/register/duplicates?page=2"' in first and "Trang 1/" in first
    assert 'href="/register/duplicates?page=1"' in second
    # one village: its single pair, no pager, and the village stays in the links
    only = client.get(f"/register/duplicates?village={village('T01').id}").get_data(as_text=True)
    assert len(_marks(only, "data-pair")) >= 1 and 'class="pager"' not in only
    _bad_pages(client, "/register/duplicates", -(-total // 10))


def test_incidents_in_pages_of_fifty_keep_filters_and_export_all(client, auth, db_session):
    chihuy = user("chihuy")
    homes = households_of("T01") + households_of("T02")
    start = date(2025, 10, 1)
    for n in range(53):
        db.session.add(Incident(household_id=homes[n % len(homes)].id, created_by_id=chihuy.id,
                                occurred_on=start + timedelta(days=n), kind="scam" if n < 52 else "sextortion"))
    db.session.commit()
    auth.login("chihuy")
    first = client.get("/incidents/").get_data(as_text=True)
    second = client.get("/incidents/?page=2").get_data(as_text=True)
    one, two = _marks(first, "data-incident-id"), _marks(second, "data-incident-id")
    assert len(one) == 50 and len(two) == 3 and not set(one) & set(two)
    assert "53 vụ việc" in second
    assert "Trang 2/2" in second
    scams = client.get("/incidents/?kind=scam&page=2").get_data(as_text=True)
    assert len(_marks(scams, "data-incident-id")) == 2
    assert 'href="/incidents/?page=1&amp;kind=scam"' in scams  # the filter stays in the pager link
    by_verdict = client.get("/incidents/?verdict=not_visited").get_data(as_text=True)
    assert len(_marks(by_verdict, "data-incident-id")) <= 50
    workbook = client.get("/incidents/export.xlsx?kind=scam")
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.data)).active.max_row == 53  # header + every matching row
    _bad_pages(client, "/incidents/?kind=scam", 2)
    _bad_pages(client, "/incidents/?verdict=not_visited", 2)


@pytest.mark.parametrize("url,per_page", [("/users/", 25), ("/assignments/", 20)])
def test_users_and_assignments_in_pages(client, auth, db_session, url, per_page):
    auth.login("quantri")
    mark = "data-username" if url == "/users/" else "data-assignment"
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}?page=2").get_data(as_text=True)
    one, two = _marks(first, mark), _marks(second, mark)
    assert len(one) == per_page and two and len(two) <= per_page and not set(one) & set(two)
    assert f'href="{url}?page=2"' in first
    last = int(re.search(r"Trang 1/(\d+)", first).group(1))
    _bad_pages(client, url, last)


def test_user_role_filter_keeps_its_pages(client, auth, db_session):
    auth.login("quantri")
    officers = db.session.scalars(db.select(User.username).where(User.role == "officer")).all()
    assert len(officers) > 25
    first = client.get("/users/?role=officer").get_data(as_text=True)
    second = client.get("/users/?role=officer&page=2").get_data(as_text=True)
    shown = _marks(first, "data-username") + _marks(second, "data-username")
    assert set(shown) <= set(officers) and 'href="/users/?page=2&amp;role=officer"' in first
    assert client.get("/users/?role=admin&page=2").status_code == 404


def test_pager_links_are_paths_whatever_the_query_string(client, auth, db_session):
    """Query arguments are filters, never url_for's own (`endpoint`, `_method`, `_external`)."""
    auth.login("quantri")
    odd = client.get("/users/?endpoint=x")
    assert odd.status_code == 200 and 'href="/users/?page=2&amp;endpoint=x"' in odd.get_data(as_text=True)
    assert client.get("/assignments/?_method=PUT").status_code == 200
    html = client.get("/users/?_external=1&page=2").get_data(as_text=True)
    assert 'href="/users/?page=1&amp;_external=1"' in html and "http://" not in html.split('class="pager"')[1]
