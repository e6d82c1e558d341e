"""A household's status in a campaign: one rule, stated once as data (`RULE`), which builds
the SQL that lists, counts and exports use, and travels in the offline pack so the phone
applies the same rule to the visits it has not sent yet (static/js/pack.js, `TN.statusOf`).

warned      — some visit in force in the campaign was `warned`;
revisit     — else some visit was `nobody_home` or `refused`;
excluded    — else the household moved or was merged, or a visit found it moved away;
not_visited — else.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..households.models import Household
from ..visits.models import Visit


# What a household's visits in force add up to, as one number (the lowest wins): 1 a visit
# warned, 2 an attempt (nobody home, refused), 3 it moved away; none when never visited.
WARNED, ATTEMPTED, MOVED_AWAY = 1, 2, 3
RANK = {"warned": WARNED, "nobody_home": ATTEMPTED, "refused": ATTEMPTED, "moved_away": MOVED_AWAY}
# The first clause that holds gives the status: `best` the lowest rank, `inactive` a household
# that moved or was merged.
RULE = {
    "rank": RANK,
    "clauses": [
        {"best": WARNED, "status": "warned"},
        {"best": ATTEMPTED, "status": "revisit"},
        {"inactive": True, "status": "excluded"},
        {"best": MOVED_AWAY, "status": "excluded"},
    ],
    "otherwise": "not_visited",
}


def _best_outcome() -> sa.ColumnElement[int]:
    return sa.func.min(sa.case(*((Visit.outcome == outcome, rank) for outcome, rank in RANK.items()))).label("best")


def _in_force(campaign_id: int, households: sa.Select | None):
    query = sa.select(Visit.household_id.label("household_id"), _best_outcome()).where(
        Visit.counted_in(campaign_id)).group_by(Visit.household_id)
    return query if households is None else query.where(Visit.household_id.in_(households))


def visit_summary(campaign_id: int, *, households: sa.Select | None = None) -> sa.Subquery:
    """Per household: its best outcome (see WARNED…), visit count, last visit time."""
    query = _in_force(campaign_id, households).add_columns(
        sa.func.count().label("visit_count"), sa.func.max(Visit.recorded_at).label("last_visit_at"))
    return query.subquery("visit_summary")


def best_outcomes(campaign_id: int, *, households: sa.Select | None = None) -> sa.Subquery:
    """Per household: only its best outcome; what the coverage rollups need, and cheap enough
    for a province (a million households): one pass over the in-force index, no sort."""
    return _in_force(campaign_id, households).subquery("visit_summary")


def status_expr(summary: sa.Subquery) -> sa.ColumnElement[str]:
    """The status of `Household` joined (outer) to `summary` (either of the two above), by RULE."""
    def holds(clause):
        return summary.c.best == clause["best"] if "best" in clause else Household.status != "active"

    return sa.case(*((holds(c), c["status"]) for c in RULE["clauses"]),
                   else_=RULE["otherwise"]).label("coverage_status")


def households_with_status(campaign_id: int | None, where) -> sa.Select:
    """SELECT (Household, status, visit_count, last_visit_at) for households matching `where`."""
    if campaign_id is None:
        excluded = sa.case((Household.status != "active", "excluded"), else_="not_visited")
        return sa.select(Household, excluded.label("coverage_status"), sa.literal(0).label("visit_count"),
                         sa.null().label("last_visit_at")).where(where)
    summary = visit_summary(campaign_id, households=sa.select(Household.id).where(where))
    return (
        sa.select(Household, status_expr(summary),
                  sa.func.coalesce(summary.c.visit_count, 0).label("visit_count"),
                  summary.c.last_visit_at)
        .outerjoin(summary, summary.c.household_id == Household.id)
        .where(where)
    )
