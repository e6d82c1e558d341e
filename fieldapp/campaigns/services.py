"""Which campaign is current, the one rule every page, pack, export and report uses."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import today_vn
from .models import Campaign


def _in_commune(commune_id: int | None):
    return sa.or_(Campaign.commune_id == commune_id, Campaign.commune_id.is_(None))


def pick(query: sa.Select) -> Campaign | None:
    """The current one among the campaigns `query` selects: a running one (the latest to
    start), else the latest to end (ended or closed: its results stay on the pages until
    the next starts), else the next to start."""
    today = today_vn()
    running = sa.and_(Campaign.includes(today), Campaign.closed_at.is_(None))
    ended = sa.or_(Campaign.ends_on < today, Campaign.closed_at.is_not(None))
    rank = sa.case((running, 0), (ended, 1), else_=2)
    return db.session.scalar(query.order_by(
        rank,
        sa.case((running, Campaign.starts_on)).desc(),
        sa.case((ended, Campaign.ends_on)).desc(),
        Campaign.starts_on, Campaign.id.desc()).limit(1))


def current_campaign(user=None, *, commune_id: int | None = None) -> Campaign | None:
    """The current campaign of a commune (`commune_id`, e.g. a village's), else of the
    user's commune; an admin without one gets the only commune's, or, with several
    communes, the current one among them all. None when there is no campaign."""
    from ..register.services import commune_or_only

    if commune_id is None and user is not None:
        commune_id = commune_or_only(user.commune_id)
    query = sa.select(Campaign)
    if commune_id is not None:
        query = query.where(_in_commune(commune_id))
    elif user is not None and user.role != "admin":
        query = query.where(Campaign.commune_id.is_(None))
    return pick(query)


def get_campaign(campaign_id: int, commune_id: int | None) -> Campaign | None:
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.id == campaign_id, _in_commune(commune_id)))
