"""Exports for people read as Vietnamese: coverage.csv keeps the contract's header names for
tools, its twin coverage.vi.csv has Vietnamese headers, 1.234 and 85,3 and ';' (Excel in
Vietnamese); the XLSX formats numbers, so Excel shows them with the reader's separators."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.coverage import truth
from tests.reports.test_exports import csv_rows

CONTRACT = ["village_code", "village_name", "households", "warned", "revisit", "not_visited", "excluded",
            "coverage_pct"]


def test_the_machine_csv_keeps_the_contract(client, auth, db_session):
    auth.login("chihuy")
    rows = csv_rows(client)
    assert list(rows[0])[:8] == CONTRACT and len(rows) == 31
    assert "." in rows[0]["coverage_pct"] or rows[0]["coverage_pct"].isdigit()


def test_the_vietnamese_twin(client, auth, db_session):
    expected = truth.by_village(truth.campaign_id())
    auth.login("chihuy")
    response = client.get("/exports/coverage.vi.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Mã thôn", "Thôn", "Số hộ", "Đã cảnh báo"]
    by_code = {r[0]: r for r in rows[1:-1]}
    t01_counts = expected["T01"]
    base = sum(t01_counts.values()) - t01_counts["excluded"]
    pct = f"{round(t01_counts['warned'] / base * 100, 1):.1f}".replace(".", ",")
    assert by_code["T01"][3] == str(t01_counts["warned"]) and by_code["T01"][7] == pct
    total = sum(sum(c.values()) for c in expected.values())
    assert rows[-1][0] == "Tổng cộng" and rows[-1][2] == f"{total:,}".replace(",", ".")


def test_the_workbook_formats_numbers(client, auth, db_session):
    auth.login("chihuy")
    sheet = load_workbook(io.BytesIO(client.get("/exports/coverage.xlsx").data)).worksheets[0]
    assert sheet.cell(1, 3).value == "Số hộ" and sheet.cell(2, 3).number_format == "#,##0"
    assert sheet.cell(2, 8).number_format == "0.0%" and sheet.cell(2, 1).number_format == "General"
    info = load_workbook(io.BytesIO(client.get("/exports/coverage.xlsx").data)).worksheets[1]
    exported_by = [r[1] for r in info.iter_rows(values_only=True) if r[0] == "Người xuất"]
    assert exported_by and "chihuy" in exported_by[0] and "(" in exported_by[0]
