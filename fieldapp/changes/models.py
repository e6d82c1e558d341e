"""Changes to the register that a village head reports and a commander accepts or rejects.

A village head never edits the register: he reports a new household, one that moved away,
one registered twice, or wrong details, with a note; the report waits in the commander's
queue, and only an accepted report changes the register (through `households.services`).
"""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class RegisterChange(db.Model):
    __tablename__ = "register_changes"
    __table_args__ = (sa.Index("ix_register_changes_status_village", "status", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # labels.CHANGE_KINDS
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"))
    household_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("households.id"), index=True)
    other_household_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("households.id"))
    # A new household's details, or the corrected ones (only the fields that differ).
    proposed: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(10), default="open")  # labels.CHANGE_STATUSES
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    result_household_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("households.id"))

    village = relationship("Village")
    household = relationship("Household", foreign_keys=[household_id])
    other_household = relationship("Household", foreign_keys=[other_household_id])
    reported_by = relationship("User", foreign_keys=[reported_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
