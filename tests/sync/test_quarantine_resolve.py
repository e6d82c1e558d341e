"""A quarantined copy of an entry the server holds after all resolves itself: at the entry's
next receipt, and, for rows an older server left behind, by the data fix of the migration."""
from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from fieldapp.models import QuarantinedEntry, SyncReceipt
from tests.helpers import households_of, user
from tests.sync.helpers import campaign_id, send, statuses, visit_entry

SERVER_ERROR = {"server": "Máy chủ không ghi được mục này."}
SYNC_FAULTS = "26bf53a49881"  # the revision with the data fix


def _before(revision: str) -> str:
    """The revision the given one builds on (it moves when main gains migrations)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def _held(db_session, entry, errors=SERVER_ERROR) -> int:
    db_session.rollback()  # a fresh snapshot: the app has committed since
    row = QuarantinedEntry(entry_id=entry["id"], user_id=user("cskv1").id, device_id="phone-1", raw=entry, errors=errors)
    db_session.add(row)
    db_session.commit()
    return row.id


def test_a_wrongly_quarantined_entry_resolves_itself_when_stored(client, auth, db_session):
    entry = visit_entry(households_of("T01")[0].id, campaign_id())
    row_id = _held(db_session, entry)
    auth.login("cskv1")
    assert statuses(send(client, [entry])) == ["created"]
    db_session.rollback()
    row = db_session.get(QuarantinedEntry, row_id)
    assert row.resolved_at is not None and row.resolution == "stored" and row.resolved_by_id is None
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("chihuy")
    page = client.get("/sync/quarantine").get_data(as_text=True)
    assert "Tự xử lý" in page and "Đánh dấu đã xem" not in page


def test_a_resent_duplicate_resolves_its_quarantined_copy_too(client, auth, db_session):
    entry = visit_entry(households_of("T01")[1].id, campaign_id())
    auth.login("cskv1")
    send(client, [entry])
    row_id = _held(db_session, entry)  # the answer that was wrong, from a racing request
    assert statuses(send(client, [entry])) == ["duplicate"]
    db_session.rollback()
    assert db_session.get(QuarantinedEntry, row_id).resolution == "stored"


def test_the_data_fix_resolves_false_quarantines_of_stored_entries(app, client, auth, db_session):
    cid = campaign_id()
    stored, lost, refused = (visit_entry(h.id, cid) for h in households_of("T02")[:3])
    auth.login("cskv1")
    send(client, [stored])
    db_session.rollback()  # no snapshot open across the schema change (PostgreSQL would wait for it)
    downgrade(revision=_before(SYNC_FAULTS))
    db_session.remove()
    table = sa.table("quarantined_entries", sa.column("entry_id"), sa.column("user_id"), sa.column("device_id"),
                     sa.column("raw", sa.JSON), sa.column("errors", sa.JSON), sa.column("received_at", sa.DateTime))
    cskv1 = db_session.scalar(sa.text("SELECT id FROM users WHERE username = 'cskv1'"))
    db_session.execute(table.insert(), [
        {"entry_id": e["id"], "user_id": cskv1, "device_id": "p", "raw": e, "errors": errors,
         "received_at": datetime(2026, 11, 20, 3, 0)}
        for e, errors in ((stored, SERVER_ERROR), (stored, SERVER_ERROR), (lost, SERVER_ERROR),
                          (refused, {"outcome": "Lựa chọn không hợp lệ."}))])
    db_session.commit()
    db_session.remove()
    upgrade()
    rows = db_session.execute(sa.select(QuarantinedEntry.entry_id, QuarantinedEntry.resolution)
                              .order_by(QuarantinedEntry.id)).all()
    assert rows == [(stored["id"], "stored"), (stored["id"], "stored"), (lost["id"], None), (refused["id"], None)]
    assert db_session.get(SyncReceipt, uuid.UUID(stored["id"])).skew_s is None  # kept since before the column
