"""The Content-Security-Policy in Chromium: every page of every role, the map and the offline
shell run with no inline script and no eval, and nothing the policy blocks is needed (no
violation is reported, htmx's search and the map still work)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in, until
from tests.browser.test_phone_layout import PAGES, _ids

pytestmark = pytest.mark.browser

EXTRA = {"chihuy": ["/coverage/map", "/sync/shell", "/account", "/reports/campaign"],
         "quantri": ["/users/", "/account", "/coverage/map"], "cskv1": ["/sync/shell", "/account"]}

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


def visit_all(page, base_url: str, paths: list[str]) -> list[str]:
    """Open each page, let it settle, and return what the policy blocked and what broke."""
    problems = []
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "htmx" in msg.text.lower() else None)
    for path in paths:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        blocked = page.evaluate("window.__violations || []")
        problems += [f"{path}: {v}" for v in blocked]
        problems += [f"{path}: {e}" for e in errors]
        errors.clear()
    return problems


@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_needs_what_the_policy_blocks(live_server, page, sqlite_app, username):
    ids = _ids(sqlite_app)
    page.add_init_script(WATCH)
    sign_in(page, live_server.url, username)
    paths = [p.format(**ids) for p in PAGES[username] + EXTRA.get(username, [])]
    assert visit_all(page, live_server.url, paths) == []


def test_htmx_search_and_the_map_work_under_the_policy(live_server, page, sqlite_app):
    ids = _ids(sqlite_app)
    page.add_init_script(WATCH)
    sign_in(page, live_server.url, "chihuy")
    page.goto(f"{live_server.url}/villages/{ids['v']}")
    rows = page.locator("[data-household-id]").count()
    page.fill("input[name=q]", "zzzz-khong-co")
    until(page, f"document.querySelectorAll('[data-household-id]').length < {rows}")
    assert "q=zzzz-khong-co" in page.url  # hx-push-url
    page.goto(f"{live_server.url}/coverage/map")
    page.wait_for_selector("#map[data-ready]", state="attached")
    assert page.evaluate("window.__violations") == []


def test_proof_pages_and_their_small_maps_run_under_the_policy(live_server, page, sqlite_app):
    """A flagged visit on /proof/ with its small Leaflet map opened, the learnt locations and
    the verification sample: drawn by files only, nothing blocked."""
    from tests.conftest import Auth
    from tests.helpers import households_of
    from tests.sync.helpers import campaign_id, send, statuses, visit_entry

    with sqlite_app.app_context():
        home = households_of("T01")[0]
        far = visit_entry(home.id, campaign_id(), lat=home.lat + 0.02, lon=home.lon, accuracy_m=10)
    officer = Auth(sqlite_app.test_client())
    officer.login("cskv1")
    assert statuses(send(officer.client, [far])) == ["created"]
    page.add_init_script(WATCH)
    sign_in(page, live_server.url, "chihuy")
    assert visit_all(page, live_server.url, ["/proof/points", "/proof/sample", "/proof/"]) == []
    page.locator(f'[data-visit-id="{far["id"]}"] details.minimap summary').first.click()
    page.wait_for_selector(".mini-map.leaflet-container .leaflet-interactive", state="attached")
    assert page.evaluate("window.__violations") == []
