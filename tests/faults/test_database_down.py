"""The database away: every /api/* answer is still JSON (503 with Retry-After), pages get a
plain error page, nothing is kept, and the log gets one traceback per kind per minute."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldapp import faults
from fieldapp.auth.sessions import SID
from fieldapp.models import SyncReceipt
from tests.conftest import Auth, _pg_admin
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry


@pytest.fixture(autouse=True)
def _fresh_log_window():
    faults._logged.clear()


def _stop(app, db_url: str) -> None:
    """Make the test database unreachable as a stopped server is: no new connections, and
    the open ones cut. SQLite: a directory where the file was (it cannot be opened)."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        path.rename(path.with_suffix(".away"))
        path.mkdir()
    else:
        name = db_url.rsplit("/", 1)[1]
        _pg_admin(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
        _pg_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    with app.app_context():
        from fieldapp.extensions import db

        db.engine.dispose()


def _start(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        path.rmdir()
        path.with_suffix(".away").rename(path)
    else:
        _pg_admin(f"ALTER DATABASE {db_url.rsplit('/', 1)[1]} ALLOW_CONNECTIONS true")


def _signed_in(app):
    client = app.test_client()
    Auth(client).login("cskv1")
    return client, client.get("/api/session").get_json()["csrf_token"]


def test_a_database_gone_under_a_signed_in_phone_answers_json_503(app, db_url, db_session, caplog):
    entry = visit_entry(households_of("T01")[0].id, campaign_id())
    db_session.rollback()
    db_session.get_bind().dispose()
    client, token = _signed_in(app)
    _stop(app, db_url)
    try:
        with caplog.at_level(logging.ERROR, logger=app.logger.name):
            answers = [client.get("/api/session"), send(client, [entry], token=token),
                       client.get("/api/me/pack"), client.get(f"/api/sync/status?ids={entry['id']}")]
            page = client.get("/villages/")
    finally:
        _start(db_url)
    for answer in answers:
        assert answer.status_code == 503 and answer.is_json, answer.get_data(as_text=True)[:300]
        assert answer.get_json()["error"] == "database" and answer.get_json()["message"]
        assert int(answer.headers["Retry-After"]) > 0
    assert page.status_code == 503 and "text/html" in page.content_type
    assert "Thử lại" in page.get_data(as_text=True)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]  # one per kind per minute
    # Back up: the same entry goes through once.
    assert send(client, [entry], token=token).get_json()["results"][0]["status"] == "created"


def test_a_database_that_was_never_there_answers_json_503(make_app, db_url):
    if db_url.startswith("sqlite"):
        url = "sqlite:////nonexistent-directory/fieldapp.sqlite3"
    else:
        url = db_url.rsplit("@", 1)[0] + "@127.0.0.1:1/nowhere"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    client = app.test_client()
    with client.session_transaction() as session:  # a phone still signed in from before
        session[SID] = "a session the database would have to look up"
        session["_user_id"] = "1"
        session["_fresh"] = True
    for answer in (client.get("/api/session"), client.post("/api/sync/batch", json={}),
                   client.get("/api/me/pack"), client.get("/api/households/x/warned")):
        assert answer.status_code == 503 and answer.is_json
        assert answer.headers["Retry-After"] == "30"


def test_a_full_disk_keeps_nothing_and_asks_to_retry(make_app, db_url, db_session, caplog):
    """SQLite's page limit stands in for a full disk: "database or disk is full"."""
    if not db_url.startswith("sqlite"):
        pytest.skip("a full disk on PostgreSQL is classified by SQLSTATE 53100 (test_transient)")
    pages = db_session.scalar(sa.text("PRAGMA page_count"))
    entries = [visit_entry(h.id, campaign_id(), seq=n, note="ghi chú " * 100)
               for n, h in enumerate(households_of("T01") * 30)]
    db_session.rollback()
    app = make_app()
    with app.app_context():
        from fieldapp.extensions import db

        sa.event.listen(db.engine, "connect",
                        lambda conn, _rec: conn.execute(f"PRAGMA max_page_count = {pages + 2}"))
    client, token = _signed_in(app)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        answer = send(client, entries[:150], token=token)
    assert answer.status_code == 503 and answer.is_json and answer.headers["Retry-After"] == "60"
    assert "[full]" in caplog.text  # SQLITE_FULL: "database or disk is full"
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SyncReceipt)) == 0


def test_tracebacks_are_logged_once_per_kind_per_minute(app, caplog, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    error = sa.exc.OperationalError("SELECT 1", {}, Exception("gone"))
    with caplog.at_level(logging.ERROR):
        for _ in range(5):
            faults.log_failure(app.logger, error, "Transient failure")
        clock[0] += 61
        faults.log_failure(app.logger, error, "Transient failure")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2 and "4 more" in messages[1]
