"""A file somebody asked for: the request it repeats, the job that builds it, the file it became."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


PATH_MAX = 2000  # a longer request is no real export's: it is answered at once


class Download(db.Model):
    """One export asked for by `user_id` (only they may see it or fetch its file). `path` is the
    request it repeats (path and query); `rows` what it counted before queueing; the file is a
    `StoredFile` once built; `error` says why it could not be built."""

    __tablename__ = "downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(sa.String(PATH_MAX))
    rows: Mapped[int] = mapped_column(default=0)
    job_id: Mapped[int | None]
    file_id: Mapped[int | None]
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    mimetype: Mapped[str] = mapped_column(sa.String(120), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def asked_for(self) -> str:
        """The export's own name ("coverage.xlsx"), before its file has one."""
        return self.path.split("?", 1)[0].rsplit("/", 1)[-1]
