"""The photo of a visit's signed commitment, kept in the database (see the package's docstring)."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class CommitmentPhoto(db.Model):
    __tablename__ = "commitment_photos"

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id"), primary_key=True)
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))  # JPEG; loaded only to serve it
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
