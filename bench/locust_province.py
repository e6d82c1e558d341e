"""Locust users of a province at its peak (run by `b_cluster`, which writes the plan it reads).

Pure HTTP, nothing imported from the app: every user talks to the two app servers in turn,
as a load balancer would send them, with one session cookie (cookies ignore the port).

Every user starts with the session cookies the harness got by signing in before the load
(phones stay signed in for weeks: sign-ins are not part of a peak hour), and every officer
with the pack its phone downloaded then (its version, campaign and households; see `b_cluster`).
A plan without packs makes each officer download its whole pack as it starts ("pack (full)").

- Officer: every `OFFICER_PERIOD` s, records 1–20 visits in its outbox, sends the outbox as
  the offline client does (GET /api/session for the CSRF token, POST /api/sync/batch; the
  same batch again on the other server after a failure, with backoff; an entry leaves the
  outbox only on its own `created`/`duplicate` receipt), then refreshes its pack as the
  phone does (`pack.js`): `/api/me/pack?since=<its version>`, what changed since (or the whole
  pack when the server says so).
- Village head: its village's coverage page; commander: its commune's dashboard.
- Importer: one commander uploads a register file at the start and follows the import's
  progress on the other server until it ends.

At the end each user drains its outbox, and the totals (entries sent, acknowledged, still
pending; status codes per request kind; the import's outcome) go to the plan's `out` file.
"""
from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from itertools import count
from urllib.parse import quote, urlsplit

from locust import HttpUser, between, constant_throughput, events, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())
HOSTS = PLAN["hosts"]
HOST = urlsplit(HOSTS[0]).hostname
VN = timezone(timedelta(hours=7))
SENT: set[str] = set()
ACKED: dict[str, str] = {}
STATUSES: dict[str, Counter] = defaultdict(Counter)
STARTED = time.time()
TIMES: dict[str, list] = defaultdict(list)  # kind → [(s since start, ms)], for the report's per-minute tail
IMPORT: dict = {}
_picks = {kind: iter(people) for kind, people in PLAN["people"].items()}
_devices = count(1)


@events.request.add_listener
def _status(name, response, exception, response_time=0, **_kw):
    code = getattr(response, "status_code", None) or 0
    TIMES[name].append((round(time.time() - STARTED, 1), round(response_time or 0, 1)))
    STATUSES[name][str(code) if not exception or code else type(exception).__name__] += 1


@events.quitting.add_listener
def _report(environment, **_kw):
    with open(PLAN["out"], "w") as out:
        json.dump({"sent": sorted(SENT), "acked": ACKED, "statuses": STATUSES, "import": IMPORT,
                   "times": TIMES}, out)


class Phone(HttpUser):
    abstract = True
    kind = ""
    turn = 0

    def on_start(self):
        """The session the harness signed in before the load (a phone stays signed in)."""
        self.person = next(_picks[self.kind])
        for name, value in self.person["cookies"].items():  # as the servers set them: a second copy
            self.client.cookies.set(name, value, domain=HOST, path="/")  # would shadow their updates

    def host_url(self, path: str) -> str:
        self.turn += 1
        return HOSTS[self.turn % len(HOSTS)] + path

    def get(self, path: str, name: str, **kwargs):
        return self.client.get(self.host_url(path), name=name, **kwargs)

    def post(self, path: str, name: str, **kwargs):
        return self.client.post(self.host_url(path), name=name, **kwargs)


