"""Which campaign is running, and its topics."""
from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import today_vn
from .models import Campaign


def active_campaign(commune_id: int | None) -> Campaign | None:
    """The campaign marked active, else the latest-starting one whose dates include today,
    else the most recent one (so pages never go blank between campaigns)."""
    scope = sa.or_(Campaign.commune_id == commune_id, Campaign.commune_id.is_(None))
    base = sa.select(Campaign).where(scope)
    today = today_vn()
    return (
        db.session.scalar(base.where(Campaign.is_active).order_by(Campaign.starts_on.desc()))
        or db.session.scalar(
            base.where(Campaign.starts_on <= today, Campaign.ends_on >= today)
            .order_by(Campaign.starts_on.desc())
        )
        or db.session.scalar(base.order_by(Campaign.ends_on.desc()))
    )


def get_campaign(campaign_id: int, commune_id: int | None) -> Campaign | None:
    return db.session.scalar(
        sa.select(Campaign).where(
            Campaign.id == campaign_id,
            sa.or_(Campaign.commune_id == commune_id, Campaign.commune_id.is_(None)),
        )
    )
