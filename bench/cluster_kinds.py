"""What each request kind of `b_cluster` costs alone, one at a time, in-process on the province
database (BENCH_CLUSTER_DB, a name on the test server or a URL): the median server time of each,
and the server work per second at the planned rate (`b_cluster`'s shape), beside the CPU time
of the app alone (the rest of a kind's time is PostgreSQL's and the wait for it). The sync batches
(10 visits, the mean) stay in the kept database, on a device of their own.

    source scripts/ensure-postgres.sh && BENCH_CLUSTER_DB=bench3_province .venv/bin/python -m bench.cluster_kinds
"""
from __future__ import annotations

import logging
import os
import random
import re
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from fieldapp.sync import versions

from .b_cluster import COMMANDERS, DASHBOARD_PERIOD, HEADS, OFFICER_PERIOD, OFFICERS

VN = timezone(timedelta(hours=7))
ROUNDS = int(os.environ.get("BENCH_KINDS_ROUNDS", "15"))
# Requests per second of each kind at the planned rate (see b_cluster's docstring).
RATE = {"session": OFFICERS / OFFICER_PERIOD, "sync batch (10 visits)": OFFICERS / OFFICER_PERIOD,
        "pack refresh": OFFICERS / OFFICER_PERIOD, "village coverage": HEADS / DASHBOARD_PERIOD,
        "commune dashboard": COMMANDERS / DASHBOARD_PERIOD, "pack (full)": 0.0}


def _url() -> str:
    given = os.environ["BENCH_CLUSTER_DB"]
    return given if "/" in given else os.environ["FIELDAPP_TEST_PG"].rsplit("/", 1)[0] + "/" + given


def _people(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        officer = conn.scalar(sa.text(
            "SELECT u.username FROM users u JOIN assignments a ON a.user_id = u.id "
            "WHERE u.role = 'officer' ORDER BY md5(u.username) LIMIT 1"))
        head, village = conn.execute(sa.text(
            "SELECT u.username, a.village_id FROM users u JOIN assignments a ON a.user_id = u.id "
            "WHERE u.role = 'village_head' ORDER BY md5(u.username) LIMIT 1")).one()
        commander = conn.scalar(sa.text("SELECT username FROM users WHERE role = 'commander' "
                                        "ORDER BY commune_id OFFSET 1 LIMIT 1"))
    engine.dispose()
    return {"officer": officer, "head": head, "village": village, "commander": commander}


def _login(app, username: str):
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    answer = client.post("/login", data={"csrf_token": token, "username": username, "password": "demo1234"})
    assert answer.status_code == 302, answer.status_code
    return client


class Phone:
    """An officer's phone: its pack, its version, its batches."""

    def __init__(self, client):
        self.client, self.seq = client, 0
        self.pack = client.get("/api/me/pack").get_json()
        self.version = self.pack["version"]
        self.homes = [h["id"] for v in self.pack["villages"] for h in v["households"]]
        self.device = f"kinds-{uuid.uuid4().hex[:8]}"

    def entry(self) -> dict:
        self.seq += 1
        campaign = self.pack["campaign"]
        return {"id": str(uuid.uuid4()), "type": "visit", "seq": self.seq,
                "recorded_at": datetime.now(VN).isoformat(timespec="seconds"),
                "data": {"household_id": random.choice(self.homes), "campaign_id": campaign["id"],
                         "outcome": "warned", "topics": [campaign["topics"][0]["code"]], "materials": ["leaflet"],
                         "people_reached": 2, "youth_reached": 0, "commitment_signed": False, "companions": [],
                         "note": "", "lat": 14.5, "lon": 108.5, "accuracy_m": 15}}

    def sync(self) -> None:
        token = self.client.get("/api/session").get_json()["csrf_token"]
        body = {"batch_id": str(uuid.uuid4()), "device_id": self.device, "entries": [self.entry() for _ in range(10)]}
        assert self.client.post("/api/sync/batch", json=body, headers={"X-CSRFToken": token}).status_code == 200

    def sync_later(self) -> None:
        """A sync past the versions' clock margin since the last refresh, as at the planned rate (a
        refresh every `OFFICER_PERIOD` s): the next refresh carries this batch's households and the
        previous one's (sent just before the last version was made), not every batch of the run."""
        time.sleep(versions.SKEW.total_seconds() + 0.1)
        self.sync()

    def refresh(self) -> None:
        body = self.client.get(f"/api/me/pack?since={self.version}").get_json()
        assert "villages" not in body, "a refresh answered by the whole pack"
        self.version = body["version"]


def _median(action, rounds: int = ROUNDS, between=None) -> tuple[float, float]:
    """The median wall time of `action` (the app's work and PostgreSQL's) and the median CPU time
    of this process (the app's work alone), in ms."""
    action()
    times, cpu = [], []
    for _ in range(rounds):
        if between:
            between()
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu)


def main() -> None:
    from fieldapp import create_app

    logging.disable(logging.WARNING)
    url = _url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-cluster",
                      "LOGIN_RATE_LIMIT": "100000 per minute", "LOG_LEVEL": "WARNING"})
    who = _people(url)
    officer, head, commander = (_login(app, who[k]) for k in ("officer", "head", "commander"))
    phone = Phone(officer)
    ms = {"session": _median(lambda: officer.get("/api/session")),
          "sync batch (10 visits)": _median(phone.sync),
          "pack refresh": _median(phone.refresh, between=phone.sync_later),  # after each sync, as the phone does
          "village coverage": _median(lambda: head.get(f"/coverage/villages/{who['village']}")),
          "commune dashboard": _median(lambda: commander.get("/coverage/")),
          "pack (full)": _median(lambda: officer.get("/api/me/pack"), rounds=5)}
    total = 0.0
    for kind, (value, cpu) in ms.items():
        work = value * RATE[kind] / 1000
        total += work
        print(f"{kind:<24} {value:8.1f} ms (app CPU {cpu:5.1f}) × {RATE[kind]:5.1f}/s = {work:5.2f} s of server work per s")
    print(f"{'all kinds':<24} {'':8}      {'':5}     = {total:5.2f} s per s (the machine has {os.cpu_count()} cores)")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