class Officer(Phone):
    kind = "officers"
    fixed_count = PLAN["counts"]["officers"]
    wait_time = constant_throughput(1 / PLAN["officer_period"])

    def on_start(self):
        super().on_start()
        pack = self.person.get("pack")
        if pack is None:  # no pack taken before the load: the whole pack now
            body = self.get("/api/me/pack", "pack (full)").json()
            pack = {"version": body["version"], "campaign": body["campaign"],
                    "households": [h["id"] for v in body["villages"] for h in v["households"]]}
        self.version, self.campaign, self.households = pack["version"], pack["campaign"], pack["households"]
        self.device, self.seq, self.outbox = f"locust-{PLAN['run']}-{next(_devices)}", 0, []

    @task
    def round_of_visits(self):
        self.outbox += [self.visit() for _ in range(random.randint(1, 20))]
        self.send_outbox()
        answer = self.get(f"/api/me/pack?since={quote(self.version)}", "pack refresh")
        if answer.status_code == 200:  # the changes since its version, or the whole pack
            body = answer.json()
            self.version = body.get("version", self.version)
            STATUSES["pack refresh answered by the whole pack"]["yes" if "villages" in body else "no"] += 1

    def visit(self) -> dict:
        self.seq += 1
        warned = random.random() < 0.8
        entry = {"id": str(uuid.uuid4()), "type": "visit", "seq": self.seq,
                 "recorded_at": datetime.now(VN).isoformat(timespec="seconds"),
                 "data": {"household_id": random.choice(self.households), "campaign_id": self.campaign["id"],
                          "outcome": "warned" if warned else "nobody_home",
                          "topics": [self.campaign["topics"][0]["code"]] if warned else [],
                          "materials": ["leaflet"] if warned else [], "people_reached": 2 if warned else 0,
                          "youth_reached": 0, "commitment_signed": False, "companions": [], "note": "",
                          "lat": 14.5, "lon": 108.5, "accuracy_m": 15}}
        SENT.add(entry["id"])
        return entry

    def send_outbox(self, attempts: int = 4) -> None:
        """The whole outbox in one batch id; again (same id) after a failure, with backoff."""
        body = {"batch_id": str(uuid.uuid4()), "device_id": self.device, "entries": self.outbox[:200]}
        for attempt in range(attempts):
            session = self.get("/api/session", "session")
            if session.ok:
                answer = self.post("/api/sync/batch", "sync batch", json=body,
                                   headers={"X-CSRFToken": session.json()["csrf_token"]})
                if answer.status_code == 200:
                    self.receipts(answer.json()["results"])
                    return
            time.sleep(random.uniform(0.5, 1.5) * (attempt + 1))

    def receipts(self, results: list[dict]) -> None:
        done = {r["id"] for r in results if r["status"] in ("created", "duplicate")}
        for result in results:
            if result["id"] in done:
                ACKED.setdefault(result["id"], result["status"])
        self.outbox = [e for e in self.outbox if e["id"] not in done]

    def on_stop(self):
        if self.outbox:
            self.send_outbox(attempts=6)


class VillageHead(Phone):
    kind = "heads"
    fixed_count = PLAN["counts"]["heads"]
    wait_time = constant_throughput(1 / PLAN["dashboard_period"])

    @task
    def village(self):
        self.get(f"/coverage/villages/{self.person['village_id']}", "village coverage")


class Commander(Phone):
    kind = "commanders"
    fixed_count = PLAN["counts"]["commanders"]
    wait_time = constant_throughput(1 / PLAN["dashboard_period"])

    @task
    def dashboard(self):
        self.get("/coverage/", "commune dashboard")


class Importer(Phone):
    kind = "importers"
    fixed_count = PLAN["counts"]["importers"]
    wait_time = between(4, 6)

    def on_start(self):
        super().on_start()
        html = self.get("/register/", "import form").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        with open(PLAN["import_file"], "rb") as upload:
            answer = self.post("/register/imports", "import upload", allow_redirects=False,
                               data={"csrf_token": token, "mode": "import"},
                               files={"file": ("province-register.csv", upload, "text/csv")})
        IMPORT.update(uploaded_at=time.time(), location=answer.headers.get("Location", ""))

    @task
    def follow(self):
        if not IMPORT.get("location") or IMPORT.get("status"):
            return
        html = self.get(IMPORT["location"], "import progress").text
        status = re.search(r'data-run-status="([a-z]+)"', html)
        if status and status.group(1) not in ("queued", "running"):
            IMPORT.update(status=status.group(1), finished_at=time.time())
