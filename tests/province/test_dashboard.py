"""The province role: every commune of its province, figures only, another province's
commune 404; the province dashboard agrees with the communes' own dashboards."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp.models import Campaign, Household, Village
from fieldapp.timeutil import today_vn
from tests.helpers import households_of

HEADER = ["commune_code", "commune_name", "households", "warned", "revisit", "not_visited", "excluded", "coverage_pct"]


def totals(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-total="(\w+)">([^<]+)<', html))


def _as(client, auth, username):
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login(username)


def test_province_dashboard_agrees_with_the_commune_dashboard(client, auth, db_session, pa05, elsewhere):
    auth.login("chihuy")
    own = client.get("/coverage/").get_data(as_text=True)
    commune = totals(own)
    _as(client, auth, pa05)
    page = client.get("/coverage/")
    html = page.get_data(as_text=True)
    province = totals(html)
    assert page.status_code == 200 and "Quảng Ngãi" in html
    for key in ("coverage", "households", "warned", "revisit", "not_visited", "excluded", "youth"):
        assert province[key] == commune[key], key
    assert province["communes"] == "1" and 'data-commune-code="21034"' in html
    assert 'data-commune-code="23818"' not in html  # Gia Lai is another province
    assert bars(html) == bars(own) and len(bars(html)) > 20  # households warned per day


def bars(html: str) -> list[tuple[str, str]]:
    """The chart's households warned per day: (day, count)."""
    return re.findall(r'data-day="([^"]+)" data-value="(\d+)"', html)


def test_commune_drill_down_shows_its_villages_figures(client, auth, db_session, pa05):
    auth.login("chihuy")
    commander = client.get("/coverage/").get_data(as_text=True)
    _as(client, auth, pa05)
    commune_id = db_session.scalar(sa.select(Village.commune_id).limit(1))
    page = client.get(f"/coverage/communes/{commune_id}").get_data(as_text=True)
    assert totals(page)["households"] == totals(commander)["households"]
    assert page.count("data-village-code=") == 31
    t01 = re.search(r'data-village-code="T01".*?</tr>', commander, re.S).group(0)
    mine = re.search(r'data-village-code="T01".*?</tr>', page, re.S).group(0)
    assert re.search(r'<span class="pct">([^<]+)<', t01).group(1) == re.search(r'<span class="pct">([^<]+)<', mine).group(1)


def test_another_provinces_commune_and_its_villages_are_404(client, auth, db_session, pa05, elsewhere):
    auth.login(pa05)
    assert client.get(f"/coverage/communes/{elsewhere['commune']}").status_code == 404
    assert client.get(f"/coverage/villages/{elsewhere['village']}").status_code == 404
    assert client.get(f"/coverage/villages/{elsewhere['village']}/walk").status_code == 404
    assert client.get(f"/exports/coverage.csv?village={elsewhere['village']}").status_code == 404
    assert client.get("/coverage/communes/2147483647").status_code == 404


