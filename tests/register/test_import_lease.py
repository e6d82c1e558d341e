"""The import lock is a lease per commune with a heartbeat: a live import blocks another in its
commune only, and an import whose process is killed never blocks anyone for long."""
from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import leases
from fieldapp.extensions import db
from fieldapp.jobs import services as jobs
from fieldapp.jobs.worker import Worker
from fieldapp.models import Commune, ImportRun, Job, Lease, Village
from fieldapp.register import runs
from fieldapp.register.readers import FileRefused
from fieldapp.timeutil import utcnow
from tests.conftest import Auth
from tests.helpers import village

from .files import GOOD, csv_file


@pytest.fixture
def other_commune(db_session):
    commune = Commune(code="X77", name="Xã Bên")
    db.session.add(commune)
    db.session.flush()
    db.session.add(Village(commune_id=commune.id, code="B01", name="Thôn Bên"))
    db.session.commit()
    return commune.id


def test_a_live_import_blocks_its_commune_only(app, db_session, other_commune):
    ours = village("T01").commune_id
    first = runs.start("households", "mot.csv", None, ours)
    with pytest.raises(FileRefused) as refused:
        runs.start("households", "hai.csv", None, ours)
    assert "mot.csv" in str(refused.value)
    elsewhere = runs.start("households", "xa-ben.csv", None, other_commune)  # another commune goes ahead
    assert elsewhere.status == "running"
    runs.fail(first.id, "failed", {})  # ends and releases
    assert runs.start("households", "ba.csv", None, ours).status == "running"


def test_another_communes_file_is_never_named(app, db_session, other_commune):
    runs.start("households", "bi-mat-xa-ben.csv", None, other_commune)
    run = runs.start("households", "cua-toi.csv", None, village("T01").commune_id)
    assert run.status == "running"
    db.session.rollback()
    messages = " ".join(str((r.summary or {}).get("message", "")) for r in db.session.scalars(sa.select(ImportRun)))
    assert "bi-mat-xa-ben" not in messages


def test_the_heartbeat_keeps_a_long_import_locked(make_app, db_session):
    app = make_app(LEASE_SECONDS=1)
    with app.app_context():
        commune = village("T01").commune_id
        run = runs.start("households", "lau.csv", None, commune)
        with leases.heartbeat(runs.lease_name(commune), runs.holder(run.id)):
            time.sleep(2.5)  # longer than the lease: only the beats keep it
            with pytest.raises(FileRefused):
                runs.start("households", "chen.csv", None, commune)
        time.sleep(1.5)  # no more beats: it expires, the next one takes over and says the first died
        assert runs.start("households", "sau.csv", None, commune).status == "running"
        db.session.rollback()
        assert db.session.get(ImportRun, run.id).status == "failed"
        db.session.remove()


def test_a_killed_import_does_not_block_the_next(db_url, tmp_path, make_app):
    rows = [[f"T{n % 31 + 1:02d}", f"K{n}", "Nguyễn Văn Chờ", f"Số {n}", "", "2", "0", "", ""] for n in range(60_000)]
    path = csv_file(tmp_path / "lon.csv", rows)
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "LEASE_SECONDS": "2"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "fieldapp", "import-households", str(path)],
                              env=env, stderr=subprocess.PIPE, text=True)
    seen = ""
    while "1.000" not in seen and worker.poll() is None:  # it has started checking
        seen += worker.stderr.read(1)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker.stderr.close()
    app = make_app(LEASE_SECONDS=2)
    with app.app_context():
        commune = village("T01").commune_id
        with pytest.raises(FileRefused):  # still locked right after the kill
            runs.start("households", "ngay.csv", None, commune)
        time.sleep(2.5)
        nxt = runs.start("households", "sau.csv", None, commune)
        assert nxt.status == "running"
        db.session.rollback()
        dead = db.session.scalar(sa.select(ImportRun).where(ImportRun.filename == "lon.csv"))
        assert dead.status == "failed" and "dừng" in dead.summary["message"]
        db.session.remove()


