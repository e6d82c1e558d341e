"""A restore from a backup taken before 200 visits were acknowledged: once the phones
reconnect they see the new restore epoch, ask which of their remembered entries the server
lacks, and send those again; all 200 are back, each exactly once. What they remember is
kept SYNC_KEEP_SENT_DAYS days and forgotten at sign-out."""
from __future__ import annotations

import socket
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler, make_server

from fieldapp.extensions import db
from fieldapp.models import RestoreEpoch, SyncReceipt, Visit
from tests.browser.conftest import LiveServer, sign_in, wait_until
from tests.browser.test_outbox import _open_village, plain_page  # noqa: F401 (fixture)
from tests.conftest import _config, _new_app
from tests.helpers import households_of, village

pytestmark = pytest.mark.browser
PER_PHONE = 100
RECORD = """([user, households, n]) => {
  const jobs = [];
  for (let i = 0; i < n; i++) {
    jobs.push(TN.outbox.add("visit", {household_id: households[i % households.length], campaign_id: TN.pack().campaign.id,
      outcome: "nobody_home", topics: [], materials: [], people_reached: 0, youth_reached: 0, commitment_signed: false,
      companions: [], note: "lượt " + i, lat: null, lon: null, accuracy_m: null}, user));
  }
  return Promise.all(jobs).then(entries => TN.syncNow().then(() => entries.map(e => e.id)));
}"""
COUNTS = "Promise.all([TN.outbox.all(), TN.outbox.sent()]).then(([o, s]) => [o.length, s.length])"


class OneRequestPerConnection(WSGIRequestHandler):
    protocol_version = "HTTP/1.0"  # no keep-alive: once stopped, a server answers nothing more


class FixedPortServer(LiveServer):
    """A server on a chosen port (the phones' origin stays the same across the restore)."""

    def __init__(self, app, port: int):
        self.server = make_server("127.0.0.1", port, app, threaded=True, request_handler=OneRequestPerConnection)
        self.url = f"http://127.0.0.1:{port}"
        import threading
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def stop(self):
        super().stop()
        self.server.server_close()  # free the port for the next server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stored(app, ids: list[str]) -> tuple[int, int]:
    with app.app_context():
        keys = [uuid.UUID(i) for i in ids]
        visits = db.session.scalar(sa.select(sa.func.count()).where(Visit.id.in_(keys)))
        receipts = db.session.scalar(sa.select(sa.func.count()).where(SyncReceipt.entry_id.in_(keys)))
        db.session.remove()
        return visits, receipts


def _phone(browser, base: str, username: str, code: str, app):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", service_workers="block")
    page = context.new_page()
    sign_in(page, base, username)
    with app.app_context():
        village_id, households = village(code).id, [str(h.id) for h in households_of(code)]
    page.goto(f"{base}/villages/{village_id}")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    wait_until(page, "TN.outbox.meta('epoch')")  # the first sync learnt the server's epoch
    return context, page, households


def test_phones_send_again_what_a_restore_lost(browser, sqlite_app, tmp_path):
    port = _free_port()
    server = FixedPortServer(sqlite_app, port).start()
    phones = [_phone(browser, server.url, "cskv1", "T01", sqlite_app), _phone(browser, server.url, "cskv2", "T06", sqlite_app)]
    backup = tmp_path / "before.backup"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output

    ids = []
    for (_context, page, households), user in zip(phones, ("cskv1", "cskv2")):
        ids += page.evaluate(RECORD, [user, households, PER_PHONE])
        wait_until(page, f"{COUNTS}.then(([o, s]) => o === 0 && s === {PER_PHONE})")
    assert len(set(ids)) == 2 * PER_PHONE and _stored(sqlite_app, ids) == (200, 200)

    server.stop()  # the server's disk is lost; the province restores last night's backup
    restored_path = tmp_path / "restored.sqlite3"
    restored = _new_app(_config(f"sqlite:///{restored_path}"))
    result = restored.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert _stored(restored, ids) == (0, 0)
    with restored.app_context():
        epoch = db.session.scalar(sa.select(RestoreEpoch.value).order_by(RestoreEpoch.id.desc()))
        db.session.remove()
    server = FixedPortServer(restored, port).start()
    try:
        for _context, page, _h in phones:
            page.reload()  # the phones reconnect
        recovered = (f"Promise.all([TN.outbox.meta('epoch'), {COUNTS}])"
                     f".then(([e, [o, s]]) => e === '{epoch}' && o === 0 && s === {PER_PHONE})")
        for _context, page, _h in phones:
            wait_until(page, recovered, timeout=60)
        assert _stored(restored, ids) == (200, 200)
        for _context, page, _h in phones:  # and again: nothing twice
            page.evaluate("TN.syncNow()")
        assert _stored(restored, ids) == (200, 200)
        with restored.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit).where(
                Visit.note.like("lượt %"))) == 200
            db.session.remove()
    finally:
        server.stop()
        for context, _page, _h in phones:
            context.close()
        with restored.app_context():
            db.engine.dispose()


SENT = """() => new Promise(ok => {
  const r = indexedDB.open("tungnha");
  r.onsuccess = () => {
    const t = r.result.transaction(["sent", "meta"]);
    const sent = t.objectStore("sent").getAll(), epoch = t.objectStore("meta").get("epoch");
    t.oncomplete = () => { ok({sent: sent.result.map(e => e.id), epoch: epoch.result || null}); r.result.close(); };
  };
})"""
AGE = """([id, days]) => new Promise(ok => {
  const r = indexedDB.open("tungnha");
  r.onsuccess = () => {
    const t = r.result.transaction(["sent"], "readwrite"), s = t.objectStore("sent"), g = s.get(id);
    g.onsuccess = () => { g.result.acked_at = Date.now() - days * 86400000; s.put(g.result); };
    t.oncomplete = () => { r.result.close(); ok(); };
  };
})"""


def test_acknowledged_entries_are_kept_for_the_set_days_then_forgotten(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T02", sqlite_app)
    with sqlite_app.app_context():
        households = [str(h.id) for h in households_of("T02")]
    first = page.evaluate(RECORD, ["cskv1", households, 2])
    assert sorted(page.evaluate(SENT)["sent"]) == sorted(first)
    page.evaluate(AGE, [first[0], 31])  # acknowledged 31 days ago: past SYNC_KEEP_SENT_DAYS (30)
    page.evaluate(AGE, [first[1], 29])
    later = page.evaluate(RECORD, ["cskv1", households, 1])
    kept = page.evaluate(SENT)
    assert sorted(kept["sent"]) == sorted([first[1], *later]) and kept["epoch"]
    page.locator("nav.menu details").evaluate("menu => { menu.open = true; }")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    assert page.evaluate(SENT) == {"sent": [], "epoch": None}  # nothing of the officer's left
