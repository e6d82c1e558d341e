"""Load: gunicorn as `make run` (2×4) under 24 officers syncing at once and a commander, ~30 s.

The real server on a fresh SQLite demo (31 villages × 200 households); each officer, with its
own session, loops: its village page, /api/session, a sync batch of 20 new visits (sent again
after a 503, as the outbox does), sometimes a household page; the commander loads /coverage/
and an export every 3 s. Then every visit acknowledged `created` is counted in the database.

Settings: BENCH_LOAD_SECONDS (default 30), BENCH_LOAD_DB (a database URL instead of a fresh
SQLite file, e.g. a throwaway PostgreSQL database: it is migrated and seeded if empty)."""
from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from .common import Result

ROOT = Path(__file__).resolve().parent.parent
OFFICERS = [f"cskv{k}" for k in range(1, 7)] + [f"antt{k}" for k in range(1, 19)]
BATCH = 20
VN = timezone(timedelta(hours=7))


class Client:
    """One phone: a keep-alive connection and its own session cookie."""

    def __init__(self, port: int, log: list, lock: threading.Lock):
        self.port, self.log, self.lock = port, log, lock
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, kind: str, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept-Encoding": "br, gzip", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn = None
                if attempt == 2:
                    raise
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if kind:
            with self.lock:
                self.log.append((kind, response.status, (time.perf_counter() - start) * 1000))
        return response.status, data

    def login(self, username: str) -> None:
        _status, html = self.request("", "GET", "/login", headers={"Accept-Encoding": "identity"})
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1).decode()
        status, _ = self.request("", "POST", "/login", urlencode(
            {"username": username, "password": "demo1234", "csrf_token": token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, (username, status)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(url: str) -> None:
    """Migrate and seed the demo (31 villages × 200 households) when the database is empty."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    flask = [sys.executable, "-m", "flask", "--app", "fieldapp"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["seed-demo", "--if-empty"], cwd=ROOT, env=env, check=True, capture_output=True)


def _serve(url: str, port: int) -> subprocess.Popen:
    """gunicorn as `make run` starts it. Its log (a line per request) goes to a file: an unread
    pipe fills after ~400 lines and then every request waits to write its log line."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "LOGIN_RATE_LIMIT": "100000 per minute"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tempfile.TemporaryFile()
    # No control socket: its default path is shared, and a second server would take it over.
    server = subprocess.Popen([str(gunicorn), "--workers", "2", "--threads", "4", "--no-control-socket",
                               "--bind", f"127.0.0.1:{port}", "--error-logfile", "-", "--log-level", "warning", "fieldapp:create_app()"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server.log = log
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    _stop(server)
    raise RuntimeError("gunicorn did not start")


def _stop(server: subprocess.Popen) -> str:
    """Stop the server (all its processes) and return its log."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    server.log.seek(0)
    output = server.log.read().decode(errors="replace")
    server.log.close()
    return output


def _visit_ids(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = {str(i).replace("-", "").lower() for i in conn.scalars(sa.text("SELECT id FROM visits"))}
    engine.dispose()
    return ids


def _officer(client: Client, until: float, created: list, answers: Counter, lock) -> None:
    for _attempt in range(5):
        status, body = client.request("pack", "GET", "/api/me/pack", headers={"Accept-Encoding": "identity"})
        if status == 200:
            break
        time.sleep(random.uniform(0.5, 1.5))
    pack = json.loads(body)
    campaign = pack["campaign"]
    topics = [t["code"] for t in campaign["topics"]]
    villages = pack["villages"]
    rng = random.Random()
    seq = 0
    device = f"load-{uuid.uuid4()}"
    while time.monotonic() < until:
        village = rng.choice(villages)
        client.request("village page", "GET", f"/villages/{village['id']}")
        status, body = client.request("session", "GET", "/api/session", headers={"Accept-Encoding": "identity"})
        if status != 200:  # busy: the outbox backs off with jitter and tries again
            time.sleep(rng.uniform(0.5, 1.5))
            continue
        token = json.loads(body)["csrf_token"]
        now = datetime.now(VN).isoformat(timespec="seconds")
        entries = []
        for _ in range(BATCH):
            seq += 1
            household = rng.choice(village["households"])
            warned = rng.random() < 0.8
            entries.append({"id": str(uuid.uuid4()), "type": "visit", "seq": seq, "recorded_at": now,
                            "data": {"household_id": household["id"], "campaign_id": campaign["id"],
                                     "outcome": "warned" if warned else "nobody_home",
                                     "topics": topics if warned else [],
                                     "materials": ["leaflet"] if warned else [],
                                     "people_reached": 2, "youth_reached": 0,
                                     "commitment_signed": False, "companions": [], "note": "",
                                     "lat": 15.12, "lon": 108.8, "accuracy_m": 12}})
        body = json.dumps({"batch_id": str(uuid.uuid4()), "device_id": device, "entries": entries}).encode()
        for _attempt in range(5):  # the same batch again after a busy answer, as the outbox does
            status, answer = client.request("sync batch", "POST", "/api/sync/batch", body, {
                "Content-Type": "application/json", "X-CSRFToken": token, "Accept-Encoding": "identity"})
            if status != 503:
                break
            time.sleep(rng.uniform(0.5, 1.5))
        if status == 200:
            results = json.loads(answer)["results"]
            with lock:
                answers.update(r["status"] for r in results)
                created.extend(r["id"] for r in results if r["status"] == "created")
        if rng.random() < 0.3:
            client.request("household page", "GET", f"/households/{rng.choice(village['households'])['id']}")


def _commander(client: Client, until: float) -> None:
    exports = ["/exports/coverage.csv", "/exports/households.geojson", "/exports/coverage.xlsx",
               "/exports/villages.geojson"]
    n = 0
    while time.monotonic() < until:
        client.request("coverage", "GET", "/coverage/")
        client.request("export", "GET", exports[n % len(exports)])
        n += 1
        time.sleep(3)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def run(tmp: Path) -> list[Result]:
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", "30"))
    url = os.environ.get("BENCH_LOAD_DB") or f"sqlite:///{tmp / 'load.sqlite3'}"
    _prepare(url)
    before = _visit_ids(url)
    port = _free_port()
    server = _serve(url, port)
    log: list = []
    lock = threading.Lock()
    created: list[str] = []
    answers: Counter = Counter()
    try:
        clients = {name: Client(port, log, lock) for name in OFFICERS + ["chihuy"]}
        for name, client in clients.items():
            client.login(name)
        start = time.monotonic()
        until = start + seconds
        threads = [threading.Thread(target=_officer, args=(clients[n], until, created, answers, lock))
                   for n in OFFICERS]
        threads.append(threading.Thread(target=_commander, args=(clients["chihuy"], until)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
    finally:
        output = _stop(server)
    after = _visit_ids(url)
    new = after - before
    acked = {i.replace("-", "").lower() for i in created}
    lost, extra = len(acked - new), len(new - acked)
    doubled = len(created) - len(acked)

    by_kind = defaultdict(list)
    statuses, refused = Counter(), Counter()
    for kind, status, ms in log:
        by_kind[kind].append(ms)
        statuses[status] += 1
        if not 200 <= status < 300:
            refused[f"{status} {kind}"] += 1
    not_ok = {s: c for s, c in sorted(statuses.items()) if not 200 <= s < 300 and s != 304}
    errors_500 = sum(c for s, c in not_ok.items() if s >= 500 and s != 503)
    tracebacks = output.count("Traceback")
    results = [Result("load: requests per second (24 officers + commander)", len(log) / elapsed, "/s", None,
                      f"{len(log)} requests in {elapsed:.0f} s; non-2xx by status: {not_ok or 'none'}")]
    for kind in ("pack", "village page", "session", "sync batch", "household page", "coverage", "export"):
        if by_kind[kind]:
            values = by_kind[kind]
            results.append(Result(f"load: {kind}, p50", statistics.median(values), "ms", None,
                                  f"p95 {_pct(values, 0.95):.0f} ms, n={len(values)}"))
    results += [
        Result("load: 5xx answers other than 503 busy", errors_500, "", 0, f"{tracebacks} tracebacks in the log"),
        Result("load: 503 busy answers", not_ok.get(503, 0), "", None,
               f"retryable, sent again; non-2xx by kind: {dict(refused) or 'none'}"),
        Result("load: visits acknowledged created", len(created), "", None,
               f"{len(created) / elapsed:.0f} visits/s; entry statuses {dict(answers)}"),
        Result("load: acknowledged visits missing or doubled in the DB", lost + doubled, "", 0,
               f"{len(new)} new visit rows; {extra} rows never acknowledged"),
    ]
    return results
