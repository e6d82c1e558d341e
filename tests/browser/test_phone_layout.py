"""Every main page of every role at 390 px: no sideways scrolling, one language per page."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in
from tests.helpers import households_of, village

pytestmark = pytest.mark.browser

# English words of the interface that must not show on a Vietnamese page (whole words).
ENGLISH = ["Village", "Villages", "Household", "Households", "Coverage", "Warned", "Not visited",
           "Revisit", "Search", "Save", "Sign out", "Report", "Incidents", "Users", "Campaign",
           "Assignments", "Access log", "Filter", "Apply", "All", "household", "incident", "export"]
# Vietnamese words of the interface that must not show on an English page.
VIETNAMESE = ["Độ phủ", "Chưa đến", "Cần quay lại", "Tìm", "Lưu", "Đăng xuất", "Vụ việc", "hộ"]

PAGES = {
    "cskv1": ["/villages/", "/villages/{v}", "/households/{h}", "/households/new?village={v}",
              "/coverage/", "/coverage/villages/{v}", "/coverage/villages/{v}/walk"],
    "antt1": ["/villages/", "/villages/{v}", "/households/{h}", "/coverage/"],
    "truongthon1": ["/villages/", "/coverage/", "/coverage/map", "/reports/campaign", "/households/{h}"],
    "chihuy": ["/villages/", "/coverage/", "/coverage/villages/{v}", "/incidents/", "/incidents/new",
               "/audit/", "/assignments/", "/campaigns/", "/register/", "/register/duplicates?village={v}",
               "/sync/quarantine", "/households/{h}/data", "/households/{h}/access"],
    "quantri": ["/users/", "/register/households/{h}/edit", "/campaigns/", "/audit/", "/no-such-page"],
}


def _ids(app) -> dict:
    with app.app_context():
        return {"v": village("T01").id, "h": households_of("T01")[0].id}


def _check(page, url: str, lang: str, banned: list[str]) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    facts = page.evaluate("""() => {
        const menu = document.querySelector('.menu summary'), bar = document.querySelector('.bar');
        return {width: document.documentElement.scrollWidth, lang: document.documentElement.lang,
                title: document.title, text: document.body.innerText,
                menu: menu && [getComputedStyle(menu).color, getComputedStyle(bar).backgroundColor]};
    }""")
    problems = []
    if facts["menu"] and facts["menu"][0] == facts["menu"][1]:
        problems.append(f"{url}: the menu button has the colour of the bar")
    if facts["width"] > 390:
        problems.append(f"{url}: {facts['width']} px wide")
    if facts["lang"] != lang or not facts["title"].endswith("Từng Nhà") or len(facts["title"]) < 12:
        problems.append(f"{url}: lang={facts['lang']!r} title={facts['title']!r}")
    found = [w for w in banned if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", facts["text"])]
    if found:
        problems.append(f"{url}: {found}")
    return problems


@pytest.mark.parametrize("username", list(PAGES))
def test_vietnamese_pages_fit_a_phone(live_server, page, sqlite_app, username):
    ids = _ids(sqlite_app)
    sign_in(page, live_server.url, username)
    page.locator("nav.menu details").evaluate("menu => { menu.open = true; }")
    assert page.locator(".menu-panel a").count() >= 2
    problems = []
    for path in PAGES[username]:
        problems += _check(page, live_server.url + path.format(**ids), "vi", ENGLISH)
    assert problems == []


@pytest.mark.parametrize("username", ["cskv1", "chihuy"])
def test_english_pages_fit_a_phone(live_server, page, sqlite_app, username):
    ids = _ids(sqlite_app)
    sign_in(page, live_server.url, username)
    problems = []
    for path in PAGES[username][:7]:
        url = live_server.url + path.format(**ids)
        problems += _check(page, url + ("&" if "?" in url else "?") + "lang=en", "en", VIETNAMESE)
    assert problems == []


def test_login_page_fits_a_phone(live_server, page):
    assert _check(page, live_server.url + "/login", "vi", ENGLISH) == []
    assert _check(page, live_server.url + "/login?lang=en", "en", VIETNAMESE) == []
