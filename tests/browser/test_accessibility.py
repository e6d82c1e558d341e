"""axe-core (npm, copied into static/vendor/test/ by `make assets`) on every page of every
role: 0 serious and 0 critical violations.

The pages are the routes of tests/auth/test_permissions.py: every GET route the role is let
into, with the same sample values (rows of T01), answering HTML. Every <details> is opened
first, so what a collapsed section or the menu holds is checked too. Experimental rules run
as well (the menu's name that did not match its text is one of them).
"""
from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import Error as PlaywrightError
import sqlalchemy as sa

from fieldapp import ROOT
from fieldapp.extensions import db
from fieldapp.households.models import Household
from fieldapp.labels import ROLES
from fieldapp.register.models import Village
from tests.auth.test_permissions import LET_IN, expected, requests, sample_user, url_values

pytestmark = pytest.mark.browser

AXE = ROOT / "static" / "vendor" / "test" / "axe.min.js"
BLOCKING = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "experimental"]
# Pages that are not documents a person reads (downloads and JSON are left out by type).
NOT_PAGES = {"auth.logout"}


def pages_of(app, role: str | None) -> tuple[str | None, list[str]]:
    """(username, paths of the HTML pages the role may open)."""
    with app.app_context():
        t01 = db.session.scalar(sa.select(Village).where(Village.code == "T01"))
        people = {r: sample_user(r, t01) for r in ROLES}
        values = url_values(db.session, t01, people["officer"])
        _vary_states(t01)
        paths = sorted({path for endpoint, method, path in requests(app, values)
                        if method == "GET" and endpoint not in NOT_PAGES
                        and expected(app, endpoint, role) == LET_IN})
        return (people[role].username if role else None), paths


def _vary_states(village: Village) -> None:
    """Rows in every look a page has: one household of the village moved away (excluded)."""
    moved = db.session.scalars(sa.select(Household).where(Household.village_id == village.id)
                               .order_by(Household.code.desc())).first()
    moved.status = "moved"
    db.session.commit()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo1234")
    with page.expect_navigation():
        page.click("button[type=submit]")


RUN = """([tags, within]) => axe.run(within ? {include: [within]} : document,
    {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}).then(r => r.violations.map(
    v => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
           nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))"""


def violations(page) -> list[dict]:
    """The page with its collapsed sections open, then the menu open (alone: its panel lies
    over the page, which would read as targets covering one another)."""
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN, [TAGS, None])
    if page.locator(".menu details").count():
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = false);"
                      "document.querySelector('.menu details').open = true")
        found += page.evaluate(RUN, [TAGS, ".menu"])
    return [v for v in found if v["impact"] in BLOCKING]


def audit_role(browser, base: str, app, role: str | None) -> dict[str, list[dict]]:
    """{path: serious or critical violations} over every page of the role."""
    username, paths = pages_of(app, role)
    # bypass_csp: axe is injected as a script the pages' CSP would (rightly) refuse.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    try:
        if username:
            sign_in(page, base, username)
        found = {}
        for path in paths:
            try:
                response = page.goto(base + path)
            except PlaywrightError as error:  # a file to download (.xlsx, .csv, .json)
                if "Download is starting" in str(error):
                    continue
                raise
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            page.wait_for_load_state("load")
            if problems := violations(page):
                found[path] = problems
        return found
    finally:
        context.close()


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_serious_or_critical_violation_on_any_page(live_server, browser, sqlite_app, role):
    found = audit_role(browser, live_server.url, sqlite_app, role)
    if out := os.environ.get("AXE_REPORT"):  # figures for a report: AXE_REPORT=dir
        with open(os.path.join(out, f"axe-{role or 'anonymous'}.json"), "w") as f:
            json.dump(found, f, ensure_ascii=False, indent=1)
    summary = [f"{path}: {v['impact']} {v['id']} ×{v['count']} ({v['help']}) e.g. {v['nodes']}"
               for path, problems in found.items() for v in problems]
    assert summary == [], "\n".join(summary)
