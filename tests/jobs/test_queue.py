"""The job queue on both databases: run, retry, give up, reap a dead worker's job, schedule."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import leases
from fieldapp.extensions import db
from fieldapp.jobs import services
from fieldapp.jobs.models import Job, Worker as WorkerRow
from fieldapp.jobs.worker import Worker
from fieldapp.leases import Lease
from fieldapp.models import AuditEvent
from fieldapp.timeutil import utcnow
from tests.jobs import tasks  # noqa: F401 (registers the test tasks)


def _events(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _job(job_id: int) -> Job:
    db.session.rollback()
    return db.session.get(Job, job_id)


def _lease(job_id: int) -> Lease | None:
    db.session.rollback()
    return db.session.get(Lease, services.lease_name(job_id))


def _expire_lease(job_id: int) -> None:
    """What time does to the lease of a worker that died."""
    db.session.execute(sa.update(Lease).where(Lease.name == services.lease_name(job_id))
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def _queue(kind: str, **args) -> int:
    job = services.enqueue(kind, **args)
    db.session.commit()
    return job.id


def test_a_queued_job_runs_once_and_keeps_its_progress(app, db_session):
    job_id = _queue("test_note", text="xin chào")
    assert _job(job_id).status == "queued"
    assert Worker(app, "w1").run(once=True) >= 1
    job = _job(job_id)
    assert (job.status, job.attempts, job.worker, _lease(job_id)) == ("done", 1, "w1", None)
    assert services.progress_of(job) == {"done": 1, "total": 1}
    assert [e.detail["text"] for e in _events("test_note")] == ["xin chào"]
    assert Worker(app, "w2").run(once=True) == 0  # the daily purge ran too, once a day
    assert len(_events("test_note")) == 1


def test_a_failing_job_is_retried_then_failed_with_its_message(app, db_session):
    job_id = _queue("test_broken")
    Worker(app, "w1").run(once=True)
    job = _job(job_id)
    assert (job.status, job.attempts) == ("queued", 1) and "not what it claimed" in job.error
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(run_after=utcnow()))
    db.session.commit()
    Worker(app, "w1").run(once=True)
    job = _job(job_id)
    assert (job.status, job.attempts, job.finished_at is not None) == ("failed", 2, True)
    assert "ValueError: the file is not what it claimed" in job.error
    assert _events("test_broken") == []  # each attempt's writes rolled back
    assert [e.object_id for e in _events("test_gave_up")] == [str(job_id)]


def test_a_dead_workers_job_is_queued_again_then_failed_never_held(app, db_session):
    job_id = _queue("test_broken")
    for attempt in (1, 2):
        assert services.claim("dead-worker").id == job_id  # …and the worker dies
        assert _lease(job_id).holder == "dead-worker"
        assert services.reap() == 0  # its lease still runs
        _expire_lease(job_id)
        assert services.reap() == 1
    job = _job(job_id)
    assert (job.status, job.worker, _lease(job_id), job.attempts) == ("failed", None, None, 2)
    assert job.error == services.DIED
    assert len(_events("test_gave_up")) == 1


def test_a_worker_that_lost_its_lease_cannot_finish_the_job(app, db_session):
    job_id = _queue("test_note", text="a")
    services.claim("slow")
    _expire_lease(job_id)
    services.reap()
    assert not services.renew(job_id, "slow")
    services.complete(job_id, "slow")
    assert _job(job_id).status == "queued"


def test_periodic_tasks_are_queued_once_per_period(app, db_session, make_app):
    other = make_app()
    now = utcnow()
    assert "purge:%d" % (now.timestamp() // 86400) in services.schedule(now)
    with other.app_context():
        assert services.schedule(now) == []
    assert services.schedule(now + timedelta(days=1)) != []
    assert db.session.scalar(sa.select(sa.func.count()).where(Job.kind == "purge")) == 2


def test_a_worker_beats_while_it_runs_and_leaves_when_stopped(app, db_session):
    worker = Worker(app, "beating")
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        for _ in range(100):
            db.session.rollback()
            if db.session.get(WorkerRow, "beating"):
                break
            threading.Event().wait(0.05)
        assert services.last_seen() > utcnow() - timedelta(seconds=5)
    finally:
        worker.stop()
        thread.join(10)
    db.session.rollback()
    assert db.session.get(WorkerRow, "beating") is None


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_workers_claiming_at_once_never_share_a_job(app, db_session, make_app):
    ids = {_queue("test_note", text=str(n)) for n in range(40)}
    apps = [make_app() for _ in range(4)]
    claimed: list[list[int]] = [[] for _ in apps]
    barrier = threading.Barrier(len(apps))

    def claim_all(i):
        with apps[i].app_context():
            barrier.wait()
            while (job := services.claim(f"w{i}")) is not None:
                claimed[i].append(job.id)
            db.session.remove()

    threads = [threading.Thread(target=claim_all, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    every = [job_id for one in claimed for job_id in one]
    assert sorted(every) == sorted(ids)
    assert sum(1 for one in claimed if one) > 1


def test_the_worker_renews_the_leases_a_job_holds_and_gives_them_up_after(make_app, db_session):
    app = make_app(LEASE_SECONDS=1)
    with app.app_context():
        job_id = _queue("test_hold", name="import:test", seconds=2.5)
        worker = threading.Thread(target=Worker(app, "holder").run, kwargs={"once": True})
        worker.start()
        try:
            threading.Event().wait(2)  # twice the lease: only the worker's beats keep them
            db.session.rollback()
            assert leases.holder_of("import:test") == f"test:{job_id}"
            assert leases.holder_of(services.lease_name(job_id)) == "holder"
            assert isinstance(leases.acquire("import:test", "someone-else"), str)
        finally:
            worker.join(30)
        assert _job(job_id).status == "done"
        assert _lease(job_id) is None and db.session.get(Lease, "import:test") is None  # given up at the end
        db.session.remove()


def test_a_job_whose_lease_another_holds_waits_its_turn_without_spending_an_attempt(app, db_session):
    assert isinstance(leases.acquire("import:test", "run:elsewhere"), leases.Taken)
    job_id = _queue("test_hold", name="import:test", seconds=0)
    Worker(app, "w1").run(once=True)
    job = _job(job_id)
    assert (job.status, job.attempts, job.worker) == ("queued", 0, None)
    assert job.run_after > utcnow() + timedelta(seconds=20) and _lease(job_id) is None
    assert _events("test_hold") == []
    leases.release("run:elsewhere")
    db.session.execute(sa.update(Job).where(Job.id == job_id).values(run_after=utcnow()))
    db.session.commit()
    Worker(app, "w1").run(once=True)
    assert (_job(job_id).status, _job(job_id).attempts) == ("done", 1)
    assert len(_events("test_hold")) == 1
