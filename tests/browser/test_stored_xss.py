"""Stored markup never runs: payloads typed into every field a person can write (households,
villages, campaigns and topics, accounts, visits, incidents, reviews, sync entries, import
files, a username at the login) are shown on every page, in Chromium, for an admin and an
officer, on the map's popups and in the offline shell: no dialog opens and no element of
theirs appears (escaping is checked on its own, whatever the Content-Security-Policy blocks)."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fieldapp.accountability.models import Incident, VillageReview
from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from fieldapp.models import Campaign, ImportRun, QuarantinedEntry, Topic, Village
from fieldapp.visits.services import record_visit, standard_values
from tests.auth.test_permissions import requests, url_values
from tests.browser.conftest import sign_in, until
from tests.browser.test_offline import ready_for_offline
from tests.helpers import households_of, user, village

pytestmark = pytest.mark.browser

LONG = '"><img src=x onerror="alert(1)" data-xss>'  # attribute and text contexts
SHORT = "<b data-xss>x</b>"  # fits a 20-character code
SCRIPT = "</script><script data-xss>alert(3)</script>"


def plant(app) -> dict:
    """Payloads in every user-writable field of T01's world; returns ids for the pages."""
    with app.app_context():
        t01, officer, admin = village("T01"), user("cskv1"), user("quantri")
        t01.name, t01.code = LONG, SHORT
        for n, household in enumerate(households_of(SHORT)[:3]):
            household.head_name, household.address, household.code = LONG, SCRIPT, f"<svg data-xss>{n}"
        for person in (officer, admin, user("antt1")):
            person.full_name, person.title = LONG, SHORT
        campaign = current_campaign(officer)
        campaign.name = LONG
        topic = db.session.scalar(sa.select(Topic).limit(1))
        topic.label_vi = topic.label_en = LONG
        household = households_of(SHORT)[0]
        visit = record_visit(household, campaign, officer, {**standard_values(campaign, "warned"), "note": LONG})
        db.session.add(Incident(household_id=household.id, occurred_on=date(2025, 11, 20), kind="scam",
                                note=LONG, created_by_id=admin.id))
        db.session.add(VillageReview(village_id=t01.id, campaign_id=campaign.id, user_id=officer.id, note=LONG))
        db.session.add(QuarantinedEntry(entry_id=LONG[:80], user_id=officer.id, device_id=SHORT,
                                        raw={"type": LONG, "data": {"head_name": LONG}}, errors={LONG: LONG}))
        db.session.add(ImportRun(kind="households", filename=LONG, status="refused", user_id=admin.id,
                                 summary={"message": LONG, "errors": [{"line": 2, "column": LONG, "message": LONG}],
                                          "preview": [{"line": 2, "head_name": LONG}], "error_count": 1}))
        db.session.commit()
        return {"visit": str(visit.id), "household": str(household.id), "village": t01.id}


def html_pages(app, username: str) -> list[str]:
    """Every GET route that answers this user with an HTML page."""
    client = app.test_client()
    from tests.conftest import Auth

    Auth(client).login(username)
    with app.app_context():
        t01 = db.session.scalar(sa.select(Village).where(Village.code == SHORT))
        values = url_values(db.session, t01, user("cskv1"))
        found = requests(app, values)
        db.session.remove()
    pages = []
    for endpoint, method, path in found:
        if method != "GET" or endpoint in ("auth.logout", "static"):
            continue
        answer = client.get(path)
        if answer.mimetype == "text/html" and answer.status_code == 200:
            pages.append(path)
        answer.close()
    return pages


def look(page, base_url: str, paths: list[str]) -> list[str]:
    seen = []
    for path in paths:
        page.goto(base_url + path)
        try:
            page.wait_for_load_state("networkidle")
        except PlaywrightTimeout:
            seen.append(f"{path}: still loading after 30 s")
            continue
        if page.locator("[data-xss]").count():
            seen.append(f"{path}: markup ran into the page")
    return seen


@pytest.mark.parametrize("username", ["quantri", "cskv1", "chihuy"])
def test_payloads_in_every_field_never_run_on_any_page(live_server, page, sqlite_app, username):
    plant(sqlite_app)
    paths = html_pages(sqlite_app, username)  # before the browser writes too (SQLite: one writer)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # a username typed at the login is kept in the access log
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", LONG)
    page.fill("input[name=password]", "x")
    page.click("button[type=submit]")
    sign_in(page, live_server.url, username)
    assert len(paths) >= (25 if username == "quantri" else 8)
    problems = look(page, live_server.url, paths)
    assert problems == [] and dialogs == []


def test_the_map_popups_and_the_offline_shell_never_run_markup(live_server, page, sqlite_app):
    ids = plant(sqlite_app)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/coverage/map?village={ids['village']}")
    page.wait_for_selector("#map[data-ready]", state="attached")
    page.wait_for_timeout(800)  # the zoom to the village has ended
    box = page.locator("#map").bounding_box()
    label = page.locator(".vlabel").first.bounding_box()
    spots = [(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)] + [
        (box["x"] + box["width"] * fx, box["y"] + box["height"] * fy) for fx, fy in ((.5, .5), (.45, .55), (.55, .45))]
    for x, y in spots:  # the village's label sits on its area: a click there opens its popup
        page.mouse.click(x, y)
        if page.locator(".leaflet-popup-content").count():
            break
        page.wait_for_timeout(500)
    page.wait_for_selector(".leaflet-popup-content")
    assert page.locator("[data-xss]").count() == 0  # the village popup once ran a script

    page.goto(f"{live_server.url}/villages/{ids['village']}")
    ready_for_offline(page)
    page.evaluate("""TN.outbox.add('household', {village_id: 1, head_name: %r, address: %r}, 'cskv1')
                     .then(function (e) { return TN.outbox.attention(e.id, 'quarantined', {%r: %r}); })"""
                  % (LONG, SCRIPT, LONG, LONG))
    shell = f"{live_server.url}/sync/shell"
    for path in ("/villages/", f"/villages/{ids['village']}", f"/households/{ids['household']}"):
        page.goto(shell)
        page.wait_for_selector("html[data-pack-ready]", state="attached")
        page.evaluate(f"TN.renderShell(JSON.parse(document.getElementById('tn-labels').textContent), {path!r})")
        until(page, "document.querySelector('#offline-app') && !document.querySelector('#offline-app .muted:only-child')")
        assert page.locator("[data-xss]").count() == 0, path
    assert page.locator("#tn-attention").count() == 1  # the refused entry is listed, as text
    assert dialogs == []
