"""The verdict says what happened relative to the incident's date, names people by name and
title, and goes on paper: a printable page and a Word document with the visits' trail."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa
from docx import Document

from fieldapp.extensions import db
from fieldapp.models import AuditEvent
from tests.helpers import unvisited_household, user

from .test_incidents import incident_id, record
from .visits import add_visit

LATER = "Chưa được cảnh báo trước ngày 20/11/2025; được cảnh báo sau đó ngày 22/11/2025."


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_warned_two_days_after_the_incident(client, auth, db_session):
    household = unvisited_household("T03")
    add_visit(household, "antt3", "nobody_home", "2025-11-12 17:00")
    add_visit(household, "antt3", "warned", "2025-11-22 09:30", received="2025-11-22 09:40")
    antt3 = user("antt3")
    auth.login("chihuy")
    number = incident_id(record(auth, household))  # on 20/11/2025
    page = client.get(f"/incidents/{number}").get_data(as_text=True)
    assert LATER in page and "Chưa đến nhà trước vụ việc" not in page and "Never" not in page
    assert 'data-verdict="attempted"' in page and "1 lượt đến nhà nhưng chưa cảnh báo được ai" in page
    assert f"Được cảnh báo lúc 22/11/2025 09:30, do {antt3.full_name}, Tổ bảo vệ ANTT" in page
    assert "ghi nhận sau vụ việc" in page and "ghi nhận trước vụ việc" in page  # the trail
    listing = client.get("/incidents/").get_data(as_text=True)
    assert LATER in listing
    api = client.get(f"/api/households/{household.id}/warned?as_of=2025-11-19").get_json()
    assert api["warned"] is False and api["warned_after"]["on"] == "2025-11-22"


def test_never_visited_yet_is_said_relative_to_the_day(client, auth, db_session):
    household = unvisited_household("T04")
    auth.login("chihuy")
    page = client.get(f"/incidents/{incident_id(record(auth, household))}").get_data(as_text=True)
    assert "Chưa được cảnh báo trước ngày 20/11/2025; đến nay vẫn chưa được cảnh báo." in page
    assert "Chưa có lượt đến nhà nào của hộ này được ghi nhận." in page


def test_no_internal_codes_on_the_verdict(client, auth, db_session):
    household = unvisited_household("T01")
    visit = add_visit(household, "cskv1", "warned", "2025-11-15 10:00", companions=["antt1"])
    auth.login("chihuy")
    page = client.get(f"/incidents/{incident_id(record(auth, household))}").get_data(as_text=True)
    main = page.split("<main>")[1]
    shown = re.sub(r"<[^>]*>", " ", main)  # what a reader sees (ids stay in attributes for scripts)
    assert str(visit.id)[:8] not in shown and "nobody_home" not in shown and "online_kidnapping" not in shown
    assert f'<b>{user("cskv1").full_name}</b>, Cảnh sát khu vực <small class="muted">cskv1</small>' in main


def test_verdict_on_paper_and_in_word(client, auth, db_session):
    household = unvisited_household("T03")
    add_visit(household, "antt3", "warned", "2025-11-22 09:30")
    auth.login("chihuy")
    number = incident_id(record(auth, household))
    printable = client.get(f"/incidents/{number}/print").get_data(as_text=True)
    assert "CÔNG AN XÃ AN PHÚ" in printable and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in printable
    assert LATER in printable and "data-print" in printable and "onclick" not in printable
    response = client.get(f"/incidents/{number}.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    text = docx_text(response.data)
    assert "CÔNG AN XÃ AN PHÚ" in text and "BÁO CÁO XÁC MINH" in text and LATER in text
    assert household.head_name in text and "22/11/2025 09:30" in text and user("chihuy").full_name in text
    db.session.rollback()
    formats = [e.detail.get("format") for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "incident_export"))]
    assert sorted(formats) == ["docx", "print"]


def test_the_incident_list_on_paper_and_in_word(client, auth, db_session):
    first, second = unvisited_household("T03"), unvisited_household("T05")
    add_visit(first, "antt3", "warned", "2025-11-22 09:30")
    auth.login("chihuy")
    incident_id(record(auth, first))
    incident_id(record(auth, second, occurred_on="2025-11-18", kind="scam"))
    printable = client.get("/incidents/print?kind=online_kidnapping").get_data(as_text=True)
    assert printable.count("data-incident-id") == 1 and LATER in printable
    text = docx_text(client.get("/incidents/export.docx").data)
    assert LATER in text and "Chưa được cảnh báo trước ngày 18/11/2025; đến nay vẫn chưa được cảnh báo." in text
    assert first.head_name in text and second.head_name in text
    assert client.get("/incidents/export.docx?date_from=bad").status_code == 400


def test_papers_are_for_commanders_and_admins_only(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("chihuy")
    number = incident_id(record(auth, household))
    auth.post("/logout")
    auth.login("truongthon1")
    for url in (f"/incidents/{number}/print", f"/incidents/{number}.docx", "/incidents/export.docx"):
        assert client.get(url).status_code == 403, url
    auth.post("/logout")
    auth.login("quantri")
    assert client.get("/incidents/999999.docx").status_code == 404
