"""Users (admin page) and assignments (commander page, CLI): history kept, scope follows."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Assignment, AuditEvent
from fieldapp.timeutil import today_vn
from tests.conftest import Auth
from tests.helpers import user, village


def test_admin_creates_disables_and_resets(app, client, auth, db_session):
    auth.login("quantri")
    bad = auth.post("/users/", {"username": "có dấu", "role": "officer", "password": "short"})
    assert bad.status_code == 422
    ok = auth.post("/users/", {"username": "cskv9", "role": "officer", "full_name": "Võ Văn Chín",
                               "password": "matkhau123"})
    assert ok.status_code == 302
    db.session.rollback()
    new = user("cskv9")
    assert new.role == "officer" and new.commune_id is not None
    taken = auth.post("/users/", {"username": "cskv9", "role": "officer", "password": "matkhau123"})
    assert taken.status_code == 422
    auth.post(f"/users/{new.id}", {"full_name": "Võ Văn Chín", "role": "officer", "active": "y",
                                     "new_password": "Moi-12345-ab"})
    other = Auth(app.test_client())
    assert other.login("cskv9", "Moi-12345-ab").status_code == 302
    auth.post(f"/users/{new.id}", {"full_name": "Võ Văn Chín", "role": "officer"})  # active unchecked
    db.session.rollback()
    assert user("cskv9").active is False
    assert Auth(app.test_client()).login("cskv9", "Moi-12345-ab").status_code != 302
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "user")).all()
    assert "user_create" in actions and actions.count("user_update") == 2
    assert auth.post(f"/users/{user('quantri').id}", {"role": "commander", "active": "y"}).status_code == 422


def test_only_admins_manage_users(client, auth, db_session):
    auth.login("chihuy")
    assert client.get("/users/").status_code == 403
    assert client.get("/assignments/").status_code == 200


def test_assignment_changes_what_an_officer_sees_and_keeps_history(app, client, auth, db_session):
    t10 = village("T10")
    officer = Auth(app.test_client())
    officer.login("cskv1")
    assert officer.client.get(f"/villages/{t10.id}").status_code == 404
    auth.login("chihuy")
    start = today_vn()
    response = auth.post("/assignments/", {"user": user("cskv1").id, "village": t10.id,
                                           "starts_on": start.isoformat()})
    assert response.status_code == 302
    assert officer.client.get(f"/villages/{t10.id}").status_code == 200
    pack = officer.client.get("/api/me/pack").get_json()
    assert "T10" in {v["code"] for v in pack["villages"]}
    db.session.rollback()
    row = db.session.scalar(sa.select(Assignment).where(Assignment.village_id == t10.id,
                                                        Assignment.user_id == user("cskv1").id))
    ended = auth.post(f"/assignments/{row.id}/end", {"ends_on": (start - timedelta(days=1)).isoformat()})
    assert ended.status_code == 400  # before its first day
    auth.post(f"/assignments/{row.id}/end", {"ends_on": start.isoformat()})
    db.session.rollback()
    assert db.session.get(Assignment, row.id).ends_on == start
    history = auth.client.get(f"/assignments/?village={t10.id}").get_data(as_text=True)
    assert 'data-assignment="cskv1 T10"' in history


def test_cli_assign_closes_only_the_same_persons_open_row(runner, db_session):
    t01 = village("T01")
    before = db.session.scalars(sa.select(Assignment).where(Assignment.village_id == t01.id)).all()
    open_rows = {a.user.username: a.starts_on for a in before if a.ends_on is None}
    result = runner.invoke(args=["assign", "cskv1", "T01", "--from", "2026-12-01", "--to", "2026-12-31"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    rows = db.session.scalars(sa.select(Assignment).where(Assignment.village_id == t01.id)).all()
    mine = sorted((a for a in rows if a.user.username == "cskv1"), key=lambda a: a.starts_on)
    assert mine[-1].starts_on == date(2026, 12, 1) and mine[-1].ends_on == date(2026, 12, 31)
    assert mine[-2].ends_on == date(2026, 11, 30)
    others = {a.user.username for a in rows if a.ends_on is None and a.user.username != "cskv1"}
    assert others == set(open_rows) - {"cskv1"}
    assert len(rows) == len(before) + 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assignment_create"))
    assert event.detail["village"] == "T01" and event.ip == "cli"
