"""Figures only at province level: every page, export, API and document a province user can
GET (every route of the app, with values pointing at the demo's own rows, so new views are
walked too) answers without a 500 and without a resident's name, address or phone."""
from __future__ import annotations

import io

import sqlalchemy as sa

from fieldapp.jobs.services import beat
from fieldapp.models import Household
from tests.auth.test_permissions import requests, url_values
from tests.helpers import user, village

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(response) -> str:
    """What a person would read in the answer: cells of a workbook, paragraphs and tables of
    a document, else the body as text."""
    if response.mimetype == XLSX:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    if response.mimetype == DOCX:
        from docx import Document

        document = Document(io.BytesIO(response.data))
        cells = (c.text for t in document.tables for r in t.rows for c in r.cells)
        return "\n".join([*(p.text for p in document.paragraphs), *cells])
    return response.get_data().decode("utf-8", "ignore")


def test_no_route_shows_a_resident_to_province_staff(app, db_session, pa05, auth, client):
    t01 = village("T01")
    values = url_values(db_session, t01, user("cskv1"))
    home = db_session.scalar(sa.select(Household).where(Household.id == values["household_id"]))
    secrets = [s for s in (home.head_name, home.address, home.phone) if s and len(s) > 5]
    assert home.head_name in secrets
    beat("test-worker", "localhost", 1, None)  # a worker is alive: /readyz answers 200, not 503
    auth.login(pa05)
    leaks, seen = [], 0
    for _endpoint, method, path in requests(app, values):
        if method != "GET":
            continue
        answer = client.get(path)
        text = _text(answer)
        answer.close()  # files (sw.js, the manifest) are streamed
        assert answer.status_code < 500, path
        seen += answer.status_code == 200
        leaks += [f"{path}: {s}" for s in secrets if s in text]
    assert leaks == [] and seen > 20
