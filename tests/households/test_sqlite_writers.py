"""SQLite under concurrent writers: a request that writes holds the write lock from its first
statement, so another officer's commit in between can never fail it (SQLITE_BUSY_SNAPSHOT),
and a database still locked after the busy timeout answers a retryable 503, not a 500."""
from __future__ import annotations

import sqlite3

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
    client = sqlite_app.test_client()
    auth = Auth(client)
    auth.login("cskv1")
    token = auth.token()
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        response, other = _with_competing_writer(sqlite_app, lambda: client.post(
            f"/households/{household.id}/quick", data={"outcome": "warned", "csrf_token": token}))
        assert other == "database is locked"  # the request held the lock already
        assert response.status_code in (200, 302, 303)
        assert [v.outcome for v in visits_of(household.id)] == ["warned"]


def test_a_database_locked_past_the_timeout_answers_503(sqlite_app):
    client = sqlite_app.test_client()
    auth = Auth(client)
    auth.login("cskv1")
    token = auth.token()
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


def test_a_household_view_and_its_audit_event_survive_another_writer(sqlite_app):
    """Viewing a household reads, then writes its audit event: the same race as a post."""
    client = sqlite_app.test_client()
    Auth(client).login("cskv1")
    with sqlite_app.app_context():
        household = unvisited_household("T01")
        response, other = _with_competing_writer(
            sqlite_app, lambda: client.get(f"/households/{household.id}"))
        assert other == "database is locked"
        assert response.status_code == 200
        db.session.rollback()
        seen = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "household_view", AuditEvent.object_id == str(household.id)))
        assert seen == 1
