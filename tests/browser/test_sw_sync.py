"""The service worker's own `sync` event (Chrome's Background Sync) empties the outbox with
no page of the app open: dispatched through the DevTools protocol, as Chrome does when the
network comes back."""
from __future__ import annotations

import time
import uuid

import pytest

from tests.browser.conftest import sign_in
from tests.helpers import unvisited_household, village, visits_of

pytestmark = pytest.mark.browser


def _registration_id(cdp, page) -> str:
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda e: found.update({r["scopeURL"]: r["registrationId"] for r in e["registrations"]}))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if found:
            return next(iter(found.values()))
        page.wait_for_timeout(100)  # lets Playwright deliver the protocol's events
    raise AssertionError("no service worker registration seen")


def test_the_service_worker_sync_event_sends_the_outbox_with_no_page_open(live_server, page, sqlite_app):
    base = live_server.url
    with sqlite_app.app_context():
        village_id = village("T02").id
        household_id = str(unvisited_household("T02").id)
    sign_in(page, base, "cskv1")
    page.goto(f"{base}/villages/{village_id}")
    page.wait_for_selector("html[data-pack-ready][data-sw-ready]", state="attached")
    page.context.set_offline(True)  # the page's own attempts fail; the entry waits
    page.evaluate("""(hid) => TN.outbox.add("visit", {household_id: hid, campaign_id: TN.pack().campaign.id,
        outcome: "warned", topics: TN.pack().campaign.topics.map(t => t.code), materials: ["leaflet"],
        people_reached: 2, youth_reached: 0, commitment_signed: false, companions: [], note: ""}, "cskv1")""", household_id)
    page.goto("about:blank")  # no page of the app is left to send it
    page.context.set_offline(False)
    with sqlite_app.app_context():
        assert visits_of(uuid.UUID(household_id)) == []
    cdp = page.context.new_cdp_session(page)
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": base, "registrationId": _registration_id(cdp, page),
                                                  "tag": "outbox", "lastChance": False})
    for _ in range(100):
        with sqlite_app.app_context():
            visits = visits_of(uuid.UUID(household_id))
        if visits:
            break
        time.sleep(0.1)
    assert [v.outcome for v in visits] == ["warned"]
