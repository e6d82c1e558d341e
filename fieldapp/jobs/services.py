"""The queue: tasks by name, and the operations on the jobs table.

`enqueue` only adds to the caller's session (the job commits with the rows that need it).
The worker's operations each run one short transaction that begins with its write, so on
SQLite they take the write lock at their first statement, and on PostgreSQL two workers
never claim or reap the same job (`FOR UPDATE SKIP LOCKED`, and UPDATEs that re-check their
condition once a concurrent one commits). A running job's lease is a lease like any other
(`fieldapp.leases`, named `job:<id>`, held by the worker): the claim grants it, the
worker's heartbeat renews it, the end of the job releases it, and a job whose lease expired
is reaped.

A job runs at least once: a worker can die after its work committed but before the job is
marked done, and then the job runs again. Tasks are written to notice that (an import whose
run is already finished does nothing).
"""
from __future__ import annotations

from collections.abc import Callable
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from .. import leases
from ..extensions import db
from ..timeutil import utcnow
from .models import Job, Worker


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[..., None]
    max_attempts: int = 3
    every: timedelta | None = None  # queued once per period by whichever worker looks first
    on_failure: Callable[[Job], None] | None = None  # the last attempt failed or its worker died


TASKS: dict[str, Task] = {}


class Postpone(Exception):
    """Raised by a task that cannot run yet (what it needs is locked by another): the job is
    queued again `seconds` later, and this attempt does not count."""

    def __init__(self, seconds: float):
        super().__init__(f"postponed by {seconds} s")
        self.seconds = seconds


def task(name: str, *, max_attempts: int = 3, every: timedelta | None = None,
         on_failure: Callable[[Job], None] | None = None):
    """Register `fn(run, **args)` as the task `name`; `run` is the job's `Run` handle."""
    def register(fn):
        TASKS[name] = Task(name, fn, max_attempts, every, on_failure)
        return fn
    return register


def lease_name(job_id: int) -> str:
    return f"job:{job_id}"


def enqueue(kind: str, *, key: str | None = None, run_after: datetime | None = None, **args) -> Job:
    """Add a job to the session (flushed, not committed)."""
    if kind not in TASKS:
        raise KeyError(f"no task named {kind!r}")
    job = Job(kind=kind, args=args, key=key, max_attempts=TASKS[kind].max_attempts,
              run_after=run_after or utcnow(), status="queued")
    db.session.add(job)
    db.session.flush()
    return job


def claim(worker: str) -> Job | None:
    """Take the oldest ready job for `worker` (status running, its lease granted) and commit."""
    now = utcnow()
    ready = (sa.select(Job.id).where(Job.status == "queued", Job.run_after <= now)
             .order_by(Job.run_after, Job.id).limit(1)
             .with_for_update(skip_locked=True).scalar_subquery())
    job_id = db.session.execute(
        sa.update(Job).where(Job.id == ready, Job.status == "queued")
        .values(status="running", worker=worker, attempts=Job.attempts + 1, started_at=now, error="",
                progress=None)
        .returning(Job.id)).scalar()
    if job_id:
        leases.grant(lease_name(job_id), worker)
    db.session.commit()
    if job_id and _progress_dir():
        (_progress_dir() / f"job-{job_id}.json").unlink(missing_ok=True)  # a previous attempt's
    return db.session.get(Job, job_id) if job_id else None


def _mine(job_id: int, worker: str):
    return sa.update(Job).where(Job.id == job_id, Job.worker == worker, Job.status == "running")


def renew(job_id: int, worker: str) -> bool:
    """Extend the job's lease (the worker's heartbeat does); False when it is no longer ours."""
    return leases.renew(lease_name(job_id), worker)


def save_progress(job_id: int, progress: dict) -> None:
    """Progress figures any server can show, seen while the task's own transaction is still
    open: on PostgreSQL on the job's row, written in a connection of its own; on SQLite in a
    file beside the database (the task's transaction may hold SQLite's only write lock, and
    every server of a SQLite database is on its machine)."""
    if _progress_dir():
        path = _progress_dir() / f"job-{job_id}.json"
        path.with_suffix(".tmp").write_text(json.dumps(progress))
        path.with_suffix(".tmp").replace(path)
        return
    with db.engine.begin() as conn:
        conn.execute(sa.update(Job).where(Job.id == job_id).values(progress=progress))


def progress_of(job: Job) -> dict:
    if _progress_dir():
        try:
            return json.loads((_progress_dir() / f"job-{job.id}.json").read_text())
        except (OSError, ValueError):
            pass
    return job.progress or {}


def _progress_dir() -> Path | None:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    path = Path(url.database).parent if url.database not in (None, "", ":memory:") else Path(current_app.instance_path)
    path = path / "job-progress"
    path.mkdir(exist_ok=True)
    return path


