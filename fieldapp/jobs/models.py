"""The job queue's two tables: the jobs, and the workers that run them (for /readyz)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One unit of long work. A worker claims a queued job (`worker`) with a lease
    (`fieldapp.leases`, named `job:<id>`) that it renews while it runs; a lease left to expire
    means the worker died, and the job is queued again or, after `max_attempts`, failed."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_status_run_after", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # At most one job per key: a periodic task's run for one period, queued by whichever
    # worker gets there first.
    key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str | None] = mapped_column(sa.String(80))
    progress: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"


class Worker(db.Model):
    """A running worker process; `seen_at` is its heartbeat, which /readyz reads."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(120), default="")
    pid: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    job_id: Mapped[int | None]


class StoredFile(db.Model):
    """A file a job reads (an uploaded register), in the database: every app server and every
    worker reads it, and none keeps it on its own disk."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
