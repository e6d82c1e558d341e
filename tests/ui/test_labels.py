"""Pages speak in words, not codes: labels, menu order, titles (found in the phone review)."""
from __future__ import annotations

import re

from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry


def test_quarantine_names_the_fields_in_words(client, auth, db_session):
    auth.login("cskv1")
    send(client, [visit_entry(households_of("T01")[0].id, campaign_id(), outcome="bogus")])
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    page = client.get("/sync/quarantine").get_data(as_text=True)
    assert "<b>Kết quả</b>:" in page and "<code>outcome</code>" not in page


def test_access_log_shows_labels_and_grouped_numbers(client, auth, db_session):
    auth.login("chihuy")
    assert client.get("/exports/households.geojson").status_code == 200
    page = client.get("/audit/").get_data(as_text=True)
    event = page.split('data-action="export"')[1].split("</li>")[0]
    assert "Xuất dữ liệu" in event and " · hộ" in event and "định dạng: geojson" in event
    assert re.search(r"dòng: \d{1,3}(\.\d{3})*\b", event) and "rows=" not in event


def test_menu_goes_from_field_work_to_oversight_to_administration(client, auth, db_session):
    auth.login("chihuy")
    html = client.get("/villages/").get_data(as_text=True)
    panel = html[html.index('class="menu-panel"'):html.index("</nav>")]
    hrefs = re.findall(r'<a href="([^"]+)"', panel)
    assert hrefs == ["/villages/", "/coverage/", "/coverage/map", "/reports/campaign",
                     "/proof/", "/proof/points", "/proof/sample", "/incidents/",
                     "/register/", "/register/villages", "/register/changes", "/register/duplicates", "/register/merges",
                     "/sync/quarantine", "/campaigns/", "/assignments/",
                     "/audit/"]


def test_error_pages_have_a_title_in_words(client, auth, db_session):
    auth.login("cskv1")
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and "<title>Lỗi 404 · Từng Nhà</title>" in answer.get_data(as_text=True)
