"""Concurrent duplicates on PostgreSQL, and a stateful model of a flaky network."""
from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from fieldapp.models import SyncReceipt, Visit
from tests.conftest import Auth
from tests.helpers import households_of
from tests.sync.helpers import campaign_id, send, visit_entry

THREADS = 4


@pytest.mark.postgres_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_parallel_duplicates_store_one_row_each_time(app, db_session):
    """50 runs: four clients (own sessions and connections) send the same entry at once."""
    household, cid = households_of("T01")[0], campaign_id()
    db_session.rollback()
    clients = [app.test_client() for _ in range(THREADS)]
    tokens = []
    for c in clients:
        Auth(c).login("cskv1")
        tokens.append(c.get("/api/session").get_json()["csrf_token"])
    for run in range(50):
        entry = visit_entry(household.id, cid, seq=run)
        barrier = threading.Barrier(THREADS)
        answers = [None] * THREADS

        def go(i):
            barrier.wait()
            answers[i] = send(clients[i], [entry], device_id="phone-1", token=tokens[i])

        threads = [threading.Thread(target=go, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        got = sorted(a.get_json()["results"][0]["status"] for a in answers)
        assert got == ["created"] + ["duplicate"] * (THREADS - 1), (run, got)
        db_session.rollback()
        key = uuid.UUID(entry["id"])
        assert db_session.scalar(sa.select(sa.func.count()).where(Visit.id == key)) == 1
        assert db_session.scalar(sa.select(sa.func.count()).where(SyncReceipt.entry_id == key)) == 1


class FlakyNetwork(RuleBasedStateMachine):
    """An outbox sends splits of its entries in any order; answers may be lost. At the end,
    once everything got through, the server holds exactly the unique ids, once each."""

    client = db = None
    households: list = []
    campaign = 0

    @initialize(count=st.integers(1, 8))
    def fill(self, count):
        self.entries = {}
        for n in range(count):
            e = visit_entry(self.households[n % len(self.households)].id, self.campaign, seq=n)
            self.entries[e["id"]] = e
        self.outbox = set(self.entries)
        self.token = self.client.get("/api/session").get_json()["csrf_token"]

    @rule(data=st.data(), lost=st.booleans())
    def send_some(self, data, lost):
        pool = sorted(self.entries)  # already-acknowledged ids may be resent too (stale outbox)
        chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool) + 2))
        answer = send(self.client, [self.entries[i] for i in chosen], token=self.token)
        assert answer.status_code == 200
        results = answer.get_json()["results"]
        assert [r["id"] for r in results] == chosen
        assert {r["status"] for r in results} <= {"created", "duplicate"}
        if not lost:
            self.outbox -= {r["id"] for r in results}

    @invariant()
    def never_twice(self):
        self.db.rollback()
        ids = [uuid.UUID(i) for i in getattr(self, "entries", {})]
        rows = self.db.scalars(sa.select(Visit.id).where(Visit.id.in_(ids))).all()
        assert len(rows) == len(set(rows))

    def teardown(self):
        if not getattr(self, "entries", None):
            return
        while self.outbox:
            results = send(self.client, [self.entries[i] for i in sorted(self.outbox)],
                           token=self.token).get_json()["results"]
            self.outbox -= {r["id"] for r in results if r["status"] in ("created", "duplicate")}
        self.db.rollback()
        ids = [uuid.UUID(i) for i in self.entries]
        rows = self.db.scalars(sa.select(Visit.id).where(Visit.id.in_(ids))).all()
        assert sorted(rows) == sorted(ids)


def test_drops_retries_reorders_and_splits_end_with_each_id_once(client, auth, db_session):
    auth.login("cskv1")
    FlakyNetwork.client, FlakyNetwork.db = client, db_session
    FlakyNetwork.households, FlakyNetwork.campaign = households_of("T02"), campaign_id()
    run_state_machine_as_test(FlakyNetwork, settings=settings(
        max_examples=12, stateful_step_count=6, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
