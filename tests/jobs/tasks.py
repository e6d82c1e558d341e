"""Tasks the job tests queue: each leaves a trace the test can count (an audit event)."""
from __future__ import annotations

import time

from fieldapp.accountability import audit
from fieldapp.jobs.services import Postpone, task


@task("test_note", max_attempts=2)
def note(run, text: str) -> None:
    audit.record("test_note", "job", run.job_id, text=text, attempt=run.attempt)
    run.progress(done=1, total=1)


@task("test_broken", max_attempts=2, on_failure=lambda job: audit.record("test_gave_up", "job", job.id))
def broken(run) -> None:
    audit.record("test_broken", "job", run.job_id)  # rolled back with the failure
    raise ValueError("the file is not what it claimed")


@task("test_hold", max_attempts=2)
def hold(run, name: str, seconds: float) -> None:
    """Hold the lease `name` for `seconds` (or wait while another holds it), as an import holds
    its commune."""
    if isinstance(run.hold(name, f"test:{run.job_id}"), str):
        raise Postpone(30)
    time.sleep(seconds)
    audit.record("test_hold", "job", run.job_id, attempt=run.attempt)