def test_import_previews_are_dropped_after_a_day_and_by_the_retention_purge(app, client, auth, db_session, tmp_path):
    from tests.register.test_import_page import _upload, _wait

    from .files import GOOD

    auth.login("quantri")
    html = _wait(client, _upload(auth, tmp_path, GOOD, "check").headers["Location"])
    assert "Nguyễn Văn Nhập" in html  # the preview quotes the file
    db.session.rollback()
    run = db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()))
    assert run.personal_until is not None and run.summary["preview"]
    assert runs.purge_previews(utcnow() + timedelta(hours=23)) == 0
    assert runs.purge_previews(utcnow() + timedelta(hours=25)) == 1
    db.session.commit()
    page = client.get(f"/register/imports/{run.id}").get_data(as_text=True)
    assert "Nguyễn Văn Nhập" not in page and "3" in page  # the counts stay

    html = _wait(client, _upload(auth, tmp_path, GOOD, "check").headers["Location"])
    db.session.rollback()
    second = db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()))
    second.personal_until = utcnow() - timedelta(minutes=1)  # a day old
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert "preview" not in db.session.get(ImportRun, second.id).summary


# Imports uploaded on a page are jobs: the worker that runs one holds its commune's lease.

def _upload(auth, tmp_path, name, rows=GOOD, follow=False):
    data = csv_file(tmp_path / "up.csv", rows).read_bytes()
    return auth.post("/register/imports", {"file": (io.BytesIO(data), name), "mode": "import"},
                     content_type="multipart/form-data", follow_redirects=follow)


def _run(run_id: int) -> ImportRun:
    db.session.rollback()
    return db.session.get(ImportRun, run_id)


def _latest() -> ImportRun:
    db.session.rollback()
    return db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()).limit(1))


def _expire(*holders: str) -> None:
    """What time does to the leases of a worker that died."""
    db.session.rollback()
    db.session.execute(sa.update(Lease).where(Lease.holder.in_(holders)).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def _dies_holding(run: ImportRun) -> None:
    """A worker claims the run's job, takes its commune as the task does, and is killed."""
    db.session.rollback()
    assert jobs.claim("dead-worker").id == run.job_id
    assert runs.take(run) is None
    assert leases.holder_of(runs.lease_name(run.commune_id)) == runs.holder(run.id)


def test_an_upload_waits_for_no_one_else_and_a_dead_workers_import_runs_again(app, client, auth, db_session, tmp_path):
    auth.login("chihuy")
    _upload(auth, tmp_path, "dau.csv")
    first = _latest()
    busy = _upload(auth, tmp_path, "chen.csv", follow=True).get_data(as_text=True)
    assert "dau.csv" in busy and "đang chạy" in busy  # queued counts: one import per commune at a time
    _dies_holding(first)
    assert "dau.csv" in _upload(auth, tmp_path, "chen2.csv", follow=True).get_data(as_text=True)
    _expire("dead-worker", runs.holder(first.id))  # LEASE_SECONDS later
    Worker(app, "alive").run(once=True)  # reaps the job, runs it again: the same run takes its lease back
    assert _run(first.id).status == "done"
    assert db.session.get(Job, first.job_id).attempts == 2
    assert db.session.scalars(sa.select(Lease)).all() == []  # every lease given up
    _upload(auth, tmp_path, "sau.csv")
    Worker(app, "alive").run(once=True)
    assert _latest().status == "done"


def test_an_import_whose_workers_keep_dying_fails_and_frees_its_commune(app, client, auth, db_session, tmp_path):
    auth.login("chihuy")
    _upload(auth, tmp_path, "dau.csv")
    first = _latest()
    for _attempt in (1, 2):
        _dies_holding(first)
        _expire("dead-worker", runs.holder(first.id))
        jobs.reap()
    assert _run(first.id).status == "failed" and "máy xử lý đã dừng" in _run(first.id).summary["message"]
    assert db.session.get(Job, first.job_id).status == "failed"
    assert db.session.scalars(sa.select(Lease)).all() == []
    _upload(auth, tmp_path, "sau.csv")
    Worker(app, "alive").run(once=True)
    assert _latest().status == "done"


def test_another_communes_import_neither_blocks_nor_is_named_on_the_page(app, client, auth, db_session, tmp_path,
                                                                        other_commune):
    elsewhere = runs.start("households", "bi-mat-xa-ben.csv", None, other_commune)  # running, lease held
    auth.login("chihuy")
    page = _upload(auth, tmp_path, "cua-toi.csv", follow=True).get_data(as_text=True)
    assert "bi-mat-xa-ben" not in page
    Worker(app, "w").run(once=True)
    ours = _latest()
    assert ours.status == "done" and ours.commune_id != other_commune
    assert _run(elsewhere.id).status == "running"
    assert "bi-mat-xa-ben" not in client.get(f"/register/imports/{ours.id}").get_data(as_text=True)


def test_a_job_waits_while_the_command_line_imports_into_its_commune(app, client, auth, db_session, tmp_path):
    auth.login("chihuy")
    _upload(auth, tmp_path, "trang.csv")
    queued = _latest()
    # The command line took the commune after the upload was queued (a race the upload's check missed).
    assert isinstance(leases.acquire(runs.lease_name(queued.commune_id), "cli:import"), leases.Taken)
    Worker(app, "w").run(once=True)
    job = db.session.get(Job, _run(queued.id).job_id)
    assert (_run(queued.id).status, job.status, job.attempts) == ("running", "queued", 0)  # waits its turn
    leases.release("cli:import")
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(run_after=utcnow()))
    db.session.commit()
    Worker(app, "w").run(once=True)
    assert _run(queued.id).status == "done"


