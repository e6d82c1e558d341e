"""A province's deployment in miniature: two app servers on two ports and a job worker, real
processes on one PostgreSQL database, with phones and imports going to either server and
processes killed as a crash would."""
from __future__ import annotations

import random
import threading
import uuid

import pytest
import sqlalchemy as sa

from tests.ops.cluster import Cluster, Phone

pytestmark = [pytest.mark.postgres_only, pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]


@pytest.fixture
def cluster(db_url, tmp_path):
    running = Cluster(db_url, tmp_path)
    yield running
    running.close()


@pytest.fixture
def engine(db_url):
    engine = sa.create_engine(db_url)
    yield engine
    engine.dispose()


def _households(engine, villages: tuple[str, ...]) -> tuple[int, list[str]]:
    with engine.connect() as conn:
        campaign = conn.scalar(sa.text("SELECT min(id) FROM campaigns"))
        ids = conn.scalars(sa.text(
            "SELECT h.id FROM households h JOIN villages v ON v.id = h.village_id "
            "WHERE v.code IN :codes ORDER BY h.id").bindparams(sa.bindparam("codes", expanding=True)),
            {"codes": list(villages)}).all()
    return campaign, [str(i) for i in ids]


def _visit(phone: Phone, household: str, campaign: int) -> dict:
    phone.seq += 1
    return {"id": str(uuid.uuid4()), "type": "visit", "seq": phone.seq,
            "recorded_at": "2025-11-12T09:15:00+07:00",
            "data": {"household_id": household, "campaign_id": campaign, "outcome": "warned",
                     "topics": ["tu_co_lap"], "materials": ["leaflet"], "people_reached": 2,
                     "youth_reached": 0, "commitment_signed": False, "companions": [], "note": "",
                     "lat": 15.12, "lon": 108.8, "accuracy_m": 12}}


def _stored(engine, ids: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT CAST(id AS text), count(*) FROM visits WHERE CAST(id AS text) IN :ids "
                                    "GROUP BY id").bindparams(sa.bindparam("ids", expanding=True)),
                            {"ids": ids}).all()
    return dict(rows)


def test_a_phone_alternating_between_servers_stores_each_visit_once(cluster, engine):
    """Batches go to one server, their retries (an answer lost on the way) to the other, some
    to both at once; then server A dies and the phone carries on through B alone."""
    (a, port_a), (_b, port_b) = cluster.server("app-a"), cluster.server("app-b")
    campaign, households = _households(engine, ("T01", "T02", "T03", "T04", "T05"))
    phone, rng = Phone(), random.Random(17)
    phone.login(port_a, "cskv1")
    outbox: dict[str, dict] = {}
    acknowledged: dict[str, str] = {}

    def deliver(port, batch, batch_id):
        status, answer = phone.send(port, batch, batch_id)
        assert status == 200, status
        assert [r["id"] for r in answer["results"]] == [e["id"] for e in batch]
        for result in answer["results"]:
            assert result["status"] in ("created", "duplicate"), result
            if result["status"] == "created":
                assert result["id"] not in acknowledged, "created twice"
            acknowledged.setdefault(result["id"], result["status"])

    for n in range(24):
        batch = [_visit(phone, rng.choice(households), campaign) for _ in range(rng.randint(1, 20))]
        outbox.update((e["id"], e) for e in batch)
        first, other = (port_a, port_b) if n % 2 == 0 else (port_b, port_a)
        batch_id = str(uuid.uuid4())
        if n % 3 == 2:  # the same batch to both servers at the same moment
            threads = [threading.Thread(target=deliver, args=(p, batch, batch_id)) for p in (first, other)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        else:
            deliver(first, batch, batch_id)
            deliver(other, batch, batch_id)  # the answer was lost: the outbox sends it again
        if n == 15:
            cluster.kill(a)
            port_a = port_b  # the load balancer now sends everything to B
    assert set(acknowledged) == set(outbox)
    stored = _stored(engine, list(outbox))
    assert len(stored) == len(outbox) and set(stored.values()) == {1}
