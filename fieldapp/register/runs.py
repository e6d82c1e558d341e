"""Import runs: one at a time, with their progress and outcome.

The lock is the `import_runs` table itself. A new run is committed as `running` first, then
looks for any other live run: if there is one it gives way (`refused`) before touching
anything. Two that start together may both give way, never both write. A run not finished
after `STALE_AFTER` is taken as dead (its process crashed) and no longer blocks.

A run started on a page is done by a job (`register.tasks`): the run is committed with its
job and its stored file, so it never exists without something that will finish it, and a job
whose worker died for good marks it failed. Its progress is the job's (`jobs.services`).
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accountability import audit
from ..extensions import db
from ..i18n import vn_time
from ..timeutil import utcnow
from .models import ImportRun
from .readers import FileRefused

STALE_AFTER = timedelta(hours=2)
KEEP_CHECKED = timedelta(hours=24)  # a checked, not imported file waits this long, then goes
LIVE = ("running",)


def start(kind: str, filename: str, user_id: int | None, *, job_id: int | None = None,
          file_id: int | None = None) -> ImportRun:
    """Commit a new running run (with whatever the session holds: its job and file), or
    FileRefused when another import is under way."""
    run = ImportRun(kind=kind, filename=filename[:255], status="running", user_id=user_id, summary={},
                    job_id=job_id, file_id=file_id)
    db.session.add(run)
    db.session.commit()
    other = db.session.execute(
        sa.select(ImportRun.filename, ImportRun.started_at)
        .where(ImportRun.id != run.id, ImportRun.status.in_(LIVE), ImportRun.started_at > utcnow() - STALE_AFTER)
        .order_by(ImportRun.started_at)).first()
    db.session.rollback()  # end this read before any write (SQLite refuses to upgrade a stale read)
    if other is not None:
        message = _("Another import (%(file)s, started at %(at)s) is still running; "
                    "try again when it has finished.", file=other.filename, at=vn_time(other.started_at))
        fail(run.id, "refused", {"message": message})  # shown on the run's page as it is
        raise FileRefused(message)
    return run


def take_write_lock(run_id: int) -> ImportRun | None:
    """Begin the import's transaction with a write, so SQLite holds its write lock from the
    first statement (a transaction that reads first cannot write once another has committed).
    On PostgreSQL the run's row stays locked until the import commits: a second attempt at the
    same run (a worker thought dead) waits here, then finds it finished and gets None."""
    db.session.commit()
    taken = db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id, ImportRun.status == "running")
                               .values(status="running")).rowcount
    return db.session.get(ImportRun, run_id) if taken else None


def finish(run: ImportRun, status: str, summary: dict) -> None:
    """Record the outcome in the session (the caller commits, with the import's rows)."""
    run.status = status
    run.summary = summary
    run.rows_done = summary.get("rows", run.rows_done or 0)
    run.finished_at = utcnow()
    if status in ("done", "checked"):
        audit.record(f"{run.kind}_import" if status == "done" else f"{run.kind}_import_check",
                     "import_run", run.id, user=_user(run), filename=run.filename,
                     **{k: v for k, v in summary.items() if k in ("rows", "created", "updated", "unchanged")})


def fail(run_id: int, status: str, summary: dict) -> None:
    """Throw away the session's work and mark the run refused or failed, in its own transaction
    (unless another attempt at it finished it meanwhile)."""
    db.session.rollback()
    db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id, ImportRun.status == "running").values(
        status=status, summary=summary, rows_done=summary.get("rows", 0), finished_at=utcnow()))
    db.session.commit()


def _user(run: ImportRun):
    from ..auth.models import User

    return db.session.get(User, run.user_id) if run.user_id else None
