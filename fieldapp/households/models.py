"""Households (hộ): who lives where, as the register and the field know them.

A household is never deleted: it moves away (`moved`) or, found twice, is merged into the
one kept (`merged`, `merged_into_id`), so its visits and history stay readable.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..coverage.walk import walk_string
from ..extensions import db
from ..text import fold, given_name_key, nfc
from ..timeutil import utcnow

if TYPE_CHECKING:
    from ..register.models import Village


class Household(db.Model):
    __tablename__ = "households"
    __table_args__ = (
        sa.Index("ix_households_village_code", "village_id", "code"),
        # Covering: a province's coverage rollup reads households in id order from it alone.
        # PostgreSQL only (SQLite plans the dashboard's chart worse with it; see the migration).
        sa.Index("ix_households_id_status", "id", "village_id", "status", "youth").ddl_if(dialect="postgresql"),
        sa.CheckConstraint("members >= 1 AND members <= 99", name="members_range"),
        sa.CheckConstraint("youth >= 0 AND youth <= members", name="youth_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40), default="")
    head_name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(255), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(15))
    members: Mapped[int] = mapped_column(default=1)
    youth: Mapped[int] = mapped_column(default=0)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    status: Mapped[str] = mapped_column(sa.String(10), default="active", index=True)
    # The household's place on the village's own walking route (set by dragging or by the
    # import's `route` column); None: walk order by alley and house number.
    route: Mapped[int | None]
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("households.id"))
    # Diacritic-free text for search and a given-name-first sort key (see fieldapp.text).
    search_key: Mapped[str] = mapped_column(sa.String(400), default="")
    sort_key: Mapped[str] = mapped_column(sa.String(260), default="")
    walk_key: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")  # see coverage.walk
    source: Mapped[str] = mapped_column(sa.String(10), default="register")  # register|field
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship()

    def refresh_keys(self) -> None:
        """Normalise names to NFC and recompute the search, sort and walking-order keys."""
        self.head_name = nfc(self.head_name)
        self.address = nfc(self.address)
        self.code = nfc(self.code)
        self.search_key = fold(f"{self.code} {self.head_name} {self.address} {self.phone or ''}")
        self.sort_key = given_name_key(self.head_name)[:260]
        self.walk_key = walk_string(self.code, self.address)


@sa.event.listens_for(Household, "before_insert")
@sa.event.listens_for(Household, "before_update")
def _household_keys(_mapper, _conn, household: Household) -> None:
    household.refresh_keys()
