"""Import runs: one at a time per commune, with their progress and outcome.

The lock is a lease (`fieldapp.leases`) named after the commune (`import:<id>`), held by the
run (`run:<id>`) while it works and renewed by a heartbeat: a run started on a page is done
by a job (`register.tasks`), whose worker takes the lease and renews it with the job's own;
the command line takes it itself (`start`). A second import into the same commune gives way
(`refused`) before anything is stored, an import into another commune goes ahead, and
another commune's file is never named. A worker that dies stops renewing: within
LEASE_SECONDS its job is queued again (the same run takes its lease back) or failed (the run
says so), and a command-line run whose lease was taken over is marked failed.

A run started on a page is committed with its job and its stored file, so it never exists
without something that will finish it. Its progress is the job's (`jobs.services`). Its
summary quotes the file (first rows, wrong values): that part is dropped `KEEP_CHECKED` after
the run ends (`purge_previews`), as are stored files nobody imported (`sweep_files`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import leases
from ..accountability import audit
from ..extensions import db
from ..i18n import vn_time
from ..jobs import files
from ..jobs.models import Job
from ..timeutil import utcnow
from .models import ImportRun
from .readers import FileRefused, clean_filename

KEEP_CHECKED = timedelta(hours=24)  # a checked file, and any run's preview, are kept this long
PERSONAL_KEYS = ("preview", "errors")  # what in a run's summary quotes the file
WAIT_SECONDS = 5  # a job whose commune is busy looks again this much later


def lease_name(commune_id: int | None) -> str:
    return f"import:{commune_id or 'all'}"


def holder(run_id: int) -> str:
    return f"run:{run_id}"


def start(kind: str, filename: str, user_id: int | None, commune_id: int | None, *,
          queue: Callable[[], tuple[int, int]] | None = None) -> ImportRun:
    """Commit a new running run, or FileRefused when another import into that commune is
    under way (the run is kept as refused, saying which). `queue()` adds what will do the work
    (the stored file and its job: it returns their ids) to the session, committed with the
    run once the commune is free; without it (the command line) the run takes its commune's
    lease at once, where a job's worker takes it when it begins (`take`)."""
    run = ImportRun(kind=kind, filename=clean_filename(filename)[:255], status="running", user_id=user_id,
                    summary={}, commune_id=commune_id)
    busy = _busy_message(run)
    if busy is None and queue is not None:
        run.job_id, run.file_id = queue()
    db.session.add(run)
    db.session.commit()
    if busy is None and queue is None:
        busy = take(run)
    if busy is not None:
        fail(run.id, "refused", {"message": busy})  # shown on the run's page as it is
        raise FileRefused(busy)
    return run


def take(run: ImportRun, hold=leases.acquire) -> str | None:
    """Take the run's commune lease (with `hold(name, holder)`: a job's `Run.hold` renews it
    with the job); None when taken, else why not. A run whose lease expired under us is dead."""
    taken = hold(lease_name(run.commune_id), holder(run.id))
    if isinstance(taken, str):
        return _busy_message(run, taken)
    if taken.previous:
        _mark_dead(taken.previous)
    return None


def _busy_message(run: ImportRun, lease_holder: str | None = None) -> str | None:
    """Why the run must wait: the live import of its commune, or one waiting for a worker (the
    same commune: its file may be named); None when there is none."""
    lease_holder = lease_holder or leases.holder_of(lease_name(run.commune_id))
    other = _run_of(lease_holder) if lease_holder else None
    if other is None:
        other = db.session.scalar(sa.select(ImportRun).join(Job, Job.id == ImportRun.job_id).where(
            ImportRun.id != run.id, ImportRun.status == "running", Job.status.in_(("queued", "running")),
            ImportRun.commune_id.is_(None) if run.commune_id is None else ImportRun.commune_id == run.commune_id,
        ).order_by(ImportRun.id).limit(1))
    if other is not None:
        message = _("Another import (%(file)s, started at %(at)s) is still running; try again when it has "
                    "finished.", file=other.filename, at=vn_time(other.started_at))
    elif lease_holder:
        message = _("Another import is still running; try again when it has finished.")
    else:
        message = None
    db.session.rollback()  # end the read before any write (SQLite)
    return message


def _run_of(lease_holder: str) -> ImportRun | None:
    prefix, _sep, number = lease_holder.partition(":")
    return db.session.get(ImportRun, int(number)) if prefix == "run" and number.isdigit() else None


def _mark_dead(lease_holder: str) -> None:
    """The run whose lease expired stopped without a word (its process died): say so."""
    run = _run_of(lease_holder)
    if run is not None and run.status == "running":
        fail(run.id, "failed", {"message": _("The import stopped (its server process ended); nothing "
                                             "was written. Upload the file again.")})


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
    """Record the outcome and free the commune, in the session (the caller commits, with the
    import's rows)."""
    run.status = status
    run.summary = summary
    run.rows_done = summary.get("rows", run.rows_done or 0)
    run.finished_at = utcnow()
    if any(summary.get(key) for key in PERSONAL_KEYS):
        run.personal_until = run.finished_at + KEEP_CHECKED
    leases.release(holder(run.id))
    if status in ("done", "checked"):
        audit.record(f"{run.kind}_import" if status == "done" else f"{run.kind}_import_check",
                     "import_run", run.id, user=_user(run), filename=run.filename,
                     **{k: v for k, v in summary.items() if k in ("rows", "created", "updated", "unchanged")})


def fail(run_id: int, status: str, summary: dict) -> None:
    """Throw away the session's work and mark the run refused or failed, in its own transaction
    (unless another attempt at it finished it meanwhile); its commune is free."""
    db.session.rollback()
    db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id, ImportRun.status == "running").values(
        status=status, summary=summary, rows_done=summary.get("rows", 0), finished_at=utcnow()))
    leases.release(holder(run_id))
    db.session.commit()


def shown_summary(run: ImportRun, now: datetime | None = None) -> dict:
    """The run's summary as its page shows it: without the quoted rows once `personal_until`
    has passed, though the hourly upkeep (`purge_previews`) may not have dropped them yet."""
    summary = run.summary or {}
    if run.personal_until is not None and run.personal_until <= (now or utcnow()):
        return {k: v for k, v in summary.items() if k not in PERSONAL_KEYS}
    return summary


def purge_previews(now: datetime | None = None) -> int:
    """Drop the quoted rows (preview, errors) of runs past their `personal_until`; the counts
    stay. Returns how many runs. The caller commits."""
    runs = db.session.scalars(sa.select(ImportRun).where(ImportRun.personal_until <= (now or utcnow()))).all()
    for run in runs:
        run.summary = {k: v for k, v in (run.summary or {}).items() if k not in PERSONAL_KEYS}
        run.personal_until = None
    db.session.flush()
    return len(runs)


def sweep_files(now: datetime | None = None) -> int:
    """Delete stored uploads (households' names and phones) kept longer than KEEP_CHECKED that
    no running import still reads: a file checked and never imported is not kept for ever.
    Returns how many. The caller commits."""
    reading = sa.select(ImportRun.file_id).where(ImportRun.status == "running", ImportRun.file_id.is_not(None))
    return files.sweep((now or utcnow()) - KEEP_CHECKED, keep=reading)


def _user(run: ImportRun):
    from ..auth.models import User

    return db.session.get(User, run.user_id) if run.user_id else None
