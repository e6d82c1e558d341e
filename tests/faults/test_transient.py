"""Which failures pass (503 + Retry-After, nothing kept, the phone sends again) and which are
final; real deadlocks and lock timeouts on PostgreSQL answered as transient."""
from __future__ import annotations

import sqlite3
import threading
import time
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors as pg

from fieldapp import faults
from fieldapp.models import SyncReceipt, Visit
from tests.conftest import Auth
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry


def _sqlite_error(setup: str, statement: str) -> sqlite3.Error:
    conn = sqlite3.connect(":memory:")
    conn.executescript(setup)
    try:
        conn.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("no error")


def test_transient_and_final_failures_are_told_apart(tmp_path):
    full = _sqlite_error("CREATE TABLE t (x); PRAGMA max_page_count = 2;",
                         "INSERT INTO t SELECT randomblob(5000) FROM (SELECT 1 UNION SELECT 2)")
    with pytest.raises(sqlite3.OperationalError) as cannot_open:
        sqlite3.connect(tmp_path)  # a directory
    transient = [full, cannot_open.value, pg.DeadlockDetected("deadlock"), pg.SerializationFailure("x"),
                 pg.LockNotAvailable("x"), pg.DiskFull("x"), pg.AdminShutdown("x"),
                 psycopg.OperationalError("connection refused"), OSError(28, "No space left on device")]
    final = [_sqlite_error("", "SELECT * FROM missing"), _sqlite_error("CREATE TABLE t (x UNIQUE); INSERT INTO t VALUES (1);",
                                                                        "INSERT INTO t VALUES (1)"),
             pg.UniqueViolation("x"), pg.UndefinedTable("x"), pg.CheckViolation("x"), ValueError("bug")]
    wrap = lambda e: sa.exc.OperationalError("SQL", {}, e) if not isinstance(e, (OSError, ValueError)) else e  # noqa: E731
    assert [faults.is_transient(wrap(e)) for e in transient] == [True] * len(transient)
    assert [faults.is_transient(wrap(e)) for e in final] == [False] * len(final)
    assert faults.retry_after(wrap(pg.DeadlockDetected("x"))) == 2
    assert faults.retry_after(wrap(full)) == 60 and faults.kind(wrap(full)) == "full"
    assert faults.unavailable(wrap(full)) == "storage" and faults.unavailable(wrap(cannot_open.value)) == "database"


def _holding_household(db_url: str, household_id):
    """Another session holding the household row FOR UPDATE (a visit's foreign key waits)."""
    engine = sa.create_engine(db_url)
    conn = engine.connect()
    conn.execute(sa.text("SELECT 1 FROM households WHERE id = :id FOR UPDATE"), {"id": household_id})
    return engine, conn


def _wait_for_lock_wait(conn, sender: threading.Thread, answer: dict, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = conn.execute(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar()
        conn.rollback()  # pg_stat_activity is read once per transaction
        if waiting:
            return
        if not sender.is_alive():
            response = answer.get("r")
            raise AssertionError(f"the sync request ended without waiting: {response and response.get_data(as_text=True)}")
        time.sleep(0.05)
    raise AssertionError("the sync request never waited for the lock")


def _phone(app):
    client = app.test_client()
    Auth(client).login("cskv1")
    return client, client.get("/api/session").get_json()["csrf_token"]


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_deadlock_is_answered_503_and_the_resend_is_created(app, db_url, db_session):
    household = households_of("T01")[0]
    entry = visit_entry(household.id, campaign_id())
    db_session.rollback()
    client, token = _phone(app)
    engine, other = _holding_household(db_url, household.id)
    answer = {}
    sender = threading.Thread(target=lambda: answer.update(r=send(client, [entry], token=token)))
    sender.start()
    try:
        monitor = engine.connect()
        _wait_for_lock_wait(monitor, sender, answer)
        time.sleep(0.3)  # the request has waited longer: PostgreSQL's check picks it
        # The other session now wants the receipt the request holds: a cycle.
        other.execute(sa.text(
            "INSERT INTO sync_receipts (entry_id, entry_type, content_hash, status, result, user_id, device_id, received_at)"
            " VALUES (:id, 'visit', 'x', 'created', '{}', 1, 'other', now())"), {"id": uuid.UUID(entry["id"])})
        sender.join(30)
    finally:
        other.rollback()
        other.close()
        monitor.close()
        engine.dispose()
    response = answer["r"]
    assert response.status_code == 503 and response.is_json and response.headers["Retry-After"] == "2"
    key = uuid.UUID(entry["id"])
    db_session.rollback()
    assert db_session.get(SyncReceipt, key) is None and db_session.get(Visit, key) is None
    assert send(client, [entry], token=token).get_json()["results"][0]["status"] == "created"


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_lock_timeout_is_answered_503_and_keeps_nothing(make_app, db_url, db_session):
    household = households_of("T02")[0]
    entry = visit_entry(household.id, campaign_id())
    db_session.rollback()
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c lock_timeout=300"}})
    client, token = _phone(app)
    engine, other = _holding_household(db_url, household.id)
    try:
        response = send(client, [entry], token=token)
    finally:
        other.rollback()
        other.close()
        engine.dispose()
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    db_session.rollback()
    assert db_session.get(SyncReceipt, uuid.UUID(entry["id"])) is None
    assert send(client, [entry], token=token).get_json()["results"][0]["status"] == "created"