def complete(job_id: int, worker: str) -> None:
    job = db.session.get(Job, job_id)
    last = progress_of(job)
    db.session.rollback()
    db.session.execute(_mine(job_id, worker).values(status="done", finished_at=utcnow(), progress=last or None))
    leases.release(worker, lease_name(job_id))
    db.session.commit()
    if _progress_dir():
        (_progress_dir() / f"job-{job_id}.json").unlink(missing_ok=True)


def attempt_failed(job_id: int, worker: str, error: str) -> None:
    """After an exception in the task: queue it again later, or fail it for good."""
    job = db.session.get(Job, job_id)
    db.session.rollback()  # end the read; the UPDATEs below take the write lock first
    if job.attempts >= job.max_attempts:
        failed = db.session.execute(_mine(job_id, worker).values(
            status="failed", error=error[:2000], finished_at=utcnow())
            .returning(Job.id)).scalars().all()
        _notify_failed(failed)
    else:
        db.session.execute(_mine(job_id, worker).values(
            status="queued", error=error[:2000], worker=None,
            run_after=utcnow() + timedelta(seconds=5 * job.attempts)))
    leases.release(worker, lease_name(job_id))
    db.session.commit()


def postpone(job_id: int, worker: str, seconds: float) -> None:
    """Queue the job again `seconds` from now, this attempt not counted (see `Postpone`)."""
    db.session.rollback()
    db.session.execute(_mine(job_id, worker).values(
        status="queued", worker=None, attempts=Job.attempts - 1, run_after=utcnow() + timedelta(seconds=seconds)))
    leases.release(worker, lease_name(job_id))
    db.session.commit()


DIED = "The worker running this job stopped before it finished."


def reap(now: datetime | None = None) -> int:
    """Jobs whose worker died (lease expired): failed after their last attempt, else queued
    again at once. Returns how many were found."""
    now = now or utcnow()
    expired = sa.update(Job).where(Job.status == "running", ~leases.live(leases.named("job:", Job.id), now))
    failed = db.session.execute(
        expired.where(Job.attempts >= Job.max_attempts)
        .values(status="failed", error=DIED, finished_at=now, worker=None)
        .returning(Job.id)).scalars().all()
    _notify_failed(failed)
    requeued = db.session.execute(
        expired.values(status="queued", error=DIED, run_after=now, worker=None)
        .returning(Job.id)).scalars().all()
    gone = [lease_name(job_id) for job_id in failed + requeued]
    db.session.execute(sa.delete(leases.Lease).where(leases.Lease.name.in_(gone), leases.Lease.expires_at < now))
    db.session.commit()
    return len(failed) + len(requeued)


def _notify_failed(job_ids: list[int]) -> None:
    """Let each failed job's task record the failure (an import run marked failed)."""
    for job in db.session.scalars(sa.select(Job).where(Job.id.in_(job_ids))):
        hook = TASKS[job.kind].on_failure if job.kind in TASKS else None
        if hook is None:
            continue
        try:
            with db.session.begin_nested():
                hook(job)
        except Exception:  # the job stays failed; the hook's own error goes to the log
            current_app.logger.exception("on_failure of job %s (%s)", job.id, job.kind)


def schedule(now: datetime | None = None) -> list[str]:
    """Queue each periodic task's run for the current period unless it is queued already."""
    now = now or utcnow()
    queued = []
    for spec in TASKS.values():
        if spec.every is None:
            continue
        key = f"{spec.name}:{int(now.timestamp() // spec.every.total_seconds())}"
        try:
            with db.session.begin_nested():
                enqueue(spec.name, key=key)
            queued.append(key)
        except sa.exc.IntegrityError:
            pass  # another worker queued this period's run
    db.session.commit()
    return queued


def beat(worker: str, host: str, pid: int, job_id: int | None) -> None:
    """Record that `worker` is alive (and which job it runs), in a connection of its own."""
    now = utcnow()
    with db.engine.begin() as conn:
        seen = conn.execute(sa.update(Worker).where(Worker.name == worker)
                            .values(seen_at=now, job_id=job_id)).rowcount
        if not seen:
            conn.execute(sa.insert(Worker).values(name=worker, host=host[:120], pid=pid,
                                                  started_at=now, seen_at=now, job_id=job_id))


def forget(worker: str) -> None:
    """A worker that stops cleanly leaves; rows of workers gone for a day are pruned too."""
    with db.engine.begin() as conn:
        conn.execute(sa.delete(Worker).where(
            (Worker.name == worker) | (Worker.seen_at < utcnow() - timedelta(days=1))))


def last_seen() -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(Worker.seen_at)))
