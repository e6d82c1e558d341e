"""The worker process behind `flask --app fieldapp worker`: one job at a time, a heartbeat.

Main thread: reap jobs of dead workers, queue periodic tasks, claim a job, run it, repeat
(sleeping `WORKER_POLL_SECONDS` when there is nothing to do). A second thread (a
`leases.Heartbeat`) beats every third of the lease: it renews the leases the worker holds
(the running job's, and any the job took: an import's commune) and the worker's `seen_at`.
A stop (SIGTERM, SIGINT) lets the running job finish; a killed worker leaves leases that
expire within `LEASE_SECONDS`, after which any worker queues the job again or fails it, and
the commune is free.
"""
from __future__ import annotations

import os
import socket
import threading
import time
import traceback
import uuid
from dataclasses import dataclass

from flask import Flask, current_app

from .. import leases
from ..extensions import db
from . import services
from .models import Job

HOUSEKEEPING_SECONDS = 5


@dataclass
class Run:
    """What a task gets about its job: its id, which attempt this is, a progress call, and the
    leases it may take for as long as it runs."""

    job_id: int
    attempt: int
    beats: leases.Heartbeat | None = None

    def progress(self, **figures) -> None:
        services.save_progress(self.job_id, figures)

    def hold(self, name: str, holder: str) -> leases.Taken | str:
        """Take the lease `name` for `holder` (see `leases.acquire`); the worker renews it with
        the job's own and gives it up when the job ends, if the task has not."""
        taken = leases.acquire(name, holder)
        if isinstance(taken, leases.Taken) and self.beats is not None:
            self.beats.hold(name, holder)
        return taken


class Worker:
    def __init__(self, app: Flask, name: str | None = None):
        self.app = app
        self.host = socket.gethostname()
        self.name = name or f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stopping = threading.Event()
        self.job_id: int | None = None
        self.beats = leases.Heartbeat(app, also=self._beat)
        self._housekept = 0.0

    def stop(self, *_signal) -> None:
        self.stopping.set()

    def run(self, *, once: bool = False) -> int:
        """Work until stopped (or, with `once`, until no job is ready); returns jobs run."""
        done = 0
        with self.app.app_context():
            self._beat()
            with self.beats:
                while not self.stopping.is_set():
                    job = self._next()
                    if job is not None:
                        self._execute(job)
                        done += 1
                    elif once:
                        break
                    else:
                        self.stopping.wait(current_app.config["WORKER_POLL_SECONDS"])
            self.stopping.set()
            try:
                services.forget(self.name)
            except Exception as exc:  # the database is away: the row ages out of /readyz
                current_app.logger.warning("worker %s could not sign off: %s", self.name, exc)
        return done

    def _next(self) -> Job | None:
        """Housekeeping now and then, then a claim; a database that fails is logged and
        tried again at the next poll (the worker outlives a database restart)."""
        try:
            if time.monotonic() - self._housekept >= HOUSEKEEPING_SECONDS:
                services.reap()
                services.schedule()
                self._housekept = time.monotonic()
            return services.claim(self.name)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("worker %s: cannot reach the job queue", self.name)
            return None

    def _execute(self, job: Job) -> None:
        job_id, kind, args, attempt = job.id, job.kind, dict(job.args), job.attempts
        spec = services.TASKS.get(kind)
        self.job_id = job_id
        self.beats.hold(services.lease_name(job_id), self.name)
        started = time.perf_counter()
        log = current_app.logger
        log.info("job %s %s attempt %s started on %s", job_id, kind, attempt, self.name)
        try:
            if spec is None:
                raise LookupError(f"no task named {kind!r} in this version")
            spec.run(Run(job_id, attempt, self.beats), **args)
            db.session.commit()
            services.complete(job_id, self.name)
            outcome = "done"
        except services.Postpone as wait:
            log.info("job %s %s waits %s s for a lease", job_id, kind, wait.seconds)
            services.postpone(job_id, self.name, wait.seconds)
            outcome = "postponed"
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s %s attempt %s failed", job_id, kind, attempt)
            services.attempt_failed(job_id, self.name, _describe(exc))
            outcome = "failed"
        finally:
            self.job_id = None
            self._let_go()
            db.session.remove()
        log.info("job %s %s %s in %.1f s", job_id, kind, outcome, time.perf_counter() - started)

    def _let_go(self) -> None:
        """Stop renewing the job's leases and give up any the task left (its commune's)."""
        held = self.beats.drop()
        try:
            for name, holder in held:
                leases.release(holder, name)
            db.session.commit()
        except Exception as exc:  # they expire on their own
            db.session.rollback()
            current_app.logger.warning("worker %s could not release %s: %s", self.name, held, exc)

    def _beat(self) -> None:
        """The worker is alive (for /readyz), and which job it runs; the leases' heartbeat calls it."""
        try:
            services.beat(self.name, self.host, os.getpid(), self.job_id)
        except Exception as exc:  # SQLite busy behind a long import, or the database away
            current_app.logger.warning("worker %s heartbeat failed: %s", self.name, exc)


def _describe(exc: Exception) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()
