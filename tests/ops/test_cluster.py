"""A province's deployment in miniature: two app servers on two ports and a job worker, real
processes on one PostgreSQL database, with phones and imports going to either server and
processes killed as a crash would."""
from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.ops.cluster import LEASE_SECONDS, Cluster, Phone
from tests.sync.helpers import vn_time

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
            "recorded_at": vn_time(),
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
    created: set[str] = set()
    answers = threading.Lock()  # two answers to one batch may be read in either order

    def deliver(port, batch, batch_id):
        status, answer = phone.send(port, batch, batch_id)
        assert status == 200, status
        assert [r["id"] for r in answer["results"]] == [e["id"] for e in batch]
        with answers:
            for result in answer["results"]:
                assert result["status"] in ("created", "duplicate"), result
                if result["status"] == "created":
                    assert result["id"] not in created, "created twice"
                    created.add(result["id"])
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
    assert set(acknowledged) == set(outbox) == created
    stored = _stored(engine, list(outbox))
    assert len(stored) == len(outbox) and set(stored.values()) == {1}


SURNAMES, MIDDLES = ("Nguyễn", "Trần", "Lê", "Phạm", "Võ"), ("Văn", "Thị", "Minh", "Hữu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Mai", "Nam")


def _register_file(engine, rows: int, blocker_at: int) -> tuple[bytes, dict]:
    """`rows` new households over T01–T31, and at line `blocker_at` an existing household
    of T01 with a new address (an update, which the test can hold up by locking its row)."""
    with engine.connect() as conn:
        villages = conn.scalars(sa.text("SELECT code FROM villages ORDER BY code")).all()
        old = conn.execute(sa.text(
            "SELECT h.id, v.code AS village, h.code, h.head_name, h.members, h.youth FROM households h "
            "JOIN villages v ON v.id = h.village_id WHERE v.code = 'T01' AND h.status = 'active' "
            "ORDER BY h.code LIMIT 1")).one()
    lines = ["village_code,code,head_name,address,phone,members,youth,lat,lon"]
    for n in range(rows):
        name = f"{SURNAMES[n % 5]} {MIDDLES[n // 5 % 4]} {GIVEN[n // 20 % 8]}"
        lines.append(f"{villages[n % len(villages)]},K{n:05d},{name},Số {n},,3,1,,")
        if n + 2 == blocker_at:
            lines.append(f'{old.village},{old.code},"{old.head_name}",Địa chỉ mới,,{old.members},{old.youth},,')
    return ("\r\n".join(lines) + "\r\n").encode(), {"id": old.id}


def _attempt_at(engine) -> tuple | None:
    """The import job's attempt, and the phase and rows its progress reports."""
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT attempts, progress FROM jobs WHERE kind = 'import_households'")).first()
    return row and (row.attempts, (row.progress or {}).get("phase"), (row.progress or {}).get("done"))


def _job_state(engine) -> tuple:
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text("SELECT status, attempts FROM jobs WHERE kind = 'import_households'")).one())


def _count_new(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.text("SELECT count(*) FROM households WHERE code LIKE 'K%'"))


def _run_page(phone: Phone, port: int, location: str) -> str:
    return phone.call(port, "GET", location, headers={"HX-Request": "true"})[1].decode()


