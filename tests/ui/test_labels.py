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
                     "/audit/", "/account"]


def test_error_pages_have_a_title_in_words(client, auth, db_session):
    auth.login("cskv1")
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and "<title>Lỗi 404 · Từng Nhà</title>" in answer.get_data(as_text=True)


def test_the_three_refusals_are_three_different_words(client, auth, db_session):
    """The household's refusal (an outcome), the server's (an entry it returned) and an
    import's (a file rejected) are said differently, and "Từ chối" says none of them."""
    import json
    from pathlib import Path

    from babel.messages.pofile import read_po

    from fieldapp.labels import IMPORT_RUN_STATUSES, OUTCOMES

    auth.login("cskv1")
    page = client.get("/villages/").get_data(as_text=True)
    labels = json.loads(re.search(r'<script type="application/json" id="tn-labels">(.*?)</script>', page).group(1))
    words = {labels["o_refused"], labels["quarantined"]}
    with client.application.test_request_context():
        assert OUTCOMES.label("refused") == labels["o_refused"] == "Không tiếp"
        words.add(IMPORT_RUN_STATUSES.label("refused"))
    assert words == {"Không tiếp", "Máy chủ trả lại", "Tệp bị loại"}
    catalogue = Path(client.application.root_path) / "translations/vi/LC_MESSAGES/messages.po"
    with catalogue.open("rb") as po:
        assert not [m.id for m in read_po(po) if "Từ chối" in str(m.string)]
