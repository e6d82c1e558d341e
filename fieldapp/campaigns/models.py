"""Campaigns, the warning topics they cover, and their standard package.

A campaign's state follows its dates in Vietnam time (upcoming, running, ended) until a
commander closes it once it has ended (closed). The standard package is what a one-tap
"Đã cảnh báo" records: the topics marked `in_standard` and `standard_materials`.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import today_vn

STATES = ("upcoming", "running", "ended", "closed")


class Topic(db.Model):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    label_vi: Mapped[str] = mapped_column(sa.String(255))
    label_en: Mapped[str] = mapped_column(sa.String(255), default="")

    def label(self, locale: str = "vi") -> str:
        return self.label_en if locale == "en" and self.label_en else self.label_vi


class CampaignTopic(db.Model):
    """A topic's place in a campaign; `added_on` marks topics added mid-campaign;
    `in_standard` puts it in the one-tap warning."""

    __tablename__ = "campaign_topics"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    added_on: Mapped[date | None]
    in_standard: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    topic: Mapped[Topic] = relationship(lazy="joined")


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    standard_materials: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["leaflet"],
                                                     server_default=sa.text("'[\"leaflet\"]'"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    campaign_topics: Mapped[list[CampaignTopic]] = relationship(
        order_by=CampaignTopic.position, cascade="all, delete-orphan"
    )

    @property
    def topics(self) -> list[Topic]:
        return [ct.topic for ct in self.campaign_topics]

    @property
    def standard(self) -> dict[str, list[str]]:
        """The one-tap warning: {"topics": [codes in order], "materials": [codes]}."""
        return {"topics": [ct.topic.code for ct in self.campaign_topics if ct.in_standard],
                "materials": list(self.standard_materials or [])}

    def state_on(self, day: date) -> str:
        if self.closed_at is not None:
            return "closed"
        if day < self.starts_on:
            return "upcoming"
        return "running" if day <= self.ends_on else "ended"

    @property
    def state(self) -> str:
        """upcoming / running / ended by today's date in Vietnam; closed once closed."""
        return self.state_on(today_vn())

    @hybrid_method
    def includes(self, day: date) -> bool:
        """The campaign's dates include `day` (a Vietnam calendar day)."""
        return self.starts_on <= day <= self.ends_on

    @includes.expression
    @classmethod
    def _includes(cls, day: date):
        return sa.and_(cls.starts_on <= day, cls.ends_on >= day)

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
