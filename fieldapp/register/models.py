"""The register: communes, their villages, and the imports that fill them."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Province(db.Model):
    """A province of the official list (see `register.units`): 2-digit code and name."""

    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))

    communes: Mapped[list[Commune]] = relationship(back_populates="province", foreign_keys="Commune.province_id")

    def __str__(self) -> str:
        return self.name

    @property
    def in_sentence(self) -> str:
        """"tỉnh Quảng Ngãi", "thành phố Huế": the name inside a sentence ("Công an tỉnh …")."""
        return "thành phố " + self.name[len("Thành phố "):] if self.name.startswith("Thành phố ") else f"tỉnh {self.name}"


class Commune(db.Model):
    """A commune (xã, phường, đặc khu) under its official code and name; older communes made
    before official units (or by hand in tests) may have no province. A commune merged into
    another is kept, retired (`merged_into_id`), so its code stays known and refused."""

    __tablename__ = "communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provinces.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"))
    retired_on: Mapped[date | None]

    province: Mapped[Province | None] = relationship(back_populates="communes", foreign_keys=[province_id])
    villages: Mapped[list[Village]] = relationship(back_populates="commune")
    history: Mapped[list[CommuneHistory]] = relationship(
        back_populates="commune", order_by="CommuneHistory.ended_on.desc(), CommuneHistory.id.desc()",
        foreign_keys="CommuneHistory.commune_id")

    @property
    def retired(self) -> bool:
        return self.merged_into_id is not None

    @property
    def in_sentence(self) -> str:
        """The name inside a sentence: "Công an xã An Phú", not "Công an Xã An Phú"."""
        for kind in ("Xã ", "Phường ", "Đặc khu "):
            if self.name.startswith(kind):
                return kind.lower() + self.name[len(kind):]
        return self.name


class CommuneHistory(db.Model):
    """A former code and name of a commune: its own before a renaming, or that of a commune
    merged into it. Rows are only added."""

    __tablename__ = "commune_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    change: Mapped[str] = mapped_column(sa.String(10))  # renamed | merged
    ended_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    commune: Mapped[Commune] = relationship(back_populates="history", foreign_keys=[commune_id])


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


