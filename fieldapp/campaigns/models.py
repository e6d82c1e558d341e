"""Campaigns and the warning topics they cover."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Topic(db.Model):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    label_vi: Mapped[str] = mapped_column(sa.String(255))
    label_en: Mapped[str] = mapped_column(sa.String(255), default="")

    def label(self, locale: str = "vi") -> str:
        return self.label_en if locale == "en" and self.label_en else self.label_vi


class CampaignTopic(db.Model):
    """A topic's place in a campaign; `added_on` marks topics added mid-campaign."""

    __tablename__ = "campaign_topics"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    added_on: Mapped[date | None]

    topic: Mapped[Topic] = relationship(lazy="joined")


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # Marked active wins over the dates; otherwise the campaign whose dates include today.
    is_active: Mapped[bool] = mapped_column(default=False)

    campaign_topics: Mapped[list[CampaignTopic]] = relationship(
        order_by=CampaignTopic.position, cascade="all, delete-orphan"
    )

    @property
    def topics(self) -> list[Topic]:
        return [ct.topic for ct in self.campaign_topics]


class VillageTarget(db.Model):
    """A village's own target (share of its households warned, in percent) and deadline in a
    campaign. A village without one uses the dashboard's target and the campaign's end."""

    __tablename__ = "village_targets"
    __table_args__ = (sa.CheckConstraint("target_pct IS NULL OR (target_pct >= 1 AND target_pct <= 100)",
                                         name="target_range"),)

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), primary_key=True)
    target_pct: Mapped[int | None]
    due_on: Mapped[date | None]
