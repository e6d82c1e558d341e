"""Jobs of the queue itself: finished jobs are kept a while for the record, then deleted."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..timeutil import utcnow
from .models import Job
from .services import task

KEEP_FINISHED = timedelta(days=30)


@task("jobs_upkeep", every=timedelta(days=1))
def upkeep(run) -> None:
    """Delete jobs done or failed more than KEEP_FINISHED ago."""
    gone = db.session.execute(sa.delete(Job).where(
        Job.status.in_(("done", "failed")), Job.finished_at < utcnow() - KEEP_FINISHED)).rowcount
    run.progress(deleted=gone)
