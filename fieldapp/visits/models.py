"""Visits (lượt đến nhà): made on the device, never edited in place.

A correction is a new visit whose `supersedes_id` names the old one (with the `reason`
given); the old row then gets `replaced_at` (once, reason "corrected") and stays for
history. A withdrawal (an undo within seconds of a tap, or later with a reason) is a
`VisitWithdrawal` record, and the visit gets `replaced_at` with reason "withdrawn".
`Visit.in_force` (Python and SQL) is the one statement of "in force".
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

visit_companions = sa.Table(
    "visit_companions",
    db.metadata,
    sa.Column("visit_id", sa.Uuid, sa.ForeignKey("visits.id"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    # a person's visits as companion (the dashboard's officer activity), without reading them all
    sa.Index("ix_visit_companions_user", "user_id", "visit_id"),
)


class VisitTopic(db.Model):
    __tablename__ = "visit_topics"

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), primary_key=True)
    topic_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)


class VisitMaterial(db.Model):
    __tablename__ = "visit_materials"

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        sa.Index("ix_visits_campaign_household", "campaign_id", "household_id"),
        sa.Index("ix_visits_user_received", "user_id", "received_at"),
        # Covering indexes of the visits in force, for coverage status and officer activity.
        sa.Index("ix_visits_in_force_household", "campaign_id", "household_id", "outcome", "recorded_at", "replaced_at",
                 sqlite_where=sa.text("replaced_at IS NULL"), postgresql_where=sa.text("replaced_at IS NULL")),
        sa.Index("ix_visits_in_force_user", "campaign_id", "user_id", "outcome", "household_id", "recorded_at", "replaced_at",
                 sqlite_where=sa.text("replaced_at IS NULL"), postgresql_where=sa.text("replaced_at IS NULL")),
        # A recorder's visits in force by device time: the burst check's neighbours (proof.checks).
        sa.Index("ix_visits_user_recorded", "user_id", "recorded_at", "id", "outcome",
                 sqlite_where=sa.text("replaced_at IS NULL"), postgresql_where=sa.text("replaced_at IS NULL")),
        sa.CheckConstraint("people_reached >= 0", name="people_nonneg"),
        sa.CheckConstraint("youth_reached >= 0", name="youth_nonneg"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("households.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    # Device clock (as UTC) with the device's UTC offset; the server's own clock beside it.
    recorded_at: Mapped[datetime]
    recorded_offset_min: Mapped[int] = mapped_column(default=420)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[str] = mapped_column(sa.String(80), default="web")
    seq: Mapped[int | None]
    people_reached: Mapped[int] = mapped_column(default=0)
    youth_reached: Mapped[int] = mapped_column(default=0)
    commitment_signed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("visits.id"))
    replaced_at: Mapped[datetime | None]
    replaced_reason: Mapped[str | None] = mapped_column(sa.String(20))
    # Why this visit supersedes another (a correction); None for a first record.
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # Recorded exactly as the campaign's standard package (the one-tap visit), not detailed.
    standard: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    household = relationship("Household")
    campaign = relationship("Campaign")
    user = relationship("User", foreign_keys=[user_id])
    companions = relationship("User", secondary=visit_companions, order_by="User.username")
    topic_rows: Mapped[list[VisitTopic]] = relationship(cascade="all, delete-orphan")
    material_rows: Mapped[list[VisitMaterial]] = relationship(cascade="all, delete-orphan")

    @property
    def topics(self) -> list[str]:
        return [t.topic_code for t in self.topic_rows]

    @property
    def materials(self) -> list[str]:
        return [m.code for m in self.material_rows]

    @hybrid_property
    def visited_at(self) -> datetime:
        """When the visit happened, as far as the server can tell: the device's time, unless
        the device's clock ran ahead of the server's receipt, then the receipt time (a visit
        cannot have happened after the server had it). As-of answers and idle lists use it."""
        return min(self.recorded_at, self.received_at)

    @visited_at.inplace.expression
    @classmethod
    def _visited_at(cls):
        return sa.case((cls.recorded_at > cls.received_at, cls.received_at), else_=cls.recorded_at)

    @hybrid_property
    def in_force(self) -> bool:
        """Not corrected or withdrawn (now)."""
        return self.replaced_at is None

    @in_force.inplace.expression
    @classmethod
    def _in_force(cls):
        return cls.replaced_at.is_(None)

    @classmethod
    def counted_in(cls, campaign_id: int):
        """SQL: a visit in force in the campaign, what coverage counts."""
        return sa.and_(cls.campaign_id == campaign_id, cls.replaced_at.is_(None))

    @hybrid_method
    def in_force_by(self, cutoff: datetime) -> bool:
        """In force as the record stood at `cutoff` (naive UTC): received and visited (see
        `visited_at`) before it, not replaced before it (see accountability.queries)."""
        return (self.received_at < cutoff and self.visited_at < cutoff
                and (self.replaced_at is None or self.replaced_at >= cutoff))

    @in_force_by.expression
    @classmethod
    def _in_force_by(cls, cutoff: datetime):
        return sa.and_(cls.received_at < cutoff, cls.visited_at < cutoff, cls.standing_at(cutoff))

    @classmethod
    def standing_at(cls, moment: datetime):
        """SQL: not corrected or withdrawn before `moment` (naive UTC)."""
        return sa.or_(cls.replaced_at.is_(None), cls.replaced_at >= moment)

    @property
    def people(self) -> list:
        """Everyone credited with the visit: the recorder first, then companions."""
        return [self.user, *[c for c in self.companions if c.id != self.user_id]]


class VisitWithdrawal(db.Model):
    """A visit taken back by its author or a commander: an undo right after the tap (no
    reason) or a withdrawal later with a reason. The visit itself stays, not in force."""

    __tablename__ = "visit_withdrawals"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[str] = mapped_column(sa.String(80), default="web")

    user = relationship("User")
