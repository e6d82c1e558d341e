"""Reports as documents: the commune's and the province's campaign report as .docx in the
Decree 30/2020 layout, read back; the printed page carries the same letterhead; weekly
periods beside cumulative figures; a period that ends before it starts is 400."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from docx import Document

from fieldapp.coverage import queries
from fieldapp.models import Campaign, Village
from tests.helpers import user

from .test_dashboard import _as, totals


def _campaign(db_session) -> Campaign:
    return db_session.scalar(sa.select(Campaign).order_by(Campaign.id))


def _docx(client, url):
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(answer.data))


def _header(document) -> tuple[str, str]:
    left, right = document.tables[0].rows[0].cells
    return left.text, right.text


def _dotted(n: str) -> int:
    return int(n.replace(".", ""))


def test_commune_report_docx_has_the_decree_30_layout_and_the_dashboard_totals(client, auth, db_session):
    campaign = _campaign(db_session)
    auth.login("chihuy")
    dashboard = totals(client.get("/coverage/").get_data(as_text=True))
    document = _docx(client, f"/reports/campaigns/{campaign.id}.docx")
    left, right = _header(document)
    assert left.splitlines()[:2] == ["CÔNG AN TỈNH QUẢNG NGÃI", "CÔNG AN XÃ AN PHÚ"] and "Số:" in left and "/BC-CAX" in left
    assert right.splitlines()[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert re.search(r"^An Phú, ngày \d\d tháng \d\d năm \d{4}$", right.splitlines()[-1])
    text = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in text and any(campaign.name in t for t in text)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)  # A4 landscape
    figures = document.tables[1]
    header = [c.text for c in figures.rows[0].cells]
    assert header[:5] == ["Mã thôn", "Thôn", "Số hộ", "Cảnh báo trong kỳ", "Đã cảnh báo"]
    total = dict(zip(header, (c.text for c in figures.rows[-1].cells)))
    assert total["Mã thôn"] == "Tổng cộng" and len(figures.rows) == 31 + 2
    assert total["Số hộ"] == dashboard["households"] and total["Đã cảnh báo"] == dashboard["warned"]
    assert total["Cần quay lại"] == dashboard["revisit"] and total["Chưa đến"] == dashboard["not_visited"]
    assert total["Độ phủ (%)"].rstrip("%").split(",")[0] == dashboard["coverage"].rstrip("%")
    signature = document.tables[2].rows[0].cells
    chief = user("chihuy")
    assert signature[0].text.splitlines()[:2] == ["Nơi nhận:", "- Công an tỉnh (qua PA05) (b/c);"]
    assert signature[1].text.splitlines()[0] == chief.title.upper() and signature[1].text.splitlines()[-1] == chief.full_name


def test_province_report_docx_sums_the_communes_like_the_dashboard(client, auth, db_session, pa05, elsewhere):
    campaign = _campaign(db_session)
    auth.login(pa05)
    dashboard = totals(client.get("/coverage/").get_data(as_text=True))
    document = _docx(client, f"/reports/campaigns/{campaign.id}.docx")
    left, right = _header(document)
    assert left.splitlines()[0] == "CÔNG AN TỈNH QUẢNG NGÃI" and "/BC-PA05" in left
    assert right.splitlines()[-1].startswith("Quảng Ngãi, ngày ")
    figures = document.tables[1]
    rows = [[c.text for c in row.cells] for row in figures.rows]
    assert rows[1][:2] == ["21034", "Xã An Phú"] and len(rows) == 3  # Gia Lai's commune is not there
    total = dict(zip(rows[0], rows[-1]))
    assert total["Số hộ"] == dashboard["households"] and total["Chưa đến"] == dashboard["not_visited"]
    assert document.tables[2].rows[0].cells[1].text.splitlines()[-1] == "Phòng PA05"


def test_the_period_beside_the_cumulative_figures(client, auth, db_session):
    campaign = _campaign(db_session)
    area = sa.select(Village.id)
    per_day = queries.warned_by_day(campaign, area)
    start = min(per_day)
    end = start + timedelta(days=6)
    expected = sum(n for day, n in per_day.items() if start <= day <= end)
    auth.login("chihuy")
    document = _docx(client, f"/reports/campaigns/{campaign.id}.docx?from={start}&to={end}")
    figures = document.tables[1]
    assert _dotted(figures.rows[-1].cells[3].text) == expected > 0
    assert any(f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}" in p.text and str(expected) in p.text
               for p in document.paragraphs)
    html = client.get(f"/reports/campaigns/{campaign.id}?from={start}&to={end}").get_data(as_text=True)
    assert f'data-col="in_period">{expected}<' in html.split("data-totals")[1]


def test_a_default_period_is_the_last_week_of_the_campaign(client, auth, db_session):
    from fieldapp.timeutil import today_vn

    campaign = _campaign(db_session)
    auth.login("chihuy")
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    last = max(queries.warned_by_day(campaign, sa.select(Village.id)))
    end = queries.reference_day(campaign, today_vn(), last)  # today while the demo's campaign runs
    assert f'name="from" value="{end - timedelta(days=6)}"' in html and f'name="to" value="{end}"' in html


def test_a_period_that_ends_before_it_starts_is_400_with_a_message(client, auth, db_session):
    campaign = _campaign(db_session)
    auth.login("chihuy")
    for suffix in (".docx", ""):
        answer = client.get(f"/reports/campaigns/{campaign.id}{suffix}?from=2025-11-10&to=2025-11-01")
        assert answer.status_code == 400 and "trước ngày bắt đầu" in answer.get_data(as_text=True)
    bad = client.get(f"/reports/campaigns/{campaign.id}.docx?from=10/11/2025")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_printed_report_carries_the_same_letterhead(client, auth, db_session):
    campaign = _campaign(db_session)
    auth.login("chihuy")
    html = client.get(f"/reports/campaigns/{campaign.id}").get_data(as_text=True)
    document = _docx(client, f"/reports/campaigns/{campaign.id}.docx")
    left, right = _header(document)
    shown = dict(re.findall(r'data-lh="([\w-]+)">([^<]*)<', html))
    assert [shown["parent"], shown["issuer"], shown["number"]] == [left.splitlines()[i] for i in (0, 1, 3)]
    assert [shown["national"], shown["motto"], shown["place-date"]] == [right.splitlines()[i] for i in (0, 1, 3)]
    assert "@page{size:A4 landscape}" in html and "onclick" not in html


def test_who_may_download_reports(client, auth, db_session, pa05):
    campaign = _campaign(db_session)
    auth.login("cskv1")
    assert client.get(f"/reports/campaigns/{campaign.id}.docx").status_code == 403
    _as(client, auth, "chihuy")
    assert client.get("/reports/campaigns/999.docx").status_code == 404


def test_the_province_docx_counts_each_commune_in_its_own_campaign(client, auth, db_session, pa05):
    """Two communes running different campaigns: the province's document has one row per
    commune in the campaign it is running (named in its row and in the text), totals equal to
    the province dashboard's, and each commune's figures equal to its own dashboard's."""
    from .test_dashboard import _second_commune

    commune, theirs, cam_thanh = _second_commune(db_session, client, auth)
    ours = _campaign(db_session)
    auth.login("chihuy")
    an_phu = totals(client.get("/coverage/").get_data(as_text=True))
    _as(client, auth, pa05)
    page = client.get("/coverage/").get_data(as_text=True)
    dashboard = totals(page)
    assert "/reports/province.docx" in page and "/reports/province?" in page
    document = _docx(client, "/reports/province.docx")
    assert _header(document)[0].splitlines()[0] == "CÔNG AN TỈNH QUẢNG NGÃI"
    text = "\n".join(p.text for p in document.paragraphs)
    assert ours.name in text and theirs.name in text
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    header, total = rows[0], dict(zip(rows[0], rows[-1]))
    assert header[:4] == ["Mã xã", "Xã, phường", "Chiến dịch", "Số hộ"] and len(rows) == 4
    by_code = {r[0]: dict(zip(header, r)) for r in rows[1:-1]}
    assert by_code["21025"]["Chiến dịch"] == theirs.name and by_code["21034"]["Chiến dịch"] == ours.name
    for label, key in (("Số hộ", "households"), ("Đã cảnh báo", "warned"), ("Chưa đến", "not_visited")):
        assert total[label] == dashboard[key], label
        assert by_code["21034"][label] == an_phu[key] and by_code["21025"][label] == cam_thanh[key], label
    assert total["Mã xã"] == "Tổng cộng" and by_code["21025"]["Cảnh báo trong kỳ"] == "1"
    html = client.get("/reports/province").get_data(as_text=True)
    assert 'data-commune-code="21025"' in html and 'colspan="3"' in html and theirs.name in html
    assert re.search(r'data-totals>.*?data-col="households">' + dashboard["households"] + "<", html, re.S)
    chosen = _docx(client, f"/reports/campaigns/{theirs.id}.docx")  # one campaign: its communes only
    assert [r.cells[0].text for r in chosen.tables[1].rows[1:-1]] == ["21025"]
    assert client.get("/reports/province.docx?from=2025-11-10&to=2025-11-01").status_code == 400
    _as(client, auth, "chihuy")
    assert client.get("/reports/province.docx").status_code == 404
    _as(client, auth, "quantri")  # every commune, each in its campaign, under a blank letterhead
    rows = [[c.text for c in row.cells] for row in _docx(client, "/reports/province.docx").tables[1].rows]
    assert [r[0] for r in rows[1:-1]] == ["21025", "21034"] and rows[-1][3] == dashboard["households"]


def test_a_commune_without_a_campaign_is_in_the_province_docx_with_none(client, auth, db_session, pa05):
    """The dashboard counts a commune with no campaign yet (its households not visited); so
    does the document, its campaign cell empty, the title naming no single campaign."""
    import uuid

    from fieldapp.models import Household
    from fieldapp.register import communes

    village = Village(commune_id=communes.add("21025").id, code="TDP1", name="Tổ dân phố 1")
    db_session.add(village)
    db_session.flush()
    db_session.add_all([Household(id=uuid.uuid4(), village_id=village.id, code=str(i), head_name="Lê Văn Tám",
                                  members=2) for i in range(4)])
    db_session.commit()
    auth.login(pa05)
    dashboard = totals(client.get("/coverage/").get_data(as_text=True))
    document = _docx(client, "/reports/province.docx")
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    by_code = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_code["21025"]["Chiến dịch"] == "" and by_code["21025"]["Chưa đến"] == "4"
    assert by_code["Tổng cộng"]["Số hộ"] == dashboard["households"]
    assert "Kết quả cảnh báo đến từng hộ tại các xã, phường trong tỉnh" in [p.text for p in document.paragraphs]
