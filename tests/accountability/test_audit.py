"""The audit trail: events recorded, append-only down to the database, searchable by
commanders and admins only."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from fieldapp.accountability import audit
from fieldapp.accountability.audit import AppendOnlyError
from fieldapp.extensions import db
from fieldapp.labels import AUDIT_ACTIONS, AUDIT_DETAILS
from fieldapp.models import AuditEvent, User
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
    officer = db.session.scalar(sa.select(User).where(User.username == "cskv1"))  # one of his commune
    for _ in range(60):
        audit.record("household_view", "household", "h", user=officer)
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


def recorded_in_code() -> tuple[set[str], set[str]]:
    """The actions and detail keys every `audit.record(…)`/`audit.row(…)` in fieldapp records:
    keyword arguments, and the keys of a dict passed as `**name` built in the same function."""
    import ast
    from pathlib import Path

    import fieldapp

    actions, keys = set(), set()
    for path in Path(fieldapp.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.Module)):
                continue
            built: dict[str, set[str]] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            built.setdefault(target.id, set()).update(
                                k.value for k in node.value.keys if isinstance(k, ast.Constant))
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                    target = node.targets[0]
                    if isinstance(target.value, ast.Name) and isinstance(target.slice, ast.Constant):
                        built.setdefault(target.value.id, set()).add(target.slice.value)
            for node in ast.walk(function):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"
                        and node.func.attr in ("record", "row")):
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    actions.add(first.value)
                elif isinstance(first, ast.IfExp):
                    actions.update(b.value for b in (first.body, first.orelse) if isinstance(b, ast.Constant))
                for keyword in node.keywords:
                    if keyword.arg is None and isinstance(keyword.value, ast.Name):
                        keys |= built.get(keyword.value.id, set())
                    elif keyword.arg not in (None, "user", "username"):
                        keys.add(keyword.arg)
    # register/runs.py: f"{kind}_import[_check]" with the summary's counts
    actions |= {f"{kind}_import{check}" for kind in ("households", "villages") for check in ("", "_check")}
    keys |= {"rows", "created", "updated", "unchanged"}
    return actions, keys


def test_every_recorded_action_and_detail_key_has_a_label(app):
    actions, keys = recorded_in_code()
    assert {"visit_create", "household_moved", "household_returned", "purge"} <= actions
    assert {"outcome", "merged_from", "supersedes", "dry_run", "cutoff", "step"} <= keys
    with app.test_request_context():
        assert actions - set(AUDIT_ACTIONS) == set()
        assert keys - set(AUDIT_DETAILS) == set()


def test_a_visit_event_shows_no_raw_code(client, auth, db_session):
    from .visits import add_visit

    household = unvisited_household("T01")
    add_visit(household, "cskv1", "warned", "2025-11-15 10:00")
    audit.record("purge", "household", "", dry_run=False, households=1234)
    db.session.commit()
    auth.login("chihuy")
    page = client.get("/audit/?action=visit_create").get_data(as_text=True)
    detail = page.split('class="muted detail">', 1)[1].split("</small>", 1)[0]
    assert "Đã cảnh báo" in detail and "warned" not in detail
    assert all(f"{key}:" not in detail for key in ("household", "campaign", "outcome"))
    auth.post("/logout")
    auth.login("quantri")  # a purge run on the server is the admins' (no commune's)
    page = client.get("/audit/?action=purge").get_data(as_text=True)
    assert "Không" in page and "1.234" in page and "False" not in page


def test_audit_pages_strictly_and_offers_every_labelled_action(client, auth, db_session):
    auth.login("chihuy")
    assert client.get("/audit/?page=x").status_code == 400
    assert client.get("/audit/?page=99").status_code == 404
    page = client.get("/audit/").get_data(as_text=True)
    assert 'value="household_returned"' in page  # offered before any such event exists
