"""What proves a visit: the server's checks on it, the commander's reading of them, points
learnt from visits, and the weekly verification sample."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels
from ..extensions import db
from ..timeutil import utcnow

RESULTS = tuple(labels.VERIFICATION_RESULTS)  # confirmed, denied, unreachable


class VisitCheck(db.Model):
    """One flag the server raised on a visit at receipt (`code` from CHECKS), with its figures."""

    __tablename__ = "visit_checks"
    __table_args__ = (sa.Index("ix_visit_checks_code", "code", "visit_id"),)

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class CheckReview(db.Model):
    """A commander's reading of a flagged visit: fine (đúng) or a problem (có vấn đề), with a
    note. Rows are only added; the latest one per visit is in force."""

    __tablename__ = "check_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(sa.String(10))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class LearntPoint(db.Model):
    """A household without a point took one from a visit's good fix: who, when, how exact;
    the commander accepts it or clears it (the household loses the point again)."""

    __tablename__ = "learnt_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("households.id"), index=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    lat: Mapped[float]
    lon: Mapped[float]
    accuracy_m: Mapped[float]
    learnt_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    household = relationship("Household")


class VerificationDraw(db.Model):
    """One random draw of warned households to verify, for the visits of a commune's campaign
    received in [window_from, window_to). `seed` makes it reproducible (see verification.py)."""

    __tablename__ = "verification_draws"
    __table_args__ = (sa.UniqueConstraint("commune_id", "campaign_id", "window_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id"))
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    window_from: Mapped[datetime]
    window_to: Mapped[datetime]
    seed: Mapped[str] = mapped_column(sa.String(32))
    sample_min: Mapped[int]
    sample_pct: Mapped[float]
    population: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {officer id: warned visits}
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class Verification(db.Model):
    """One sampled warning, checked with the household by phone or in person."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("verification_draws.id"), index=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("households.id"))
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), index=True)
    result: Mapped[str | None] = mapped_column(sa.String(12))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime | None]

    draw = relationship(VerificationDraw)
    household = relationship("Household")
    officer = relationship("User", foreign_keys=[officer_id])
    by = relationship("User", foreign_keys=[by_id])
