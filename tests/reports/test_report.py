"""The campaign results report (Báo cáo kết quả): page and XLSX with the same table."""
from __future__ import annotations

import io
import re
from collections import defaultdict

import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.extensions import db
from fieldapp.models import Campaign, Household, Village, Visit, VisitMaterial
from tests.coverage import truth


MATERIALS = ("leaflet", "handbook", "qr_fanpage", "hotline_sticker")


def expected_sums(campaign_id):
    """{village_code: [people, youths, leaflets, handbooks, QR codes, stickers, commitments,
    standard visits, detailed visits]} from the raw visits in force, as recorded."""
    from fieldapp.extensions import db

    sums = defaultdict(lambda: [0] * 9)
    materials = defaultdict(set)
    for visit_id, code in db.session.execute(sa.select(VisitMaterial.visit_id, VisitMaterial.code)):
        materials[visit_id].add(code)
    for visit, code in db.session.execute(
            sa.select(Visit, Village.code).join(Household, Household.id == Visit.household_id)
            .join(Village, Village.id == Household.village_id)
            .where(Visit.campaign_id == campaign_id, Visit.in_force)):
        row = sums[code]
        row[0] += visit.people_reached
        row[1] += visit.youth_reached
        for n, material in enumerate(MATERIALS):
            row[2 + n] += material in materials[visit.id]
        row[6] += visit.commitment_signed
        row[7 if visit.standard else 8] += 1
    return sums


def test_report_page_and_workbook_agree_with_the_visits(client, auth, db_session):
    campaign_id = truth.campaign_id()
    counts = truth.by_village(campaign_id)
    sums = expected_sums(campaign_id)
    auth.login("chihuy")
    response = client.get("/reports/campaign")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/reports/campaigns/{campaign_id}")
    html = client.get(f"/reports/campaigns/{campaign_id}").get_data(as_text=True)
    campaign = db.session.get(Campaign, campaign_id)
    period = f"{campaign.starts_on:%d/%m/%Y} – {campaign.ends_on:%d/%m/%Y}"
    assert period in html and "@page{size:A4 landscape}" in html
    book = load_workbook(io.BytesIO(client.get(f"/reports/campaigns/{campaign_id}.xlsx").data))
    sheet = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    header, body, totals = sheet[0], sheet[1:-1], sheet[-1]
    assert header[7:15] == ["Thanh thiếu niên được tuyên truyền", "Tờ rơi đã phát", "Cẩm nang đã phát",
                            "Mã QR đã phát", "Nhãn số điện thoại đã dán", "Số bản cam kết",
                            "Lượt theo gói chuẩn", "Lượt ghi chi tiết"]
    assert [r[0] for r in body] == sorted(counts)
    for row in body:
        code = row[0]
        assert row[2:6] == [sum(counts[code].values()), counts[code]["warned"], counts[code]["revisit"],
                            counts[code]["not_visited"]]
        assert row[6:15] == sums[code]
        page_row = re.search(rf'<tr data-village-code="{code}">.*?</tr>', html, re.S).group()
        cells = dict(re.findall(r'data-col="(\w+)">([^<]*)<', page_row))
        assert int(cells["leaflets"].replace(".", "")) == sums[code][2]
        assert int(cells["visits_detailed"].replace(".", "")) == sums[code][8]
        assert int(cells["warned"].replace(".", "")) == counts[code]["warned"]
    assert totals[0] == "Tổng cộng" and totals[2:15] == [sum(r[i] for r in body) for i in range(2, 15)]
    assert totals[13] > 0 and totals[14] > 0  # the demo has both kinds
    foot = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group()
    assert f'data-col="people_reached">{totals[6]:,}<'.replace(",", ".") in foot


def test_report_counts_topics_as_recorded(client, auth, db_session):
    from fieldapp.models import VisitTopic

    campaign_id = truth.campaign_id()
    campaign = db.session.get(Campaign, campaign_id)
    visit = db.session.scalar(sa.select(Visit).where(Visit.campaign_id == campaign_id, Visit.outcome == "warned",
                                                     Visit.in_force))
    db.session.execute(sa.delete(VisitTopic).where(VisitTopic.visit_id == visit.id, VisitTopic.topic_code == "dau_tu_ao"))
    db.session.commit()
    expected = {}
    for code in [t.code for t in campaign.topics]:
        rows = db.session.execute(sa.select(Visit.id, Visit.household_id).join(VisitTopic, VisitTopic.visit_id == Visit.id)
                                  .where(Visit.campaign_id == campaign_id, Visit.in_force, VisitTopic.topic_code == code)).all()
        expected[code] = (len(rows), len({h for _, h in rows}))
    auth.login("chihuy")
    html = client.get(f"/reports/campaigns/{campaign_id}").get_data(as_text=True)
    table = html.split('id="report-topics"')[1].split("</table>")[0]
    shown = [(int(v.replace(".", "")), int(h.replace(".", ""))) for v, h in re.findall(
        r'data-col="visits">([\d.]+)</td><td class="n" data-col="households">([\d.]+)<', table)]
    assert shown == [expected[t.code] for t in campaign.topics]
    assert expected["dau_tu_ao"][0] == expected["tu_co_lap"][0] - 1
    book = load_workbook(io.BytesIO(client.get(f"/reports/campaigns/{campaign_id}.xlsx").data))
    assert [tuple(r[1:]) for r in book["Nội dung cảnh báo"].iter_rows(min_row=2, values_only=True)] == shown


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