def test_province_staff_see_figures_not_residents(client, auth, db_session, pa05):
    home = households_of("T01")[0]
    auth.login(pa05)
    assert client.get(f"/households/{home.id}").status_code == 404
    assert client.get(f"/villages/{home.village_id}").status_code == 404
    assert client.get(f"/api/households/{home.id}/warned?as_of=2025-11-12").status_code == 404
    for url in ("/coverage/", f"/coverage/communes/{home.village.commune_id}", f"/coverage/villages/{home.village_id}",
                "/exports/communes.csv", "/exports/communes.geojson", "/exports/households.geojson"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert home.head_name not in answer.get_data(as_text=True), url


def test_personal_data_roles_can_open_households_to_province_staff(make_app, db_session, pa05):
    from tests.conftest import Auth

    app = make_app(PERSONAL_DATA_ROLES=("officer", "village_head", "commander", "province", "admin"))
    client = app.test_client()
    Auth(client).login(pa05)
    home = households_of("T01")[0]
    answer = client.get(f"/households/{home.id}")
    assert answer.status_code == 200 and home.head_name in answer.get_data(as_text=True)


def test_communes_csv_has_the_contract_header_and_the_dashboard_figures(client, auth, db_session, pa05, elsewhere):
    auth.login(pa05)
    dashboard = totals(client.get("/coverage/").get_data(as_text=True))
    answer = client.get("/exports/communes.csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert answer.status_code == 200 and rows[0] == HEADER and len(rows) == 2
    row = dict(zip(HEADER, rows[1]))
    assert row["commune_code"] == "21034" and row["commune_name"] == "Xã An Phú"
    assert f"{int(row['households']):,}".replace(",", ".") == dashboard["households"]
    assert f"{int(row['not_visited']):,}".replace(",", ".") == dashboard["not_visited"]
    total = db_session.scalar(sa.select(sa.func.count(Household.id)).join(Village).where(Village.code.like("T%")))
    assert sum(int(row[k]) for k in ("warned", "revisit", "not_visited", "excluded")) == int(row["households"]) == total


def test_communes_xlsx_and_geojson(client, auth, db_session, pa05):
    from openpyxl import load_workbook

    auth.login(pa05)
    book = load_workbook(io.BytesIO(client.get("/exports/communes.xlsx").data))
    sheet = book.worksheets[0]
    assert sheet["A2"].value == "21034" and sheet["B2"].value == "Xã An Phú" and sheet.max_row == 3
    collection = client.get("/exports/communes.geojson").get_json()
    [feature] = collection["features"]
    assert feature["geometry"]["type"] == "MultiPolygon" and len(feature["geometry"]["coordinates"]) == 31
    assert feature["properties"]["commune_code"] == "21034"


def test_province_dashboard_parameters(client, auth, db_session, pa05):
    auth.login(pa05)
    assert client.get("/coverage/?sort=bogus").status_code == 400
    assert client.get("/coverage/?target=101").status_code == 400
    behind = client.get("/coverage/?target=100").get_data(as_text=True)
    assert 'data-behind-commune="21034"' in behind
    assert 'data-behind-commune="21034"' not in client.get("/coverage/?target=0").get_data(as_text=True)


def _second_commune(db_session, client, auth):
    """Phường Cẩm Thành (Quảng Ngãi too) with its own campaign, a commander and one of its
    three households warned."""
    from fieldapp.auth.services import create_user
    from fieldapp.campaigns.defaults import create_default_campaign
    from fieldapp.register import communes
    from tests.sync.helpers import send, statuses, visit_entry, vn_time

    commune = communes.add("21025")
    village = Village(commune_id=commune.id, code="TDP1", name="Tổ dân phố 1")
    db_session.add(village)
    db_session.flush()
    homes = [Household(id=uuid.uuid4(), village_id=village.id, code=str(i), head_name="Lê Văn Tám", members=3,
                       youth=i % 2) for i in range(3)]
    db_session.add_all(homes)
    campaign = create_default_campaign(commune.id, today_vn())
    campaign.name, campaign.ends_on = "Chiến dịch Cẩm Thành", today_vn() + timedelta(days=40)
    create_user("chihuy2", "demo1234", "commander", commune_id=commune.id, full_name="Trần Văn B")
    db_session.commit()
    auth.login("chihuy2")
    assert statuses(send(client, [visit_entry(homes[0].id, campaign.id, recorded_at=vn_time(5))])) == [
        "created"]
    own = totals(client.get("/coverage/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": auth.token()})
    return commune, campaign, own


def test_every_commune_counts_in_its_own_current_campaign(client, auth, db_session, pa05):
    commune, campaign, own = _second_commune(db_session, client, auth)
    assert (own["households"], own["warned"], own["coverage"]) == ("3", "1", "33%")
    auth.login("chihuy")
    an_phu_page = client.get("/coverage/").get_data(as_text=True)
    an_phu = totals(an_phu_page)
    _as(client, auth, pa05)
    html = client.get("/coverage/").get_data(as_text=True)
    province = totals(html)
    per_day, an_phu_per_day = dict(bars(html)), dict(bars(an_phu_page))
    day, before = (today_vn() - timedelta(days=n) for n in (5, 6))
    assert int(per_day[day.isoformat()]) == int(an_phu_per_day[day.isoformat()]) + 1
    assert int(per_day[before.isoformat()]) == int(an_phu_per_day[before.isoformat()])
    assert campaign.ends_on.isoformat() in per_day  # the chart spans every campaign counted
    assert province["communes"] == "2" and "data-each-campaign" in html
    row = re.search(r'data-commune-code="21025".*?</tr>', html, re.S).group(0)
    assert 'data-col="households">3<' in row and ">33%<" in row and "Chiến dịch Cẩm Thành" in row
    dotted = lambda n: int(n.replace(".", ""))  # noqa: E731
    for key in ("households", "warned", "not_visited"):
        assert dotted(province[key]) == dotted(an_phu[key]) + dotted(own[key]), key
    rows = list(csv.DictReader(io.StringIO(client.get("/exports/communes.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["commune_code"], r["warned"]) for r in rows] == [("21025", "1"), ("21034", an_phu["warned"].replace(".", ""))]
    drill = client.get(f"/coverage/communes/{commune.id}").get_data(as_text=True)
    assert totals(drill)["warned"] == "1" and "Chiến dịch Cẩm Thành" in drill
    first = db_session.scalar(sa.select(Campaign.id).order_by(Campaign.id))
    chosen = client.get(f"/coverage/?campaign={first}").get_data(as_text=True)
    assert totals(chosen)["communes"] == "1" and 'data-commune-code="21025"' not in chosen


def test_the_reports_menu_opens_the_provinces_report(client, auth, db_session, pa05):
    _second_commune(db_session, client, auth)
    auth.login(pa05)
    answer = client.get("/reports/campaign")  # the province's report, counted as the dashboard counts
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/reports/province")
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'data-commune-code="21025"' in html and 'data-commune-code="21034"' in html


def test_communes_without_boundaries_are_exported_as_points(client, auth, db_session, pa05):
    """A commune whose villages have no polygon is a point at the middle of their centroids
    (no geometry while none has a location); a commune with one village lacking its polygon
    falls back to a point too, never a partial outline."""
    import geojson

    commune, _campaign, _own = _second_commune(db_session, client, auth)

    def features() -> dict:
        answer = client.get("/exports/communes.geojson")
        document = geojson.loads(answer.get_data(as_text=True))
        assert answer.status_code == 200 and document.is_valid, document.errors()
        return {f["properties"]["commune_code"]: f for f in document["features"]}

    auth.login(pa05)
    assert features()["21025"]["geometry"] is None  # no location known yet
    db_session.rollback()  # a fresh snapshot before writing (SQLite)
    first = db_session.scalar(sa.select(Village).where(Village.commune_id == commune.id))
    first.lat, first.lon = 15.12, 108.79
    db_session.add(Village(commune_id=commune.id, code="TDP2", name="Tổ dân phố 2", lat=15.14, lon=108.81))
    an_phu = db_session.scalar(sa.select(Village).where(Village.code == "T01"))
    an_phu.boundary = None
    db_session.commit()
    found = features()
    cam_thanh = found["21025"]
    assert cam_thanh["geometry"] == {"type": "Point", "coordinates": [108.8, 15.13]}
    assert cam_thanh["properties"]["households"] == 3 and cam_thanh["properties"]["warned"] == 1
    centroids = db_session.execute(sa.select(Village.lon, Village.lat).where(
        Village.commune_id == an_phu.commune_id, Village.lat.is_not(None))).all()
    middle = [round(sum(c) / len(centroids), 6) for c in zip(*centroids)]
    assert found["21034"]["geometry"]["type"] == "Point"
    assert found["21034"]["geometry"]["coordinates"] == pytest.approx(middle)


def test_the_province_pages_read_no_household_or_visit_row(client, auth, db_session, pa05):
    """Every figure of the dashboard (both scopes), the drill-down, communes.csv and the
    province report comes from summary rows: no statement names households or visits."""
    from fieldapp.extensions import db

    campaign = db_session.scalar(sa.select(Campaign.id).order_by(Campaign.id))
    commune_id = db_session.scalar(sa.select(Village.commune_id).limit(1))
    auth.login(pa05)
    pages = ["/coverage/", f"/coverage/?campaign={campaign}", f"/coverage/communes/{commune_id}",
             f"/exports/communes.csv?campaign={campaign}", "/reports/province.docx"]
    seen: list[str] = []
    record = lambda _c, _k, statement, *_rest: seen.append(statement)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert [client.get(url).status_code for url in pages] == [200] * len(pages)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) > 20 and any("summary_village_status" in s for s in seen)
    assert [s for s in seen if re.search(r"\b(FROM|JOIN)\s+(households|visits)\b", s)] == []
