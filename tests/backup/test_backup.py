"""`backup` while a phone syncs, then `restore` into an empty database: every visit
acknowledged before the backup began is there once, whole, under a new restore epoch."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import RestoreEpoch, SyncReceipt, Visit
from tests.conftest import Auth, _pg_admin, _pg_url
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry


@pytest.fixture
def empty_url(db_url, tmp_path):
    """A second, empty database of the same kind, to restore into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"fieldapp_r_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE template0")
    yield _pg_url(name)
    _pg_admin(f"DROP DATABASE IF EXISTS {name}")


class Phone(threading.Thread):
    """Sends batches of 20 visits until stopped; remembers when each id was acknowledged."""

    def __init__(self, app, households, campaign):
        super().__init__(daemon=True)
        self.client = app.test_client()
        Auth(self.client).login("cskv1")
        self.token = self.client.get("/api/session").get_json()["csrf_token"]
        self.households, self.campaign = households, campaign
        self.acknowledged: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def run(self):
        seq = 0
        while not self.stop.is_set():
            batch = [visit_entry(self.households[(seq + n) % len(self.households)].id, self.campaign,
                                 seq=seq + n, outcome="nobody_home", topics=[]) for n in range(20)]
            seq += 20
            answer = send(self.client, batch, token=self.token)
            if answer.status_code == 200:
                at = time.monotonic()
                self.acknowledged += [(at, r["id"]) for r in answer.get_json()["results"]
                                      if r["status"] in ("created", "duplicate")]


def test_a_backup_taken_while_a_phone_syncs_restores_every_acknowledged_visit(app, make_app, empty_url, tmp_path):
    with app.app_context():
        households, cid = households_of("T01") + households_of("T02"), campaign_id()
        old_epoch = db.session.scalar(sa.select(RestoreEpoch.value).order_by(RestoreEpoch.id.desc()))
        db.session.remove()
    phone = Phone(app, households, cid)
    phone.start()
    while len(phone.acknowledged) < 100:
        time.sleep(0.05)
    started = time.monotonic()
    file = tmp_path / "tungnha.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(file)])
    time.sleep(0.3)  # the phone goes on after the backup
    phone.stop.set()
    phone.join(30)
    assert result.exit_code == 0, result.output
    before = [entry_id for at, entry_id in phone.acknowledged if at < started]
    assert len(before) >= 100 and len(phone.acknowledged) > len(before)

    restored = make_app(SQLALCHEMY_DATABASE_URI=empty_url)
    result = restored.test_cli_runner().invoke(args=["restore", str(file)])
    assert result.exit_code == 0, result.output
    with restored.app_context():
        keys = [uuid.UUID(i) for i in before]
        assert db.session.scalar(sa.select(sa.func.count()).where(Visit.id.in_(keys))) == len(before)
        assert db.session.scalar(sa.select(sa.func.count()).where(SyncReceipt.entry_id.in_(keys))) == len(before)
        # Whole rows: no visit without its receipt, nor receipt without its visit.
        visits = set(db.session.scalars(sa.select(Visit.id).where(Visit.device_id == "phone-1")))
        receipts = set(db.session.scalars(sa.select(SyncReceipt.entry_id).where(SyncReceipt.device_id == "phone-1")))
        assert visits == receipts
        epochs = db.session.scalars(sa.select(RestoreEpoch).order_by(RestoreEpoch.id)).all()
        assert epochs[0].value == old_epoch and epochs[-1].value != old_epoch
        assert epochs[-1].note == "restored from tungnha.backup"
    again = restored.test_cli_runner().invoke(args=["restore", str(file)])
    assert again.exit_code != 0 and "không trống" in again.output  # never over a live database
    with restored.app_context():
        db.engine.dispose()  # before the database is dropped


def test_a_damaged_backup_is_refused(make_app, db_url, empty_url, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("pg_restore checks its own archive format")
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    result = make_app(SQLALCHEMY_DATABASE_URI=empty_url).test_cli_runner().invoke(args=["restore", str(damaged)])
    assert result.exit_code != 0 and "hỏng" in result.output
