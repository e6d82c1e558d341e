"""A database that cannot be written (read-only, disk full) or reached answers 503 with
Retry-After, on pages and APIs alike, never 500; nothing is half-written."""
from __future__ import annotations

import errno

import psycopg
import pytest
import sqlalchemy as sa

from fieldapp.errors import unavailable
from tests.conftest import Auth, _pg_admin, csrf_from


def _read_only(db_url: str) -> str:
    """The same database, now refusing every write (as a full or read-only volume does)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///file:{db_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    _pg_admin(f"ALTER DATABASE {db_url.rsplit('/', 1)[1]} SET default_transaction_read_only = on")
    return db_url


def test_a_database_that_cannot_be_written_answers_503_with_retry_after(db_url, client, make_app):
    Auth(client).login("cskv1")
    session_cookie = client.get_cookie("session").value
    stuck = make_app(SQLALCHEMY_DATABASE_URI=_read_only(db_url)).test_client()

    login = stuck.post("/login", data={"username": "cskv2", "password": "demo1234",
                                       "csrf_token": csrf_from(stuck.get("/login").get_data(as_text=True))})
    assert login.status_code == 503 and login.headers["Retry-After"] == "60"
    assert "ổ đĩa đầy hoặc chỉ cho đọc" in login.get_data(as_text=True)

    stuck.set_cookie("session", session_cookie)
    pack = stuck.get("/api/me/pack")  # records its download in the audit log: a write
    assert pack.status_code == 503 and pack.headers["Retry-After"] == "60"
    assert pack.get_json()["error"] == "storage"
    assert stuck.get("/villages/").status_code == 200  # reading still works


def _dbapi(orig: Exception, cls=sa.exc.OperationalError):
    return cls("INSERT …", {}, orig)


@pytest.mark.parametrize("error, kind", [
    (_dbapi(psycopg.errors.DiskFull("could not extend file")), "storage"),
    (_dbapi(psycopg.errors.ReadOnlySqlTransaction("read-only"), sa.exc.InternalError), "storage"),
    (_dbapi(psycopg.errors.TooManyConnections("too many clients")), "busy"),
    (_dbapi(psycopg.errors.AdminShutdown("terminating connection")), "database"),
    (_dbapi(psycopg.OperationalError("connection refused")), "database"),
    (_dbapi(__import__("sqlite3").OperationalError("database or disk is full")), "storage"),
    (_dbapi(__import__("sqlite3").OperationalError("database is locked")), "busy"),
    (OSError(errno.ENOSPC, "No space left on device"), "storage"),
    (_dbapi(psycopg.errors.UniqueViolation("duplicate key"), sa.exc.IntegrityError), None),
    (ValueError("a bug"), None),
])
def test_what_counts_as_unavailable(error, kind):
    assert unavailable(error) == kind
