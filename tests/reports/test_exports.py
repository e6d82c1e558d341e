"""Exports: valid RFC 7946 GeoJSON, CSV with BOM, XLSX with a totals row; all agreeing with each
other, with the status rules and with a visit posted a moment before; scoped; personal data logged."""
from __future__ import annotations

import csv
import io
import json

import geojson
import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.models import AuditEvent, Village
from fieldapp.reports.geo import ring_area
from tests.coverage import truth
from tests.helpers import unvisited_household, village

STATUSES = ("warned", "revisit", "not_visited", "excluded")


def get_geojson(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    doc = geojson.loads(response.get_data(as_text=True))
    assert doc.is_valid, doc.errors()
    assert "crs" not in doc
    return json.loads(response.get_data(as_text=True))


def csv_rows(client, url="/exports/coverage.csv"):
    body = client.get(url).data
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client, url="/exports/coverage.xlsx"):
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_exports_agree_with_each_other_and_the_rules(client, auth, db_session):
    expected = truth.by_village(truth.campaign_id())
    auth.login("chihuy")
    villages = {f["properties"]["village_code"]: f["properties"]
                for f in get_geojson(client, "/exports/villages.geojson")["features"]}
    table = {r["village_code"]: r for r in csv_rows(client)}
    sheet = xlsx_rows(client)
    header, body, totals = sheet[0], sheet[1:-1], sheet[-1]
    assert header[:3] == ["Mã thôn", "Thôn", "Số hộ"]
    assert set(villages) == set(table) == set(expected) == {r[0] for r in body}
    for row in body:
        code = row[0]
        for i, status in enumerate(STATUSES, 3):
            assert villages[code][status] == int(table[code][status]) == row[i] == expected[code][status]
        assert row[2] == villages[code]["households"] == sum(expected[code].values())
        assert isinstance(row[7], (int, float)) and float(table[code]["coverage_pct"]) == round(row[7] * 100, 1)
    assert totals[0] == "Tổng cộng"
    assert totals[2:7] == [sum(r[i] for r in body) for i in range(2, 7)]
    homes = get_geojson(client, "/exports/households.geojson")["features"]
    by_status = {s: sum(1 for f in homes if f["properties"]["status"] == s) for s in STATUSES}
    assert by_status == {s: totals[3 + i] for i, s in enumerate(STATUSES)}


def test_exports_follow_a_visit_posted_a_moment_before(app, client, auth, db_session):
    from tests.conftest import Auth

    home = unvisited_household("T02")
    code = village("T02").code
    boss = app.test_client()
    Auth(boss).login("chihuy")
    before = {r["village_code"]: r for r in csv_rows(boss)}[code]
    auth.login("cskv1")
    assert auth.post(f"/households/{home.id}/quick", {"outcome": "warned"}).status_code in (200, 302)
    after = {r["village_code"]: r for r in csv_rows(boss)}[code]
    assert int(after["warned"]) == int(before["warned"]) + 1
    assert int(after["not_visited"]) == int(before["not_visited"]) - 1
    feature = next(f for f in get_geojson(boss, "/exports/households.geojson")["features"]
                   if f["properties"]["household_id"] == str(home.id))
    assert feature["properties"]["status"] == "warned" and feature["properties"]["visit_count"] == 1
    assert feature["properties"]["last_visit_at"].endswith("Z")
    village_props = next(f["properties"] for f in get_geojson(boss, "/exports/villages.geojson")["features"]
                         if f["properties"]["village_code"] == code)
    assert village_props["warned"] == int(after["warned"])
    row = next(r for r in xlsx_rows(boss)[1:] if r[0] == code)
    assert row[3] == int(after["warned"])


def test_polygons_are_counterclockwise_even_when_stored_clockwise(client, auth, db_session):
    t01 = village("T01")
    ring = t01.boundary["coordinates"][0]
    assert ring_area(ring) > 0  # the demo stores counterclockwise rings
    t01.boundary = {"type": "Polygon", "coordinates": [ring[::-1]]}
    db_session.commit()
    auth.login("chihuy")
    for feature in get_geojson(client, "/exports/villages.geojson")["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        exterior = feature["geometry"]["coordinates"][0]
        assert exterior[0] == exterior[-1] and ring_area(exterior) > 0
        lon, lat = exterior[0]
        assert 100 < lon < 115 and 5 < lat < 25  # [lon, lat]


def test_village_head_exports_only_their_village(client, auth, db_session):
    auth.login("truongthon9")
    t09 = village("T09")
    assert [r["village_code"] for r in csv_rows(client)] == ["T09"]
    homes = get_geojson(client, "/exports/households.geojson")["features"]
    assert homes and {f["properties"]["village_code"] for f in homes} == {"T09"}
    assert [f["properties"]["village_code"] for f in
            get_geojson(client, "/exports/villages.geojson")["features"]] == ["T09"]
    assert [r[0] for r in xlsx_rows(client)[1:-1]] == ["T09"]
    for url in ("households.geojson", "villages.geojson", "coverage.csv", "coverage.xlsx"):
        assert client.get(f"/exports/{url}?village={village('T10').id}").status_code == 404
        assert client.get(f"/exports/{url}?village={t09.id}").status_code == 200
        assert client.get(f"/exports/{url}?village=abc").status_code == 400
        assert client.get(f"/exports/{url}?campaign=0").status_code == 400
        assert client.get(f"/exports/{url}?campaign=777").status_code == 404


def test_personal_fields_are_logged_and_can_be_left_out(client, auth, db_session):
    auth.login("chihuy")
    url = f"/exports/households.geojson?village={village('T01').id}"
    props = get_geojson(client, url)["features"][0]["properties"]
    assert {"head_name", "phone", "address"} <= set(props)
    db_session.rollback()
    event = db_session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.username == "chihuy" and event.detail["rows"] >= 1
    props = get_geojson(client, url + "&personal=0")["features"][0]["properties"]
    assert not {"head_name", "phone", "address", "youth"} & set(props)
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "export")) == 1


def test_a_household_without_location_has_a_null_geometry(client, auth, db_session):
    from fieldapp.models import Household

    t01 = village("T01")
    home = Household(village_id=t01.id, code="99", head_name="Hồ Thị Lan", members=2)
    db_session.add(home)
    db_session.commit()
    auth.login("chihuy")
    features = get_geojson(client, f"/exports/households.geojson?village={t01.id}")["features"]
    feature = next(f for f in features if f["id"] == str(home.id))
    assert feature["geometry"] is None and feature["properties"]["status"] == "not_visited"


def test_an_empty_village_gives_valid_empty_documents(client, auth, db_session):
    t01 = village("T01")
    empty = Village(commune_id=t01.commune_id, code="T99", name="Thôn Mới")
    db_session.add(empty)
    db_session.commit()
    auth.login("chihuy")
    q = f"?village={empty.id}"
    assert get_geojson(client, "/exports/households.geojson" + q)["features"] == []
    feature, = get_geojson(client, "/exports/villages.geojson" + q)["features"]
    assert feature["geometry"] is None and feature["properties"]["coverage"] is None
    row, = csv_rows(client, "/exports/coverage.csv" + q)
    assert row["households"] == "0" and row["coverage_pct"] == ""
    sheet = xlsx_rows(client, "/exports/coverage.xlsx" + q)
    assert sheet[1][:3] == ["T99", "Thôn Mới", 0] and sheet[-1][2] == 0


def test_exports_need_a_login(client):
    response = client.get("/exports/coverage.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
