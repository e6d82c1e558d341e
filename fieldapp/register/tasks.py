"""Jobs of the register: a household import uploaded on any server, which takes its
commune's lease for as long as it runs (the worker renews it), and the hourly upkeep that
deletes stored uploads nobody imported and previews a day old."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from .. import leases
from ..extensions import db
from ..jobs import files
from ..jobs.services import Postpone, task
from ..timeutil import utcnow
from . import runs
from .models import ImportRun
from .readers import FileRefused, kind_of
from .services import import_households


def _run_of(job_id: int) -> ImportRun | None:
    return db.session.scalar(sa.select(ImportRun).where(ImportRun.job_id == job_id))


def _stopped(job) -> None:
    """The job's last attempt died with its worker: the run fails with a message and frees its
    commune; the database holds nothing of it (its transaction never committed)."""
    run_id = db.session.scalar(sa.select(ImportRun.id).where(ImportRun.job_id == job.id))
    db.session.execute(sa.update(ImportRun).where(ImportRun.job_id == job.id, ImportRun.status == "running")
                       .values(status="failed", finished_at=utcnow(), summary={"message": _(
                           "The import stopped before it finished (its worker stopped); nothing was "
                           "written. Upload the file again."), "error_count": 1}))
    if run_id is not None:
        leases.release(runs.holder(run_id))


@task("import_households", max_attempts=2, on_failure=_stopped)
def import_uploaded(job, file_id: int, commune_id: int | None, dry_run: bool) -> None:
    """Check (and unless `dry_run`, import) the stored upload of the job's run, holding its
    commune's lease (the job waits while another import holds it). A run already finished (by
    an earlier attempt, or refused at its start) is left as it is."""
    run = _run_of(job.job_id)
    if run is not None and run.status == "running":
        if runs.take(run, hold=job.hold) is not None:
            raise Postpone(runs.WAIT_SECONDS)
        run_id, suffix = run.id, f".{kind_of(run.filename)}"
        with files.materialized(file_id, suffix) as path:
            try:
                import_households(run_id, path, commune_id=commune_id, dry_run=dry_run,
                                  echo=lambda phase, done, total: job.progress(phase=phase, done=done, total=total))
            except FileRefused:
                pass  # recorded on the run
            except Exception:  # recorded on the run as failed; the traceback goes to the log
                current_app.logger.exception("import %s failed", run_id)
    run = _run_of(job.job_id)
    if run is None or run.status != "checked":
        files.delete(file_id)
    db.session.commit()


@task("register_upkeep", every=timedelta(hours=1))
def upkeep(job) -> None:
    """Delete uploads kept longer than KEEP_CHECKED that no running import still reads, and the
    rows that runs a day old quote from their file."""
    gone = runs.sweep_files()
    job.progress(deleted=gone, previews=runs.purge_previews())
