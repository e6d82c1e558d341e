"""The campaign results report (Báo cáo kết quả): page and XLSX with the same table."""
from __future__ import annotations

import io
import re
from collections import defaultdict

import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.models import Household, Village, Visit, VisitMaterial
from tests.coverage import truth


def expected_sums(campaign_id):
    """{village_code: [people, youths, leaflets, commitments]} from raw visits in force."""
    from fieldapp.extensions import db

    sums = defaultdict(lambda: [0, 0, 0, 0])
    leaflets = set(db.session.scalars(sa.select(VisitMaterial.visit_id).where(VisitMaterial.code == "leaflet")))
    for visit, code in db.session.execute(
            sa.select(Visit, Village.code).join(Household, Household.id == Visit.household_id)
            .join(Village, Village.id == Household.village_id)
            .where(Visit.campaign_id == campaign_id, Visit.replaced_at.is_(None))):
        row = sums[code]
        row[0] += visit.people_reached
        row[1] += visit.youth_reached
        row[2] += visit.id in leaflets
        row[3] += visit.commitment_signed
    return sums


def test_report_page_and_workbook_agree_with_the_visits(client, auth, db_session):
    campaign_id = truth.campaign_id()
    counts = truth.by_village(campaign_id)
    sums = expected_sums(campaign_id)
    auth.login("chihuy")
    response = client.get("/reports/campaign")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/reports/campaigns/{campaign_id}")
    html = client.get(f"/reports/campaigns/{campaign_id}").get_data(as_text=True)
    assert "06/10/2025 – 30/11/2025" in html and "@page{size:A4 landscape}" in html
    book = load_workbook(io.BytesIO(client.get(f"/reports/campaigns/{campaign_id}.xlsx").data))
    sheet = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    header, body, totals = sheet[0], sheet[1:-1], sheet[-1]
    assert header[7:10] == ["Thanh thiếu niên được tuyên truyền", "Tờ rơi đã phát", "Số bản cam kết"]
    assert [r[0] for r in body] == sorted(counts)
    for row in body:
        code = row[0]
        assert row[2:6] == [sum(counts[code].values()), counts[code]["warned"], counts[code]["revisit"],
                            counts[code]["not_visited"]]
        assert row[6:10] == sums[code]
        page_row = re.search(rf'<tr data-village-code="{code}">.*?</tr>', html, re.S).group()
        cells = dict(re.findall(r'data-col="(\w+)">([^<]*)<', page_row))
        assert int(cells["leaflets"].replace(".", "")) == sums[code][2]
        assert int(cells["warned"].replace(".", "")) == counts[code]["warned"]
    assert totals[0] == "Tổng cộng" and totals[2:10] == [sum(r[i] for r in body) for i in range(2, 10)]
    foot = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group()
    assert f'data-col="people_reached">{totals[6]:,}<'.replace(",", ".") in foot


def test_report_scoping(app, client, auth, db_session):
    from tests.conftest import Auth

    campaign_id = truth.campaign_id()
    auth.login("cskv1")
    assert client.get(f"/reports/campaigns/{campaign_id}").status_code == 403
    head = app.test_client()
    Auth(head).login("truongthon8")
    html = head.get(f"/reports/campaigns/{campaign_id}").get_data(as_text=True)
    assert re.findall(r'data-village-code="(T\d\d)"', html) == ["T08"]
    assert head.get("/reports/campaigns/999").status_code == 404
