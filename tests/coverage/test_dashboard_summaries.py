"""The commune dashboard reads its figures from the summary rows (`coverage.summaries`): every
village's counts and youth counts equal a recount from households and visits by the status
rules, with mixed outcomes (withdrawn visits, households that moved, moved away, youths), and
the page never scans the households."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

import re

import sqlalchemy as sa
from flask import template_rendered

from fieldapp.campaigns.services import current_campaign
from fieldapp.models import Household, Village
from fieldapp.timeutil import utcnow
from fieldapp.visits.services import record_visit, standard_values
from tests.coverage import truth
from tests.helpers import households_of, user, village

HOUSEHOLDS = re.compile(r"\b(FROM|JOIN)\s+households\b|(?<![\w.])households\.", re.I)


def _mix(session) -> None:
    """Outcomes of every kind in T03: a warning withdrawn (then nobody home), a household gone
    after its warning, one that moved away, one gone never visited, youths among them."""
    target = village("T03")
    campaign = current_campaign(commune_id=target.commune_id)
    officer = user("antt3")
    homes = households_of("T03")[:6]
    at = datetime.combine(campaign.starts_on, datetime.min.time()) + timedelta(hours=3)
    withdrawn = record_visit(homes[0], campaign, officer, standard_values(campaign, "warned"), recorded_at=at)
    withdrawn.replaced_at = utcnow()
    record_visit(homes[0], campaign, officer, standard_values(campaign, "nobody_home"), recorded_at=at)
    record_visit(homes[1], campaign, officer, standard_values(campaign, "warned"), recorded_at=at + timedelta(days=1))
    homes[1].status, homes[1].youth = "moved", 2
    record_visit(homes[2], campaign, officer, standard_values(campaign, "moved_away"), recorded_at=at)
    homes[3].status = "moved"
    homes[4].youth = 1
    record_visit(homes[4], campaign, officer, standard_values(campaign, "refused"), recorded_at=at)
    session.commit()


def _recount(campaign_id: int) -> dict[str, tuple[Counter, Counter]]:
    """{village code: (households by status, households with youths by status)}."""
    status = truth.statuses(campaign_id)
    codes = dict(truth.db.session.execute(sa.select(Village.id, Village.code)).all())
    counts: dict[str, tuple[Counter, Counter]] = defaultdict(lambda: (Counter(), Counter()))
    for h in truth.db.session.scalars(sa.select(Household)):
        counts[codes[h.village_id]][0][status[h.id]] += 1
        counts[codes[h.village_id]][1][status[h.id]] += h.youth > 0
    return counts


def _dashboard_rows(app, client, path: str = "/coverage/") -> list:
    seen = []

    def keep(_sender, template, context, **_extra):
        if template.name == "coverage/dashboard.html":
            seen.append(context)

    with template_rendered.connected_to(keep, app):
        assert client.get(path).status_code == 200
    return seen[0]["rows"]


def _positive(counter: Counter) -> dict:
    return {k: v for k, v in counter.items() if v}


def test_every_village_figure_equals_a_recount(app, client, auth, db_session):
    _mix(db_session)
    expected = _recount(truth.campaign_id())
    auth.login("chihuy")
    rows = _dashboard_rows(app, client)
    assert len(rows) == 31
    assert sum(r.counts["excluded"] for r in rows) >= 2 and sum(r.counts["revisit"] for r in rows) >= 2
    for row in rows:
        households, youth = expected[row.village.code]
        assert _positive(Counter(row.counts)) == _positive(households), row.village.code
        assert _positive(Counter(row.youth)) == _positive(youth), row.village.code


def test_the_dashboard_never_reads_the_households(app, client, auth, db_session):
    """The counts come from the summary rows: no statement of the page reads the households."""
    from fieldapp.extensions import db

    auth.login("chihuy")
    client.get("/coverage/")
    statements = []
    with app.app_context():
        engine = db.engine

    def keep(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get("/coverage/").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    assert statements
    scans = [s for s in statements if HOUSEHOLDS.search(s)]
    assert not scans, scans
