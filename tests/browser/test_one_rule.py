"""One status rule and one standard-visit rule for server and phone: the same visit histories
go to the SQL rule (coverage.status) and to the phone's rule (pack.js, in Chromium, fed the
rule the pack states), and the answers must agree; so must the one-tap visit each builds."""
from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from fieldapp.campaigns.services import current_campaign
from fieldapp.coverage.status import households_with_status
from fieldapp.extensions import db
from fieldapp.households.services import add_household
from fieldapp.models import Household, Visit
from fieldapp.visits import services as visits
from tests.browser.conftest import sign_in
from tests.helpers import user, village

pytestmark = pytest.mark.browser
OUTCOMES = ("warned", "nobody_home", "refused", "moved_away")
HISTORIES = [(status, list(seq)) for status in ("active", "moved")
             for n in range(4) for seq in itertools.product(OUTCOMES, repeat=n)]


def _statuses(campaign_id, ids) -> dict[str, str]:
    rows = db.session.execute(households_with_status(campaign_id, Household.id.in_(ids))).all()
    return {str(h.id): status for h, status, *_ in rows}


def _arrange(app):
    """A household per history, its visits recorded in order; a withdrawn visit too for some."""
    with app.app_context():
        campaign, officer, t01 = current_campaign(user("cskv1")), user("cskv1"), village("T01")
        moment = datetime.now(timezone.utc) - timedelta(days=1)
        cases = []
        for status, outcomes in HISTORIES:
            home = add_household(t01, {"head_name": "Thử Quy Tắc", "members": 2, "youth": 0}, officer)
            home.status = status
            made = [visits.record_visit(home, campaign, officer, visits.standard_values(campaign, o), recorded_at=moment)
                    for o in outcomes]
            cases.append({"id": str(home.id), "household_status": status, "outcomes": outcomes,
                          "visits": [{"id": str(v.id), "outcome": v.outcome} for v in made]})
        db.session.commit()
        ids = [uuid.UUID(c["id"]) for c in cases]
        sql = _statuses(campaign.id, ids)
        # the server's status before each history's last visit, for the phone's pending path
        last = [uuid.UUID(c["visits"][-1]["id"]) for c in cases if c["visits"]]
        db.session.execute(sa.update(Visit).where(Visit.id.in_(last)).values(replaced_at=datetime(2000, 1, 1)))
        before = _statuses(campaign.id, ids)
        db.session.rollback()
        return cases, sql, before


def test_the_phone_and_the_server_give_every_history_the_same_status(live_server, page, sqlite_app):
    cases, sql, before = _arrange(sqlite_app)
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    rule = page.evaluate("fetch('/api/me/pack').then(r => r.json()).then(p => p.status_rule)")
    phone = page.evaluate("""([rule, cases, before]) => cases.map(c => ({
        id: c.id,
        full: TN.statusOf(rule, c.household_status, c.outcomes),
        pending: c.outcomes.length ? TN.statusWith(rule, {status: before[c.id], household_status: c.household_status},
                                                    [c.outcomes[c.outcomes.length - 1]]) : null,
    }))""", [rule, cases, before])
    wrong = [(c["household_status"], c["outcomes"], sql[c["id"]], p["full"])
             for c, p in zip(cases, phone) if p["full"] != sql[c["id"]]]
    assert wrong == []
    # an unsent visit on top of what the server said (the phone offline): the same answer
    pending = [(c["household_status"], c["outcomes"], sql[c["id"]], p["pending"])
               for c, p in zip(cases, phone) if c["outcomes"] and p["pending"] != sql[c["id"]]]
    assert pending == []
    moved_away = next(p for c, p in zip(cases, phone) if c["outcomes"] == ["moved_away"] and c["household_status"] == "active")
    assert moved_away["pending"] == "excluded"  # once "Cần quay lại" on the phone, "Không tính" on the server


def test_the_phone_builds_the_one_tap_visit_the_server_would(live_server, page, sqlite_app):
    with sqlite_app.app_context():
        campaign = current_campaign(user("cskv1"))
        from fieldapp.campaigns.services import set_standard

        set_standard(campaign, ["link_la_otp", "tu_co_lap"], ["handbook"])
        db.session.commit()
        server = {o: visits.standard_values(campaign, o) for o in OUTCOMES}
    sign_in(page, live_server.url, "cskv1")
    page.goto(f"{live_server.url}/villages/")
    page.wait_for_selector("html[data-pack-ready]", state="attached")
    phone = page.evaluate("""(outcomes) => fetch('/api/me/pack').then(r => r.json()).then(p =>
        Object.fromEntries(outcomes.map(o => [o, TN.standardVisit(p.campaign, o)])))""", list(OUTCOMES))
    assert phone == server
