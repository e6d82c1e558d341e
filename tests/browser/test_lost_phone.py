"""A lost phone in headless Chromium: once an admin signs the account out of every device, the
phone's next request is refused with `session_ended` and the phone forgets its offline data
(outbox, pack, commitment photos, cached shell) as at logout; it can no longer send anything."""
from __future__ import annotations

import pytest

from fieldapp.auth import sessions
from fieldapp.extensions import db
from tests.browser.conftest import sign_in, until
from tests.browser.test_offline import ready_for_offline
from tests.helpers import user, village

pytestmark = pytest.mark.browser

PHOTOS = "TN.outbox.tx(['photos'], 'readonly', function (s) { return TN.outbox.req(s.getAll()); })"
HOLDS_NOTHING = f"""Promise.all([TN.outbox.meta('pack'), TN.outbox.all(),
  caches.keys().then(function (k) {{ return k.filter(function (n) {{ return n.indexOf('tn-shell') === 0; }}); }}),
  {PHOTOS}])
  .then(function (r) {{ return !r[0] && r[1].length === 0 && r[2].length === 0 && r[3].length === 0; }})"""


def _end_every_session(app, username):
    with app.app_context():
        sessions.end_all(user(username), "revoked")
        db.session.commit()


def _phone_ready(page, live_server, app):
    with app.app_context():
        t01 = village("T01").id
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/{t01}")
    ready_for_offline(page)
    # An entry recorded on the phone and not sent yet, and a photo of a signed commitment
    # waiting to be sent (what a lost phone holds).
    page.evaluate("TN.outbox.add('visit', {household_id: 'x', outcome: 'warned'}, 'cskv1')")
    page.evaluate("""TN.outbox.tx(['photos'], 'readwrite', function (s) { return TN.outbox.req(s.put({
        visit_id: 'v-sent', blob: new Blob(['x'], {type: 'image/jpeg'}), size: 1, state: 'waiting',
        error: null, added_at: Date.now()})); })""")
    assert page.evaluate("TN.outbox.meta('pack').then(function (p) { return !!p; })")
    assert page.evaluate(f"{PHOTOS}.then(function (l) {{ return l.length; }})") == 1
    return t01


def test_an_open_page_wipes_the_phone_at_its_next_sync(page, live_server, sqlite_app):
    _phone_ready(page, live_server, sqlite_app)
    _end_every_session(sqlite_app, "cskv1")
    page.evaluate("TN.syncNow()")  # what the timer, coming online or "Đồng bộ" does
    page.wait_for_url(f"{live_server.url}/login")
    page.locator("[data-session-ended]").wait_for()
    until(page, HOLDS_NOTHING)


def test_a_page_load_wipes_the_phone(page, live_server, sqlite_app):
    t01 = _phone_ready(page, live_server, sqlite_app)
    _end_every_session(sqlite_app, "cskv1")
    page.goto(f"{live_server.url}/villages/{t01}")
    assert "/login" in page.url
    assert "đăng xuất khỏi mọi thiết bị" in page.locator("[data-session-ended]").inner_text()
    until(page, HOLDS_NOTHING)


def test_a_photo_waiting_alone_still_wipes_the_phone(page, live_server, sqlite_app):
    """Every entry has its receipt; only a photo waits to be sent: its sender hears the 401 too."""
    _phone_ready(page, live_server, sqlite_app)
    page.evaluate("TN.outbox.all().then(function (l) { return TN.outbox.remove(l.map(function (e) { return e.id; })); })")
    _end_every_session(sqlite_app, "cskv1")
    page.evaluate("TN.syncNow()")
    page.wait_for_url(f"{live_server.url}/login")
    until(page, HOLDS_NOTHING)
