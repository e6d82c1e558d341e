"""Tasks the job tests queue: each leaves a trace the test can count (an audit event)."""
from __future__ import annotations

from fieldapp.accountability import audit
from fieldapp.jobs.services import task


@task("test_note", max_attempts=2)
def note(run, text: str) -> None:
    audit.record("test_note", "job", run.job_id, text=text, attempt=run.attempt)
    run.progress(done=1, total=1)


@task("test_broken", max_attempts=2, on_failure=lambda job: audit.record("test_gave_up", "job", job.id))
def broken(run) -> None:
    audit.record("test_broken", "job", run.job_id)  # rolled back with the failure
    raise ValueError("the file is not what it claimed")
