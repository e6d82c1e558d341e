"""The register: communes, their villages, and the imports that fill them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Commune(db.Model):
    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    province: Mapped[str] = mapped_column(sa.String(120), default="")

    villages: Mapped[list[Village]] = relationship(back_populates="commune")


class Village(db.Model):
    __tablename__ = "villages"
    __table_args__ = (sa.UniqueConstraint("commune_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(120))
    # GeoJSON geometry (Polygon/MultiPolygon, [lon, lat]) and a centroid for maps.
    boundary: Mapped[dict | None] = mapped_column(sa.JSON)
    lat: Mapped[float | None]
    lon: Mapped[float | None]

    commune: Mapped[Commune] = relationship(back_populates="villages")

    def __repr__(self) -> str:
        return f"<Village {self.code}>"


class ImportRun(db.Model):
    """One register import: a lock against two at once, its progress and its summary."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="running")
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The commune whose lease the run takes (none: an admin's import over several communes).
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"))
    # Uploaded on a page: the job that imports it and the stored file (none for the CLI).
    job_id: Mapped[int | None] = mapped_column(index=True)
    file_id: Mapped[int | None]
    # The summary's preview and errors quote the file (names, phones): dropped at this time.
    personal_until: Mapped[datetime | None] = mapped_column(index=True)


