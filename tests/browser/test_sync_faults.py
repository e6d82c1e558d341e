"""The phone under server faults: a 503 keeps the entry and waits at least Retry-After; an
entry answered "retry" stays queued; entries an older server wrongly held as refused
("Máy chủ không ghi được mục này.") resolve themselves; only content refusals offer "send
again"."""
from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from fieldapp.models import SyncReceipt, Visit
from tests.browser.conftest import wait_until
from tests.browser.test_outbox import STORED, _open_village, plain_page  # noqa: F401 (fixture)
from tests.helpers import households_of, unvisited_household, visits_of

pytestmark = pytest.mark.browser
SERVER_ERROR = {"server": "Máy chủ không ghi được mục này."}
ADD = """([hid, note]) => TN.outbox.add("visit", {household_id: hid, campaign_id: TN.pack().campaign.id,
    outcome: "nobody_home", topics: [], materials: [], people_reached: 0, youth_reached: 0,
    commitment_signed: false, companions: [], note: note || "", lat: null, lon: null, accuracy_m: null}, "cskv1")"""


def _count(page) -> str:
    return page.locator("[data-outbox-count]").get_attribute("data-outbox-count")


def test_a_503_keeps_the_entry_and_the_next_try_waits_for_retry_after(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T01", sqlite_app)
    with sqlite_app.app_context():
        household_id = str(unvisited_household("T01").id)
    page.route("**/api/sync/batch", lambda route: route.fulfill(
        status=503, content_type="application/json", headers={"Retry-After": "30"},
        body='{"error": "unavailable", "message": "Máy chủ đang bận"}'))
    page.evaluate(ADD, [household_id, ""])
    page.evaluate("TN.syncNow()")
    page.wait_for_function("TN.syncState.failures >= 1")
    assert page.evaluate("TN.syncState.retryAfter") == 30
    waits = page.evaluate("Array.from({length: 20}, () => TN.backoff(1, 30))")
    assert all(30000 <= w <= 37500 for w in waits)  # not the 2 s of a first failure
    assert page.evaluate(STORED)["outbox"] == 1
    page.unroute("**/api/sync/batch")
    page.evaluate("TN.syncNow()")
    page.wait_for_function("TN.syncState.failures === 0")
    assert page.evaluate(STORED)["outbox"] == 0
    with sqlite_app.app_context():
        assert [v.outcome for v in visits_of(uuid.UUID(household_id))] == ["nobody_home"]


def test_an_entry_answered_retry_stays_queued_and_is_sent_again(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T02", sqlite_app)
    with sqlite_app.app_context():
        household_id = str(unvisited_household("T02").id)

    def retry(route):
        ids = [e["id"] for e in route.request.post_data_json["entries"]]
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"server_time": "", "results": [
            {"id": i, "status": "retry", "errors": {"server": "Máy chủ chưa ghi được mục này lúc này."}} for i in ids]}))

    page.route("**/api/sync/batch", retry)
    page.evaluate(ADD, [household_id, ""])
    page.evaluate("TN.syncNow()")
    page.wait_for_function("TN.syncState.failures === 0 && document.querySelector('[data-outbox-count=\"1\"]')")
    assert page.locator("#tn-attention").count() == 0  # not refused: still waiting to be sent
    page.unroute("**/api/sync/batch")
    page.evaluate("TN.syncNow()")
    page.locator('[data-outbox-count="0"]').wait_for(state="attached")
    with sqlite_app.app_context():
        assert len(visits_of(uuid.UUID(household_id))) == 1


def test_entries_wrongly_held_as_refused_resolve_themselves(live_server, plain_page, sqlite_app):
    page = plain_page
    _open_village(page, live_server.url, "T03", sqlite_app)
    with sqlite_app.app_context():
        stored_for, lost_for = [str(h.id) for h in households_of("T03")[:2]]
    # One entry the server stored, but answered "Máy chủ không ghi được mục này." (a deadlock,
    # under an older server): the phone holds it as refused.
    stored = page.evaluate(ADD, [stored_for, "stored"])
    page.evaluate("TN.syncNow()")
    wait_until(page, "TN.outbox.sent().then(s => s.length === 1)")
    page.evaluate("""([e, errors]) => TN.outbox.requeueLost([e.id]).then(() => TN.outbox.attention(e.id, "quarantined", errors))""",
                  [stored, SERVER_ERROR])
    # Another the server never stored, held the same way.
    lost = page.evaluate(ADD, [lost_for, "lost"])
    page.evaluate("""([e, errors]) => TN.outbox.attention(e.id, "quarantined", errors)""", [lost, SERVER_ERROR])
    page.reload()
    box = page.locator("#tn-attention")
    page.route("**/api/sync/**", lambda route: route.abort())  # hold them while we look
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    box.wait_for()
    assert box.locator("[data-entry]").count() == 2
    assert box.get_by_role("button", name="Gửi lại", exact=True).count() == 0  # not a refusal of content
    page.unroute("**/api/sync/**")
    page.evaluate("TN.syncNow()")
    box.wait_for(state="detached")
    assert page.evaluate(STORED)["outbox"] == 0
    with sqlite_app.app_context():
        from fieldapp.extensions import db

        db.session.rollback()
        for entry in (stored, lost):
            key = uuid.UUID(entry["id"])
            assert db.session.scalar(sa.select(sa.func.count()).where(Visit.id == key)) == 1
            assert db.session.get(SyncReceipt, key).status == "created"
