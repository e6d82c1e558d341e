""""Chia sẻ": the walk list, the report and the coverage export offer their file to share (a
download without the Web Share API); the walk list's workbook has the page's rows."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.helpers import village


def test_walk_list_report_and_dashboard_offer_share(client, auth, db_session):
    auth.login("chihuy")
    t05 = village("T05")
    pages = {f"/coverage/villages/{t05.id}/walk": f"/coverage/villages/{t05.id}/walk.xlsx",
             "/reports/campaigns/1": "/reports/campaigns/1.xlsx", "/coverage/": "/exports/coverage.xlsx"}
    for page, target in pages.items():
        html = client.get(page).get_data(as_text=True)
        link = re.search(r'<a class="btn share" href="([^"]+)" download="([^"]+)" data-share', html)
        assert link and link.group(1).replace("&amp;", "&").startswith(target), page
        assert "Chia sẻ" in html and "js/share.js" in html
        assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200


def test_the_walk_list_workbook_has_the_pages_rows(client, auth, db_session):
    auth.login("chihuy")
    t05 = village("T05")
    html = client.get(f"/coverage/villages/{t05.id}/walk").get_data(as_text=True)
    shown = re.findall(r'<tr data-household-id="[^"]+"><td class="no">([^<]*)</td>', html)
    response = client.get(f"/coverage/villages/{t05.id}/walk.xlsx")
    assert response.headers["Content-Disposition"] == f'attachment; filename="danh-sach-di-{t05.code}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [str(r[1]) for r in rows] == shown and all(r[2] for r in rows)


def test_the_walk_list_workbook_is_scoped(client, auth, db_session):
    auth.login("truongthon1")
    assert client.get(f"/coverage/villages/{village('T02').id}/walk.xlsx").status_code == 404