# Werkzeug's test client spools a body over 500 KB to a temporary file that it never closes.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_killed_worker_frees_the_commune_within_the_lease(db_url, make_app, tmp_path):
    """Real worker processes, killed mid-import twice (its last attempt): the commune stays
    locked while the lease runs, then the run fails with a message and the next import goes."""
    rows = [[f"T{n % 31 + 1:02d}", f"K{n}", "Nguyễn Văn Chờ", f"Số {n}", "", "2", "0", "", ""] for n in range(60_000)]
    app = make_app(LEASE_SECONDS=2)
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "LEASE_SECONDS": "2",
           "WORKER_POLL_SECONDS": "0.2"}
    with app.app_context():
        auth = Auth(app.test_client())
        auth.login("chihuy")
        _upload(auth, tmp_path, "lon.csv", rows)
        run = _latest()
        for attempt in (1, 2):
            worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "fieldapp", "worker"], env=env,
                                      stderr=subprocess.DEVNULL)
            _until(lambda: _checked_rows(run.job_id, attempt) >= 1000)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            assert "lon.csv" in _upload(auth, tmp_path, "chen.csv", follow=True).get_data(as_text=True)
            time.sleep(2.5)
        Worker(app, "alive").run(once=True)  # reaps: the last attempt is spent
        assert _run(run.id).status == "failed" and "dừng" in _run(run.id).summary["message"]
        _upload(auth, tmp_path, "sau.csv")
        Worker(app, "alive").run(once=True)
        assert _latest().status == "done"
        db.session.remove()
    gc.collect()  # those spooled bodies are reclaimed here, under this test's filter, not in a later test


def _checked_rows(job_id: int, attempt: int) -> int:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    return (jobs.progress_of(job).get("done") or 0) if job.attempts == attempt and job.status == "running" else 0


def _until(ready, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_run_page_hides_an_expired_preview_and_leaves_dropping_it_to_the_upkeep_job(app, client, auth, db_session, tmp_path):
    """Opening a page writes nothing: past its day the preview is hidden from the page at
    once, and dropped from the database by the hourly `register_upkeep` job."""
    from tests.register.test_import_page import _upload, _wait

    from .files import GOOD

    auth.login("quantri")
    location = _upload(auth, tmp_path, GOOD, "check").headers["Location"]
    assert "Nguyễn Văn Nhập" in _wait(client, location)
    db.session.rollback()
    run = db.session.scalar(sa.select(ImportRun).order_by(ImportRun.id.desc()))
    run.personal_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "Nguyễn Văn Nhập" not in client.get(location).get_data(as_text=True)
    assert "Nguyễn Văn Nhập" not in client.get("/register/").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(ImportRun, run.id).summary["preview"]  # still there: the page wrote nothing
    jobs.enqueue("register_upkeep")
    db.session.commit()
    Worker(app, "w").run(once=True)
    db.session.rollback()
    assert "preview" not in db.session.get(ImportRun, run.id).summary
