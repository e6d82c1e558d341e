"""/healthz and /readyz as a load balancer sees them, and the log line of every request."""
from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa
from flask_login import login_user

from fieldapp.auth.models import User
from fieldapp.extensions import db
from fieldapp.jobs import services
from fieldapp.ops import requestlog
from tests.conftest import _config, _new_app


def test_healthz_answers_without_the_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_readyz_needs_a_worker_seen_in_the_last_minute(app, client):
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"database": "ok", "migrations": "ok",
                                           "worker": "no worker has run against this database"}
    with app.app_context():
        services.beat("w1", "host", 1, None)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ready", "checks": {
        "database": "ok", "migrations": "ok", "worker": "ok"}}
    with app.app_context():
        db.session.execute(sa.text("UPDATE workers SET seen_at = :t"),
                           {"t": services.utcnow() - services.timedelta(minutes=2)})
        db.session.commit()
    assert client.get("/readyz").get_json()["checks"]["worker"] == "no worker seen for 120 s"


def test_readyz_refuses_a_database_behind_the_code(app, client):
    with app.app_context():
        services.beat("w1", "host", 1, None)
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = '3f6d2b8e41c7'"))
        db.session.commit()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["migrations"].startswith("database at ['3f6d2b8e41c7'], code expects")


@pytest.mark.parametrize("url", ["sqlite:////nonexistent/dir/x.sqlite3",
                                 "postgresql+psycopg://nobody:x@127.0.0.1:1/none"])
def test_readyz_says_when_the_database_cannot_be_reached(url):
    app = _new_app(_config(url))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 503
    checks = answer.get_json()["checks"]
    assert checks["database"] != "ok" and checks["worker"] == "not checked"


def test_every_request_is_logged_with_its_id_user_and_duration(client, auth, caplog):
    auth.login("cskv1")
    caplog.set_level(logging.INFO, logger="fieldapp.requests")
    answer = client.get("/villages/", headers={"X-Request-ID": "lb-1234"})
    assert answer.headers["X-Request-ID"] == "lb-1234"
    client.get("/coverage/nowhere")
    client.get("/healthz", headers={"X-Request-ID": "bad id; user=admin"})
    lines = [r.getMessage() for r in caplog.records if r.name == "fieldapp.requests"][-3:]
    assert re.fullmatch(r"request id=lb-1234 method=GET path=/villages/ status=200 ms=\d+\.\d "
                        r"user=\d+:cskv1 ip=127\.0\.0\.1", lines[0])
    assert "path=/coverage/nowhere status=404" in lines[1]
    assert re.match(r"request id=[0-9a-f]{32} method=GET path=/healthz status=200", lines[2])


def test_the_log_line_asks_the_database_nothing_after_the_view_committed(app):
    """A sync batch commits, then its log line is written. Reloading the account the commit
    expired would begin a new transaction there: on SQLite, behind other phones' write lock,
    the batch already stored was answered 500 (seen 15 times in 30 s of bench b_load)."""
    statements = []
    with app.test_request_context("/api/sync/batch", method="POST"):
        user = db.session.scalar(sa.select(User).where(User.username == "cskv1"))
        login_user(user)
        user_id = user.id
        assert requestlog._user() == f"{user_id}:cskv1"
        db.session.commit()  # as the view does: every attribute expired
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args, **kw: statements.append(args[2]))
        assert requestlog._user() == str(user_id)
        assert statements == []
