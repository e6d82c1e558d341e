"""While an import holds SQLite's write lock (its whole write phase): its progress page and
other pure reads answer at once, and a sync waits at most a second, then answers 503 with
Retry-After (the phone sends again) instead of holding the phone for the busy timeout."""
from __future__ import annotations

import sqlite3
import time

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Campaign, ImportRun, User
from tests.conftest import Auth
from tests.helpers import unvisited_household
from tests.sync.helpers import send, visit_entry


def _import_holding_the_lock(app):
    """A running import and a connection holding the write lock as its write phase does."""
    with app.app_context():
        commander = db.session.scalar(sa.select(User).where(User.username == "chihuy"))
        run = ImportRun(kind="households", filename="ho-dan.csv", user_id=commander.id, rows_total=9000)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        db.session.remove()
        db.engine.dispose()
    holder = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE import_runs SET rows_done = 4000 WHERE id = ?", (run_id,))
    return run_id, holder


def test_progress_pages_and_reads_do_not_wait_for_an_import(sqlite_app):
    commander = sqlite_app.test_client()
    Auth(commander).login("chihuy")
    run_id, holder = _import_holding_the_lock(sqlite_app)
    try:
        with sqlite_app.app_context():  # a page that queued for the lock would fail at once
            db.session.execute(sa.text("PRAGMA busy_timeout=0")).close()  # same pooled connection
        pages = [commander.get(f"/register/imports/{run_id}"),
                 commander.get(f"/register/imports/{run_id}", headers={"HX-Request": "true"}),
                 commander.get("/register/"), commander.get("/coverage/"), commander.get("/api/session")]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [p.status_code for p in pages] == [200] * 5
    assert "ho-dan.csv" in pages[0].get_data(as_text=True)


def test_a_sync_during_an_import_waits_at_most_a_second_then_asks_to_retry(sqlite_app):
    phone = sqlite_app.test_client()
    Auth(phone).login("cskv1")
    token = phone.get("/api/session").get_json()["csrf_token"]
    with sqlite_app.app_context():
        entry = visit_entry(unvisited_household("T01").id, db.session.scalar(sa.select(Campaign.id)))
    run_id, holder = _import_holding_the_lock(sqlite_app)
    try:
        started = time.monotonic()
        answer = send(phone, [entry], token=token)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answer.status_code == 503 and answer.is_json and answer.headers["Retry-After"] == "2"
    assert 0.9 <= waited < 2.5
    assert send(phone, [entry], token=token).get_json()["results"][0]["status"] == "created"
