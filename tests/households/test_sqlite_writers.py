"""SQLite under concurrent writers: a request that writes holds the write lock from its first
statement, so another officer's commit in between can never fail it (SQLITE_BUSY_SNAPSHOT);
pages that only read (or read long, then write one audit event) do not hold it while reading;
and a database still locked after the busy timeout answers a retryable 503, not a 500."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import AuditEvent
from tests.conftest import Auth
from tests.helpers import unvisited_household, visits_of


class CompetingWriter:
    """After the request's first SELECT, another connection tries to commit a write."""

    def __init__(self, path: str):
        self.path, self.armed, self.outcome = path, False, None

    def __call__(self, _conn, _cursor, statement, *_args):
        if not self.armed or not statement.lstrip().upper().startswith("SELECT"):
            return
        self.armed = False
        print('STMT', statement[:80], _conn.in_transaction())
        other = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            other.execute("UPDATE users SET locale = locale WHERE username = 'quantri'")
            self.outcome = "committed"
        except sqlite3.OperationalError as exc:
            self.outcome = str(exc)
        finally:
            other.close()


def _db_path(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def _officer(app):
    """A client signed in as cskv1, and a CSRF token of its session."""
    client = app.test_client()
    auth = Auth(client)
    auth.login("cskv1")
    return client, auth.token()


def _with_competing_writer(app, request):
    """Run `request()` while another connection tries to commit after its first SELECT."""
    writer = CompetingWriter(_db_path(app))
    sa.event.listen(db.engine, "after_cursor_execute", writer)
    writer.armed = True
    try:
        return request(), writer.outcome
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", writer)


def test_a_posted_visit_survives_another_writer_committing_mid_request(sqlite_app):
    client, token = _officer(sqlite_app)
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        response, other = _with_competing_writer(sqlite_app, lambda: client.post(
            f"/households/{household.id}/quick", data={"outcome": "warned", "csrf_token": token}))
        assert other == "database is locked"  # the request held the lock already
        assert response.status_code in (200, 302, 303)
        assert [v.outcome for v in visits_of(household.id)] == ["warned"]


def test_a_database_locked_past_the_timeout_answers_503(sqlite_app):
    client, token = _officer(sqlite_app)
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        db.session.remove()
    holder = sqlite3.connect(_db_path(sqlite_app), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with sqlite_app.app_context():
            db.session.execute(sa.text("PRAGMA busy_timeout=0")).close()  # same pooled connection
        response = client.post(f"/households/{household.id}/quick",
                               data={"outcome": "warned", "csrf_token": token})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert "bận" in response.get_data(as_text=True)
    with sqlite_app.app_context():
        assert visits_of(household.id) == []


@pytest.mark.parametrize("page, action", [
    ("/households/{id}", "household_view"),
    ("/api/me/pack", "pack_download"),
    ("/exports/households.geojson", "export"),
])
def test_reads_then_an_audit_event_hold_no_lock_while_reading(sqlite_app, page, action):
    """A household view, the offline pack and the households export read (long, for the
    last two) and then write an audit event: the reads hold no write lock (another officer
    commits meanwhile), and the audit event is still written in its own short transaction."""
    client = sqlite_app.test_client()
    Auth(client).login("cskv1")
    with sqlite_app.app_context():
        url = page.format(id=unvisited_household("T01").id)
        events = sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        before = db.session.scalar(events)
        db.session.rollback()
        response, other = _with_competing_writer(sqlite_app, lambda: client.get(url))
        assert other == "committed"  # the reading request did not hold the write lock
        assert response.status_code == 200
        db.session.rollback()
        assert db.session.scalar(events) == before + 1


def test_read_only_pages_answer_while_another_request_holds_the_write_lock(sqlite_app):
    """The session probe before every sync, the village pages and the dashboard only read:
    they begin deferred and never queue behind a long sync batch (nor 503 when it overruns)."""
    client = sqlite_app.test_client()
    auth = Auth(client)
    auth.login("cskv1")
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        t01 = household.village_id
        db.session.remove()
    holder = sqlite3.connect(_db_path(sqlite_app), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with sqlite_app.app_context():
            db.session.execute(sa.text("PRAGMA busy_timeout=0")).close()  # same pooled connection
        for url in ("/api/session", f"/api/sync/status?ids={household.id}", "/villages/",
                    f"/villages/{t01}", f"/villages/{t01}?q=nguyen", "/coverage/"):
            assert client.get(url).status_code == 200, url
        # a page that writes (the household view's audit event) still waits for the lock
        assert client.get(f"/households/{household.id}").status_code == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
