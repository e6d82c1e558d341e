"""Summary rows behind the province's figures, kept current as visits and households change
(see `coverage.rollups`), so a province's dashboard reads a few thousand rows instead of a
million households:

- `HouseholdMark`: a household's standing in a campaign once it has a visit in force (its
  status, the day it got there, its youth and active flags): what the counts below are made of,
  so a change can take the old standing out and put the new one in;
- `VillageStatusSummary`: per campaign, village and status, the marked households;
- `VillageDaySummary`: per campaign, village and Vietnam day, the households warned that day;
- `VillageRegisterSummary`: per village, its households (any campaign, visited or not);
- `VillageCheckSummary`: per campaign, village and answer, the households of the verification
  sample (`proof.verification`), so verified coverage does not count the sample at each view.

A household without a mark in a campaign is `not_visited`, or `excluded` when it is not active.
"""
from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class HouseholdMark(db.Model):
    """Keyed by household first (the upkeep reads a batch's households' marks of every
    campaign), one b-tree and no foreign key: a batch's first visits insert into random
    places of it, and `rollups.rebuild()` can derive the whole table again."""

    __tablename__ = "summary_marks"
    __table_args__ = (sa.PrimaryKeyConstraint("household_id", "campaign_id"),)

    campaign_id: Mapped[int]
    household_id: Mapped[uuid.UUID]
    village_id: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12))  # warned | revisit | excluded
    day: Mapped[date]
    youth: Mapped[bool]
    inactive: Mapped[bool]


class VillageStatusSummary(db.Model):
    __tablename__ = "summary_village_status"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    households: Mapped[int] = mapped_column(default=0)
    youth: Mapped[int] = mapped_column(default=0)
    inactive: Mapped[int] = mapped_column(default=0)
    inactive_youth: Mapped[int] = mapped_column(default=0)


class VillageDaySummary(db.Model):
    __tablename__ = "summary_village_days"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    warned: Mapped[int] = mapped_column(default=0)
    youth_warned: Mapped[int] = mapped_column(default=0)


class VillageRegisterSummary(db.Model):
    __tablename__ = "summary_village_register"

    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), primary_key=True)
    households: Mapped[int] = mapped_column(default=0)
    youth: Mapped[int] = mapped_column(default=0)
    inactive: Mapped[int] = mapped_column(default=0)
    inactive_youth: Mapped[int] = mapped_column(default=0)


class VillageCheckSummary(db.Model):
    __tablename__ = "summary_village_checks"

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), primary_key=True)
    result: Mapped[str] = mapped_column(sa.String(12), primary_key=True)  # confirmed | denied | unreachable | pending
    households: Mapped[int] = mapped_column(default=0)
