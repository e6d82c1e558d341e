"""Arrange visits at chosen Vietnam times, received when the test says."""
from __future__ import annotations

from datetime import datetime

from fieldapp.campaigns.services import current_campaign
from fieldapp.extensions import db
from fieldapp.timeutil import VN, to_utc_naive
from fieldapp.visits import services as visits
from tests.helpers import user


def vn(text: str) -> datetime:
    """'2025-11-15 10:00' in Vietnam time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def add_visit(household, username: str, outcome: str, at: str, received: str | None = None,
              companions=(), youth: int = 0, supersedes=None):
    """A visit made at `at` (Vietnam time) that reached the server at `received` (default `at`)."""
    campaign = current_campaign(commune_id=household.village.commune_id)
    values = visits.standard_values(campaign, outcome)
    values.update(companions=list(companions), people_reached=2 if outcome == "warned" else 0,
                  youth_reached=youth if outcome == "warned" else 0)
    visit = visits.record_visit(household, campaign, user(username), values, recorded_at=vn(at),
                                supersedes=supersedes)
    visit.received_at = to_utc_naive(vn(received or at))
    if supersedes is not None:
        supersedes.replaced_at = visit.received_at
    db.session.commit()
    return visit
