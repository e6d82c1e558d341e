"""The import lock is a lease per commune with a heartbeat: a live import blocks another in its
commune only, and an import whose process is killed never blocks anyone for long."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from fieldapp import leases
from fieldapp.extensions import db
from fieldapp.models import Commune, ImportRun, Village
from fieldapp.register import runs
from fieldapp.register.readers import FileRefused
from tests.helpers import village

from .files import csv_file


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
    from datetime import timedelta

    from fieldapp.timeutil import utcnow
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
