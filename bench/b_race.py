"""Racing phones: 50 phones of one officer send the same 100 entries, half in the opposite order.

The real server as `make run` starts it (gunicorn 2 workers × 4 threads) on PostgreSQL (a
throwaway database on FIELDAPP_TEST_PG) and on SQLite. Five rounds of 100 new entries; in each,
50 phones wait at a barrier, then post the batch (odd phones reversed). Every answer must be a
receipt (`created` once per id, `duplicate` for the others): no `quarantined`, no 503, no visit
stored twice. Reported: latency p50/p95/max per request (budget p95 < 1 s on PostgreSQL).
"""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from .b_load import Client, _free_port, _pct, _prepare, _serve, _stop
from .common import Result

PHONES, ENTRIES, ROUNDS = 50, 100, 5
VN = timezone(timedelta(hours=7))


def _entries(pack: dict) -> list[dict]:
    campaign = pack["campaign"]
    households = [h["id"] for v in pack["villages"] for h in v["households"]]
    now = datetime.now(VN).isoformat(timespec="seconds")
    return [{"id": str(uuid.uuid4()), "type": "visit", "seq": n, "recorded_at": now,
             "data": {"household_id": households[n % len(households)], "campaign_id": campaign["id"],
                      "outcome": "nobody_home", "topics": [], "materials": [], "people_reached": 0,
                      "youth_reached": 0, "commitment_signed": False, "companions": [], "note": "",
                      "lat": 15.1 + n / 10000, "lon": 108.8, "accuracy_m": 12}} for n in range(ENTRIES)]


def _race(port: int) -> tuple[list[float], Counter, Counter, list[str]]:
    log, lock = [], threading.Lock()
    phones = [Client(port, log, lock) for _ in range(PHONES)]
    for phone in phones:
        phone.login("cskv1")
    pack = json.loads(phones[0].request("", "GET", "/api/me/pack", headers={"Accept-Encoding": "identity"})[1])
    tokens = [json.loads(p.request("", "GET", "/api/session", headers={"Accept-Encoding": "identity"})[1])["csrf_token"]
              for p in phones]
    latencies, answers, statuses, ids = [], Counter(), Counter(), []
    for _round in range(ROUNDS):
        entries = _entries(pack)
        ids += [e["id"] for e in entries]
        barrier = threading.Barrier(PHONES)

        def phone(i):
            batch = entries if i % 2 == 0 else entries[::-1]
            body = json.dumps({"batch_id": str(uuid.uuid4()), "device_id": f"race-{i}", "entries": batch}).encode()
            barrier.wait()
            start = time.perf_counter()
            try:
                status, answer = phones[i].request("", "POST", "/api/sync/batch", body, {
                    "Content-Type": "application/json", "X-CSRFToken": tokens[i], "Accept-Encoding": "identity"})
            except (OSError, http.client.HTTPException) as exc:  # no answer: counted, with the time waited
                status, answer = type(exc).__name__, b""
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                answers[status] += 1
                if status == 200:
                    statuses.update(r["status"] for r in json.loads(answer)["results"])

        threads = [threading.Thread(target=phone, args=(i,)) for i in range(PHONES)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return latencies, answers, statuses, ids


def _stored(url: str, ids: list[str]) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        keys = [uuid.UUID(i) for i in ids]
        visits = conn.execute(sa.select(sa.func.count()).select_from(sa.table("visits", sa.column("id", sa.Uuid)))
                              .where(sa.column("id", sa.Uuid).in_(keys))).scalar()
        quarantined = conn.execute(sa.text("SELECT count(*) FROM quarantined_entries")).scalar()
    engine.dispose()
    return visits, quarantined


def _measure(label: str, url: str, budget: float | None) -> list[Result]:
    _prepare(url)
    port = _free_port()
    server = _serve(url, port)
    try:
        latencies, answers, statuses, ids = _race(port)
    finally:
        _stop(server)
    visits, quarantined = _stored(url, ids)
    unique = len(set(ids))
    return [
        Result(f"race {label}: {PHONES} phones × same {ENTRIES} ids, p95", _pct(latencies, 0.95), "ms", budget,
               f"p50 {_pct(latencies, 0.5):.0f} ms, max {max(latencies):.0f} ms, {len(latencies)} requests; "
               f"HTTP {dict(answers)}; entries {dict(statuses)}"),
        Result(f"race {label}: requests without an answer", sum(n for k, n in answers.items() if isinstance(k, str)),
               "", 0, f"answers by status: {dict(answers)} (503: busy, Retry-After, the phone sends again)"),
        Result(f"race {label}: quarantined or doubled", quarantined + max(0, visits - unique) + statuses["quarantined"],
               "", 0, f"{visits} visits stored for {unique} ids; {quarantined} quarantine rows"),
        Result(f"race {label}: ids not created exactly once", abs(statuses["created"] - unique), "", 0,
               f"created {statuses['created']}, duplicate {statuses['duplicate']}"),
    ]


def run(tmp: Path) -> list[Result]:
    results = _measure("SQLite", f"sqlite:///{tmp / 'race.sqlite3'}", None)
    server = os.environ.get("FIELDAPP_TEST_PG")
    if not server:
        return results + [Result("race PostgreSQL: skipped", 0, "", None, "FIELDAPP_TEST_PG unset")]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"fieldapp_bench_race_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        return results + _measure("PostgreSQL", server.rsplit("/", 1)[0] + "/" + name, 1000)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()
