"""Phones racing with the same entries in opposite orders (PostgreSQL): receipts are taken in
id order, so the requests queue instead of deadlocking, and every answer is true."""
from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from fieldapp.models import QuarantinedEntry, SyncReceipt, Visit
from tests.conftest import Auth
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry

PHONES = 50
ENTRIES = 100


def _deadlocks(db_session) -> int:
    return db_session.scalar(sa.text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_fifty_phones_send_the_same_hundred_entries_in_opposite_orders(make_app, db_session):
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PHONES + 5, "pool_pre_ping": True})
    households = households_of("T01") + households_of("T02") + households_of("T03")
    cid = campaign_id()
    entries = [visit_entry(households[n % len(households)].id, cid, seq=n, lat=15.1 + n / 1000)
               for n in range(ENTRIES)]
    deadlocks_before = _deadlocks(db_session)
    db_session.rollback()
    phones = []
    for _ in range(PHONES):
        client = app.test_client()
        Auth(client).login("cskv1")  # one officer's outbox on many phones
        phones.append((client, client.get("/api/session").get_json()["csrf_token"]))
    barrier, answers = threading.Barrier(PHONES), [None] * PHONES

    def phone(i):
        client, token = phones[i]
        batch = entries if i % 2 == 0 else entries[::-1]
        barrier.wait()
        answers[i] = send(client, batch, device_id=f"phone-{i}", token=token)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(PHONES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [a.status_code for a in answers] == [200] * PHONES, [a.get_data(as_text=True)[:200] for a in answers]
    created: dict[str, int] = {}
    for answer in answers:
        for result in answer.get_json()["results"]:
            assert result["status"] in ("created", "duplicate"), result
            created[result["id"]] = created.get(result["id"], 0) + (result["status"] == "created")
    assert sorted(created.values()) == [1] * ENTRIES  # each id created once, duplicate elsewhere
    db_session.rollback()
    ids = [uuid.UUID(e["id"]) for e in entries]
    assert db_session.scalar(sa.select(sa.func.count()).where(Visit.id.in_(ids))) == ENTRIES
    assert db_session.scalar(sa.select(sa.func.count()).where(SyncReceipt.entry_id.in_(ids))) == ENTRIES
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QuarantinedEntry)) == 0
    assert _deadlocks(db_session) == deadlocks_before
