"""The audit trail: events recorded, append-only down to the database, searchable by
commanders and admins only."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.accountability import audit
from fieldapp.accountability.audit import AppendOnlyError
from fieldapp.extensions import db
from fieldapp.models import AuditEvent
from tests.helpers import unvisited_household


def events(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def one_event() -> AuditEvent:
    audit.record("test_event", "household", "x", note="kept")
    db.session.commit()
    return events("test_event")[0]


def test_logins_and_failures_are_recorded_with_the_address(client, auth, db_session):
    auth.login("chihuy", "wrong")
    auth.login("chihuy")
    [failed], [ok] = events("login_failed"), events("login")
    assert failed.username == "chihuy" and ok.username == "chihuy" and ok.ip == "127.0.0.1"


def test_orm_update_and_delete_are_refused(db_session):
    event = one_event()
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(one_event() if not events("test_event") else events("test_event")[0])
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert [e.action for e in events("test_event")] == ["test_event"]


def test_bulk_statements_are_refused(db_session):
    one_event()
    with pytest.raises(AppendOnlyError):
        db.session.execute(sa.update(AuditEvent).values(action="x"))
    with pytest.raises(AppendOnlyError):
        db.session.execute(sa.delete(AuditEvent.__table__))
    db.session.rollback()
    assert len(events("test_event")) == 1


def test_the_database_itself_refuses_changes(db_session):
    """Below the ORM: triggers reject UPDATE and DELETE on both backends."""
    one_event()
    db.session.rollback()  # hold no lock: TRUNCATE would wait for it forever
    statements = ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
    if db.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        with db.engine.connect() as conn:
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                conn.exec_driver_sql(statement)
            conn.rollback()
    assert len(events("test_event")) == 1


def test_audit_page_searches_and_pages(client, auth, db_session):
    auth.login("cskv1")
    assert client.get("/audit/").status_code == 403
    auth.post("/logout")
    auth.login("chihuy")
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-action="login"' in page and "cskv1" in page
    page = client.get("/audit/?user=cskv1&action=logout").get_data(as_text=True)
    assert page.count('class="card event"') == 1 and 'data-action="logout"' in page
    page = client.get("/audit/?user=nobody").get_data(as_text=True)
    assert 'class="card event"' not in page
    page = client.get("/audit/?date_from=2020-01-01&date_to=2020-01-02").get_data(as_text=True)
    assert 'class="card event"' not in page
    for bad in ("date_from=bad", "date_to=9999-12-31"):
        response = client.get(f"/audit/?{bad}")
        assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True), bad
    for _ in range(60):
        audit.record("household_view", "household", "h", user=None)
    db.session.commit()
    first = client.get("/audit/?action=household_view").get_data(as_text=True)
    assert first.count('class="card event"') == 50 and "page=2" in first
    second = client.get("/audit/?action=household_view&page=2").get_data(as_text=True)
    assert second.count('class="card event"') == 10


def test_nothing_edits_an_event_over_http(client, auth, db_session):
    auth.login("quantri")
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/audit/").status_code in (400, 403, 405)


def test_household_view_is_recorded(client, auth, db_session):
    household = unvisited_household("T01")
    auth.login("cskv1")
    client.get(f"/households/{household.id}")
    [event] = events("household_view")
    assert event.object_id == str(household.id) and event.username == "cskv1"
