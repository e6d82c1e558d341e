"""The upload page: check, preview, errors, import by a job that a worker runs, one at a time."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.jobs import files, services as jobs
from fieldapp.jobs.models import StoredFile
from fieldapp.jobs.worker import Worker
from fieldapp.models import Household, ImportRun
from fieldapp.register import runs
from tests.conftest import Auth
from tests.helpers import user

from .files import GOOD, csv_file

BAD = [GOOD[0], ["T01", "Z9", "Lê Văn Sai", "", "0123", "2", "0", "", ""]]


def _upload(auth, tmp_path, rows, mode):
    data = csv_file(tmp_path / "up.csv", rows).read_bytes()
    return auth.post("/register/imports", {"file": (io.BytesIO(data), "so-ho.csv"), "mode": mode},
                     content_type="multipart/form-data")


def _wait(client, url):
    """The run fragment, as the page polls it, once a worker has run the queued jobs."""
    html = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-run-status="running"' in html and "Đang chờ" in html  # queued for a worker
    Worker(client.application, "test-worker").run(once=True)
    html = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-run-status="running"' not in html
    return html


def _stored_file(run_id: int) -> int | None:
    db.session.rollback()
    file_id = db.session.get(ImportRun, run_id).file_id
    return file_id if files.exists(file_id) else None


def _codes():
    db.session.rollback()
    return set(db.session.scalars(sa.select(Household.code).where(Household.code.in_(["N1", "N2", "Z9"]))))


def test_check_then_import_in_the_background(client, auth, db_session, tmp_path):
    auth.login("quantri")
    response = _upload(auth, tmp_path, GOOD, "check")
    assert response.status_code == 302
    url = response.headers["Location"]
    html = _wait(client, url)
    assert 'data-run-status="checked"' in html and "Nguyễn Văn Nhập" in html  # the preview
    assert _codes() == set()
    run_id = int(re.search(r"/imports/(\d+)", url).group(1))
    done = auth.post(f"/register/imports/{run_id}/confirm")
    html = _wait(client, done.headers["Location"])
    assert 'data-run-status="done"' in html and "3" in html
    assert _codes() == {"N1", "N2"}
    assert auth.post(f"/register/imports/{run_id}/confirm").status_code == 409


def test_a_checked_file_never_imported_is_deleted_after_a_day(app, client, auth, db_session, tmp_path):
    auth.login("quantri")
    url = _upload(auth, tmp_path, GOOD, "check").headers["Location"]
    assert "giữ trên máy chủ 24 giờ" in _wait(client, url)  # the page says how long the file is kept
    run_id = int(re.search(r"/imports/(\d+)", url).group(1))
    stored = _stored_file(run_id)
    assert stored is not None
    day_old = db.session.get(StoredFile, stored).created_at - runs.KEEP_CHECKED - timedelta(minutes=1)
    db.session.execute(sa.update(StoredFile).where(StoredFile.id == stored).values(created_at=day_old))
    db.session.commit()
    fresh_url = _upload(auth, tmp_path, GOOD, "check").headers["Location"]
    jobs.enqueue("register_upkeep")  # hourly, on whichever worker
    db.session.commit()
    _wait(client, fresh_url)
    assert _stored_file(run_id) is None
    assert _stored_file(int(re.search(r"/imports/(\d+)", fresh_url).group(1))) is not None
    assert auth.post(f"/register/imports/{run_id}/confirm").status_code == 409  # upload it again
    assert _codes() == set()


def test_bad_rows_listed_on_the_page_nothing_written(client, auth, db_session, tmp_path):
    auth.login("chihuy")
    response = _upload(auth, tmp_path, BAD, "import")
    html = _wait(client, response.headers["Location"])
    assert 'data-run-status="refused"' in html
    assert "Dòng 3" in html and "phone" in html and "Số điện thoại" in html
    assert _codes() == set()
    full = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dòng 3" in full and "<progress" not in full


def test_refusals_and_access(app, client, auth, db_session, tmp_path):
    auth.login("quantri")
    bad_type = auth.post("/register/imports", {"file": (io.BytesIO(b"x"), "a.pdf"), "mode": "check"},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "Không hỗ trợ loại tệp" in bad_type.get_data(as_text=True)
    running = runs.start("households", "dang-chay.csv", None, user("chihuy").commune_id)
    started_vn = f"{running.started_at + timedelta(hours=7):%H:%M}"  # Vietnam time, not UTC
    busy = auth.post("/register/imports", {"file": (io.BytesIO(b"a,b\n"), "b.csv"), "mode": "check"},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "dang-chay.csv" in busy.get_data(as_text=True) and "đang chạy" in busy.get_data(as_text=True)
    assert f"lúc {started_vn})" in busy.get_data(as_text=True)
    db.session.rollback()
    refused = db.session.scalar(sa.select(ImportRun).where(ImportRun.filename == "b.csv"))
    page = client.get(f"/register/imports/{refused.id}").get_data(as_text=True)  # the run's own page
    assert "đang chạy" in page and f"lúc {started_vn})" in page and "busy" not in page
    officer = Auth(app.test_client())
    officer.login("cskv1")
    assert officer.client.get("/register/").status_code == 403
    assert _upload(officer, tmp_path, GOOD, "import").status_code == 403



def test_running_fragment_polls_and_shows_progress(client, auth, db_session):
    job = jobs.enqueue("import_households", file_id=0, commune_id=None, dry_run=False)
    run = ImportRun(kind="households", filename="lon.csv", status="running", job_id=job.id)
    db.session.add(run)
    db.session.commit()
    assert jobs.claim("a-worker").id == job.id
    jobs.save_progress(job.id, {"phase": "write", "done": 2500, "total": 10000})
    auth.login("quantri")
    html = client.get(f"/register/imports/{run.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and 'value="2500"' in html and 'max="10000"' in html
    assert "2.500" in html and "10.000" in html  # Vietnamese number format
    db.session.rollback()  # end the read snapshot before writing (SQLite)
    run = db.session.get(ImportRun, run.id)
    run.status = "done"
    run.summary = {"rows": 10000, "created": 10000, "updated": 0, "unchanged": 0}
    db.session.commit()
    html = client.get(f"/register/imports/{run.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in html and "<progress" not in html and "thêm mới 10.000" in html


def test_an_upload_over_the_limit_is_refused_before_it_is_read(make_app, db_session):
    small = make_app(IMPORT_MAX_BYTES=1024)
    auth = Auth(small.test_client())
    auth.login("quantri")
    runs_before = db.session.scalar(sa.select(sa.func.count(ImportRun.id)))
    huge = auth.post("/register/imports", {"file": (io.BytesIO(b"x" * 200_000), "big.csv"), "mode": "check"},
                     content_type="multipart/form-data", follow_redirects=True)
    assert "Tệp quá lớn" in huge.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ImportRun.id))) == runs_before


def test_another_communes_runs_are_not_listed_opened_or_confirmed(app, client, auth, db_session):
    """A run's preview holds names and phones: a commander sees only the runs of their commune."""
    from fieldapp.models import Commune, User

    other = Commune(code="XX", name="Khác")
    db.session.add(other)
    db.session.flush()
    stranger = User(username="chihuy2", role="commander", commune_id=other.id, password_hash="x")
    db.session.add(stranger)
    db.session.flush()
    run = ImportRun(kind="households", filename="xa-khac.csv", status="checked", user_id=stranger.id,
                    summary={"rows": 1})
    run.file_id = files.store("xa-khac.csv", b"village_code,code\n").id
    db.session.add(run)
    db.session.commit()
    auth.login("chihuy")
    assert "xa-khac.csv" not in client.get("/register/").get_data(as_text=True)
    assert client.get(f"/register/imports/{run.id}").status_code == 404
    assert auth.post(f"/register/imports/{run.id}/confirm").status_code == 404
    admin = Auth(app.test_client())
    admin.login("quantri")
    assert "xa-khac.csv" in admin.client.get("/register/").get_data(as_text=True)
    assert admin.client.get(f"/register/imports/{run.id}").status_code == 200
