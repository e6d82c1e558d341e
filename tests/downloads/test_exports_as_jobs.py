"""Big exports a person asks for are jobs: the request answers a page that follows the job, the
worker builds the file, and only that person fetches it. Small exports and machine clients
get the file at once, as the contract says."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.accountability.models import AuditEvent
from fieldapp.auth import throttle
from fieldapp.downloads.models import Download
from fieldapp.extensions import db
from fieldapp.jobs import services as jobs
from fieldapp.jobs.models import Job, StoredFile
from fieldapp.jobs.worker import Worker
from fieldapp.timeutil import utcnow
from tests.conftest import Auth
from tests.helpers import user

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def big(make_app):
    """An app where an export of more than 20 rows is a job (the test commune has about 190
    households in 31 villages), with chihuy signed in."""
    app = make_app(EXPORT_JOB_ROWS=20)
    client = app.test_client()
    Auth(client).login("chihuy")
    return app, client


def _ask(client, url: str) -> str:
    answer = client.get(url, headers=BROWSER)
    assert answer.status_code == 303 and "/downloads/" in answer.headers["Location"], answer.status_code
    return answer.headers["Location"]


def _state(client, location: str) -> tuple[str, str]:
    html = client.get(location, headers={"HX-Request": "true"}).get_data(as_text=True)
    return re.search(r'data-download-state="(\w+)"', html).group(1), html


def _built(app, client, location: str):
    Worker(app, "test-worker").run(once=True)
    state, html = _state(client, location)
    assert state == "ready", html
    link = re.search(r'href="(/downloads/\d+/file)"', html).group(1)
    answer = client.get(link)
    assert answer.status_code == 200
    return link, answer


def test_a_small_export_answers_at_once_with_the_contract_columns(client, auth):
    auth.login("chihuy")
    answer = client.get("/exports/coverage.csv", headers=BROWSER)  # 31 villages < 5,000
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    header = answer.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("village_code,village_name,households,warned,revisit,not_visited,excluded")


@pytest.mark.parametrize("accept", [None, "*/*", "text/csv", "application/geo+json"])
def test_machine_clients_get_the_file_whatever_its_size(make_app, accept):
    app = make_app(EXPORT_JOB_ROWS=0)
    client = app.test_client()
    Auth(client).login("chihuy")
    headers = {"Accept": accept} if accept else {}
    assert client.get("/exports/coverage.csv", headers=headers).status_code == 200
    assert client.get("/exports/households.geojson", headers=headers).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Download)) == 0


def test_a_big_export_is_queued_once_built_by_the_worker_and_the_same_file(big):
    app, client = big
    location = _ask(client, "/exports/households.geojson")
    assert _ask(client, "/exports/households.geojson") == location  # asked twice, queued once
    now = json.loads(client.get("/exports/households.geojson").data)  # a script's: at once
    rows = len(now["features"])
    page = client.get(location).get_data(as_text=True)
    assert "Đang chờ" in page and f"{rows} dòng" in page and "<progress" in page
    assert 'hx-trigger="every 1s"' in page
    _link, answer = _built(app, client, location)
    assert answer.mimetype == "application/geo+json"
    assert 'filename="households.geojson"' in answer.headers["Content-Disposition"]
    built = json.loads(answer.data)
    assert rows > 20 and built["features"] == now["features"]
    assert 'hx-trigger' not in _state(client, location)[1]  # the page stops polling
    with app.app_context():  # names left the system: the export is audited, as the chihuy's
        events = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "export", AuditEvent.object_type == "households")).all()
        assert [e.username for e in events] == ["chihuy", "chihuy"] and events[1].detail["rows"] == rows
        job = db.session.scalar(sa.select(Job).where(Job.kind == "export"))
        assert job.status == "done" and job.progress == {"phase": "write", "done": rows, "total": rows}


@pytest.mark.parametrize("url, mimetype, filename", [
    ("/exports/coverage.xlsx", XLSX, "coverage-c1.xlsx"),
    ("/exports/coverage.csv?village=2", "text/csv", None),  # one village: small
    ("/exports/villages.geojson", "application/geo+json", "villages.geojson"),
    ("/reports/campaigns/1.xlsx", XLSX, "bao-cao-ket-qua-c1.xlsx"),
])
def test_each_export_is_built_by_the_worker_as_its_page_would_answer(big, url, mimetype, filename):
    app, client = big
    if filename is None:
        assert client.get(url, headers=BROWSER).status_code == 200
        return
    _link, answer = _built(app, client, _ask(client, url))
    assert answer.mimetype == mimetype and f'filename="{filename}"' in answer.headers["Content-Disposition"]
    if mimetype == XLSX:
        book = load_workbook(io.BytesIO(answer.data))
        assert book.active.max_row >= 32  # header, 31 villages, totals


def test_the_walk_list_and_the_incident_list_become_jobs_in_a_big_village(make_app):
    app = make_app(EXPORT_JOB_ROWS=3)
    client = app.test_client()
    Auth(client).login("chihuy")
    _link, answer = _built(app, client, _ask(client, "/coverage/villages/1/walk.xlsx"))
    assert 'filename="danh-sach-di-T01.xlsx"' in answer.headers["Content-Disposition"]
    rows = load_workbook(io.BytesIO(answer.data)).active.max_row
    at_once = client.get("/coverage/villages/1/walk.xlsx")  # a script's request: the file at once
    assert rows > 2 and rows == load_workbook(io.BytesIO(at_once.data)).active.max_row
    # No incident in the test commune: a small export, answered at once.
    assert client.get("/incidents/export.xlsx", headers=BROWSER).status_code == 200


def test_bad_parameters_answer_at_once_as_before(big):
    _app, client = big
    assert client.get("/exports/coverage.csv?campaign=x", headers=BROWSER).status_code == 400
    assert client.get("/exports/households.geojson?village=9999", headers=BROWSER).status_code == 404
    assert client.get("/incidents/export.xlsx?date_from=hôm-qua", headers=BROWSER).status_code == 400


@pytest.mark.parametrize("other", ["cskv1", "truongthon1", "quantri"])
def test_nobody_else_sees_or_fetches_the_download(big, other):
    app, client = big
    location = _ask(client, "/exports/households.geojson")
    link, _answer = _built(app, client, location)
    stranger = app.test_client()
    Auth(stranger).login(other)
    assert stranger.get(location).status_code == 404
    assert stranger.get(link).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(link).status_code == 302 and "/login" in anonymous.get(link).headers["Location"]


def test_an_export_its_user_may_no_longer_have_fails_with_a_message(big):
    app, client = big
    location = _ask(client, "/reports/campaigns/1.xlsx")
    with app.app_context():
        user("chihuy").role = "officer"  # reports are not for officers
        db.session.commit()
    Worker(app, "test-worker").run(once=True)
    with app.app_context():
        user("chihuy").role = "commander"
        db.session.commit()
    state, html = _state(client, location)
    assert state == "failed" and "Không thể tạo tệp này cho bạn" in html and "Yêu cầu lại" in html
    assert client.get(location.rstrip("/") + "/file").status_code == 404


def _dies(app, worker: str) -> None:
    """`worker` claims the export's job and dies with it: its lease expires, another worker
    reaps the job (queued again, or failed after its last attempt)."""
    assert jobs.claim(worker).kind == "export"
    later = utcnow() + timedelta(seconds=app.config["LEASE_SECONDS"] + 1)
    jobs.reap(later)
    db.session.execute(sa.update(Job).where(Job.run_after == later).values(run_after=utcnow()))
    db.session.commit()


def test_a_build_whose_worker_died_runs_again_then_fails_cleanly(big):
    """A worker that dies mid-build leaves its lease to expire: the job runs again; after its
    last attempt the page says so and offers to ask again, and a new request makes a new job."""
    app, client = big
    location = _ask(client, "/exports/households.geojson")
    with app.app_context():
        _dies(app, "dead-1")
        _dies(app, "dead-2")
        job = db.session.scalar(sa.select(Job).where(Job.kind == "export"))
        assert (job.status, job.attempts) == ("failed", 2)
    state, html = _state(client, location)
    assert state == "failed" and "máy chủ đã dừng" in html
    again = _ask(client, "/exports/households.geojson")
    assert again != location
    _link, answer = _built(app, client, again)
    assert json.loads(answer.data)["features"] == json.loads(client.get("/exports/households.geojson").data)["features"]


def test_a_build_interrupted_once_is_finished_by_the_next_worker(big):
    app, client = big
    location = _ask(client, "/exports/coverage.xlsx")
    with app.app_context():
        _dies(app, "dead")
    _link, answer = _built(app, client, location)
    assert answer.mimetype == XLSX
    with app.app_context():
        assert db.session.scalar(sa.select(Job.attempts).where(Job.kind == "export")) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 1


def test_built_files_are_deleted_after_the_keeping_time(big):
    app, client = big
    location = _ask(client, "/exports/households.geojson")
    link, _answer = _built(app, client, location)
    with app.app_context():
        db.session.execute(sa.update(Download).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
        jobs.enqueue("downloads_upkeep")
        db.session.commit()
    Worker(app, "test-worker").run(once=True)
    assert client.get(link).status_code == 404 and client.get(location).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_failed_sign_ins_are_forgotten_by_the_hourly_upkeep_not_by_the_next_failure(app, client, db_session):
    Auth(client).login("cskv1", "sai")
    db_session.execute(sa.update(throttle.SignInFailure).values(at=utcnow() - timedelta(days=2)))
    db_session.commit()
    Auth(client).login("cskv2", "sai")
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(throttle.SignInFailure)) == 4
    Worker(app, "test-worker").run(once=True)  # queues this hour's auth_upkeep, and runs it
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(throttle.SignInFailure)) == 2


def test_a_build_leaves_nothing_of_its_request_in_the_worker(big):
    """The worker goes on with other jobs: the user, the read-only mark and the session of
    the request the build repeated end with it."""
    from flask import g, has_request_context

    from fieldapp.downloads import services
    from fieldapp.jobs.worker import Run

    app, client = big
    _ask(client, "/exports/coverage.xlsx")
    with app.app_context():
        download = db.session.scalar(sa.select(Download))
        services.build(download.id, Run(download.job_id, 1))
        assert not has_request_context() and not {"_login_user", "export_run", "read_only"} & set(g)
        db.session.rollback()  # end this session's read: the build wrote in its own
        download = db.session.get(Download, download.id)
        assert download.file_id is not None and download.filename.endswith(".xlsx")