def _until(predicate, seconds: float = 60, every: float = 0.2, show=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (found := predicate()):
            return found
        time.sleep(every)
    raise AssertionError(f"waited in vain: {show()}")


def _upload(phone: Phone, port: int, data: bytes) -> str:
    token = csrf_from(phone.call(port, "GET", "/register/")[1].decode())
    status, location = phone.upload(port, "/register/imports", "so-ho-lon.csv", data,
                                    {"csrf_token": token, "mode": "import"})
    assert status == 302 and "/register/imports/" in location, (status, location)
    return location


@pytest.fixture
def held(engine):
    """Hold the row lock of one household (as an edit in progress would) until `release()`:
    an import that updates it waits there, its earlier rows written but not committed."""
    conn = engine.connect()

    class Held:
        def lock(self, household_id):
            conn.execute(sa.text("SELECT id FROM households WHERE id = :id FOR UPDATE"), {"id": household_id})

        def release(self):
            conn.rollback()

    yield Held()
    conn.close()


def test_an_import_uploaded_on_one_server_shows_its_progress_on_the_other(cluster, engine, held):
    (_a, port_a), (_b, port_b) = cluster.server("app-a"), cluster.server("app-b")
    data, blocker = _register_file(engine, 6000, blocker_at=4500)
    held.lock(blocker["id"])
    commander = Phone()
    commander.login(port_a, "chihuy")
    location = _upload(commander, port_a, data)
    assert "Đang chờ" in _run_page(commander, port_b, location)  # queued: no worker yet
    cluster.worker("worker-1")
    page = _until(lambda: (html := _run_page(commander, port_b, location)) and 'value="4000"' in html and html,
                  show=lambda: _run_page(commander, port_b, location)[:3000])
    assert 'data-run-status="running"' in page and "Đang ghi" in page and "4.000 / 6.001" in page
    assert _count_new(engine) == 0  # nothing is visible before the import commits
    held.release()
    page = _until(lambda: (html := _run_page(commander, port_b, location)) and "data-run-status=\"done\"" in html and html)
    assert "thêm mới 6.000" in page and "cập nhật 1" in page
    assert _count_new(engine) == 6000


def test_a_worker_killed_mid_import_leaves_nothing_and_the_import_finishes_after_a_restart(cluster, engine, held):
    (_a, port_a), (_b, port_b) = cluster.server("app-a"), cluster.server("app-b")
    data, blocker = _register_file(engine, 6000, blocker_at=4500)
    held.lock(blocker["id"])
    commander = Phone()
    commander.login(port_a, "chihuy")
    worker = cluster.worker("worker-1")
    location = _upload(commander, port_a, data)
    _until(lambda: 'value="4000"' in _run_page(commander, port_b, location))  # 4,000 rows written…
    cluster.kill(worker)  # …uncommitted, when its worker dies
    held.release()
    time.sleep(LEASE_SECONDS + 1)
    assert _count_new(engine) == 0  # never half-written
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT status FROM jobs WHERE kind = 'import_households'")) == "running"
    cluster.worker("worker-2")  # the lease ran out: worker-2 runs the job again, from the stored file
    page = _until(lambda: (html := _run_page(commander, port_a, location)) and 'data-run-status="done"' in html and html)
    assert "thêm mới 6.000" in page
    assert _count_new(engine) == 6000
    _until(lambda: _job_state(engine) == ("done", 2))  # marked done just after the import commits
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM stored_files")) == 0


def test_an_import_whose_workers_keep_dying_fails_with_a_message_and_frees_the_way(cluster, engine, held):
    (_a, port_a), _b = cluster.server("app-a"), cluster.server("app-b")
    data, blocker = _register_file(engine, 3000, blocker_at=2500)
    held.lock(blocker["id"])
    commander = Phone()
    commander.login(port_a, "chihuy")
    location = _upload(commander, port_a, data)
    for attempt in (1, 2):
        worker = cluster.worker(f"worker-{attempt}")
        _until(lambda: _attempt_at(engine) == (attempt, "write", 2000))
        assert 'value="2000"' in _run_page(commander, port_a, location)
        cluster.kill(worker)
        time.sleep(LEASE_SECONDS + 1)
    held.release()
    cluster.worker("worker-3")  # reaps: the last attempt is spent, so the run fails
    page = _until(lambda: (html := _run_page(commander, port_a, location)) and 'data-run-status="failed"' in html and html)
    assert "máy xử lý đã dừng" in page and _count_new(engine) == 0
    again = _upload(commander, port_a, data)  # a new import can start at once
    _until(lambda: 'data-run-status="done"' in _run_page(commander, port_a, again))
    assert _count_new(engine) == 3000
