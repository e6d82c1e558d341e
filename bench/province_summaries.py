"""The province's own pages and the summary rows, measured by `b_province` on its database:
the PA05 dashboard (time and bytes on the wire), the drill-down, communes.csv, the .docx
reports, a full recount against the summaries, and the upkeep's share of a sync batch."""
from __future__ import annotations

import json
import os
import time
import uuid
from collections import defaultdict
from datetime import datetime, timezone

import sqlalchemy as sa

from .common import Result, login, timed

PA05 = "pa05"


def measure(app, ids) -> list[Result]:
    from .b_province import BUDGET_DOCX, BUDGET_PROVINCE_KB, BUDGET_PROVINCE_MS

    campaign = ids["province_campaign"]
    client = app.test_client()
    login(client, PA05)
    results = []
    for name, url, budget in (
            ("PA05 /coverage/ (province dashboard)", f"/coverage/?campaign={campaign}", BUDGET_PROVINCE_MS),
            ("PA05 /coverage/ (each commune's current campaign)", "/coverage/", BUDGET_PROVINCE_MS),
            ("PA05 /coverage/communes/<id> (drill-down)", f"/coverage/communes/{ids['commune']}?campaign={campaign}",
             BUDGET_PROVINCE_MS),
            ("PA05 /exports/communes.csv", f"/exports/communes.csv?campaign={campaign}", BUDGET_PROVINCE_MS),
            ("PA05 province report .docx", f"/reports/campaigns/{campaign}.docx", BUDGET_DOCX),
            ("PA05 province report .docx (each commune's campaign)", "/reports/province.docx", BUDGET_DOCX)):
        results += _page(client, name, url, budget)
    results.append(_wire(client, f"/coverage/?campaign={campaign}", BUDGET_PROVINCE_KB))
    commander = app.test_client()
    login(commander, f"chihuy{ids['commune']}")
    results += _page(commander, "commander commune report .docx", f"/reports/campaigns/{campaign}.docx", BUDGET_DOCX)
    results.append(recount(app, campaign))
    results += _upkeep(app, ids)
    return results


def _page(client, name, url, budget) -> list[Result]:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    times = timed(lambda: client.get(url), repeat=int(os.environ.get("BENCH_PROVINCE_REPEAT", 9)), warmup=1)
    return [Result(f"province: {name}, median", times["median"], "ms", budget,
                   f"p95 {times['p95']:.0f} ms; {len(answer.data) // 1024} KB raw")]


def _wire(client, url, budget) -> Result:
    answer = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    raw = client.get(url)
    return Result("province: PA05 dashboard on the wire", len(answer.data) / 1024, "KB", budget,
                  f"{answer.headers.get('Content-Encoding', 'identity')}; {len(raw.data) // 1024} KB uncompressed")


def recount(app, campaign_id) -> Result:
    """Every commune's figures and the warned-per-day series, from the summaries and from a
    full recount of households and visits (the live query layer): equal, or the bench fails."""
    from fieldapp.coverage import queries, summaries
    from fieldapp.extensions import db
    from fieldapp.models import Campaign, Village

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        everything = sa.select(Village.id)
        live = defaultdict(queries.Coverage)
        for row in queries.village_coverage(campaign_id, everything, whole=True):
            live[row.village.commune_id].add(row)
        kept = {r.commune.id: (r.counts, r.youth) for r in summaries.commune_coverage(campaign_id, everything)}
        same = kept == {k: (v.counts, v.youth) for k, v in live.items()}
        same_days = summaries.warned_by_day(campaign_id, everything) == queries.warned_by_day(campaign, everything)
        households = sum(v.households for v in live.values())
        db.session.rollback()
    assert same and same_days, "the summary rows differ from a full recount"
    return Result("province: summaries equal a full recount", 1.0, "yes", None,
                  f"{len(kept)} communes, {households:,} households, per status, youth and per day")


def _batch(households: list[str], campaign_id: int) -> str:
    moment = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    entries = [{"id": str(uuid.uuid4()), "type": "visit", "seq": n, "recorded_at": moment,
                "data": {"household_id": h, "campaign_id": campaign_id, "outcome": "warned" if n % 3 else "nobody_home",
                         "topics": [] if n % 3 == 0 else None, "materials": [], "people_reached": 1 if n % 3 else 0,
                         "youth_reached": 0, "commitment_signed": False, "companions": [], "note": "",
                         "lat": None, "lon": None, "accuracy_m": None}} for n, h in enumerate(households)]
    for entry in entries:  # a warned visit names a topic; an attempt none
        entry["data"]["topics"] = [] if entry["data"]["outcome"] != "warned" else ["tu_co_lap"]
    return json.dumps({"batch_id": str(uuid.uuid4()), "device_id": "bench", "entries": entries})


def _upkeep(app, ids) -> list[Result]:
    """Six 200-visit sync batches of each kind, sent by a commune's commander, timing inside
    each request how long the summaries' upkeep (`rollups.settle`, run before the commit)
    took against the rest of the same request (on a shared machine an A/B of whole batches is
    mostly noise; this is not):
    - first visits: households with no mark yet in the campaign (most of a campaign's
      batches: every visit gives its household its first mark), of the first commune that
      still has 1,200 of them (each run uses up some);
    - visits again: households already warned (the mark stays as it is)."""
    campaign = ids["province_campaign"]
    again_commune, again = upkeep_homes(app, ids, "again", 1400)
    first_commune, first = upkeep_homes(app, ids, "first", 1200)
    sessions = {commune: _commander(app, commune) for commune in (again_commune, first_commune)}
    _send(*sessions[again_commune], _batch(again[-200:], campaign))  # warm-up, not counted
    return _upkeep_of(*sessions[first_commune], "first visits", first, campaign) + \
        _upkeep_of(*sessions[again_commune], "visits again", again, campaign)


def _commander(app, commune: int) -> tuple:
    """A test client signed in as the commune's commander, and its CSRF token."""
    client = app.test_client()
    login(client, f"chihuy{commune}")
    return client, client.get("/api/session").get_json()["csrf_token"]


def upkeep_homes(app, ids, kind: str, count: int) -> tuple[int, list[str]]:
    """(commune, up to `count` of its active households) of the first commune with `count`
    households of the `kind` ("first": no mark yet in the province campaign; "again":
    warned), or the first commune and what it has."""
    from fieldapp.coverage.models import HouseholdMark
    from fieldapp.extensions import db
    from fieldapp.models import Commune, Household, Village

    campaign = ids["province_campaign"]
    mark = sa.select(HouseholdMark.household_id).where(
        HouseholdMark.campaign_id == campaign, HouseholdMark.household_id == Household.id)
    mine = ~mark.exists() if kind == "first" else mark.where(HouseholdMark.status == "warned").exists()
    with app.app_context():
        found = None
        for commune in db.session.scalars(sa.select(Commune.id).order_by(Commune.id)):
            homes = [str(h) for h in db.session.scalars(
                sa.select(Household.id).join(Village).where(Village.commune_id == commune, Household.status == "active",
                                                            mine).order_by(Household.id).limit(count))]
            found = found or (commune, homes)
            if len(homes) == count:
                found = commune, homes
                break
        db.session.rollback()
    return found


def _upkeep_of(client, token: str, kind: str, homes: list[str], campaign: int) -> list[Result]:
    from fieldapp.coverage import rollups

    from .b_province import BUDGET_UPKEEP_PCT

    if len(homes) < 1200:
        return [Result(f"province: summary upkeep, {kind}: skipped", 0, "", None,
                       f"only {len(homes)} such households left in the commune")]
    spent: list[float] = []
    settle = rollups.settle

    def timed_settle(*args, **kwargs):
        start = time.perf_counter()
        try:
            return settle(*args, **kwargs)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    rollups.settle = timed_settle
    try:
        shares, totals = [], []
        for i in range(6):
            spent.clear()
            total = _send(client, token, _batch(homes[i * 200:(i + 1) * 200], campaign))
            totals.append(total)
            shares.append(sum(spent) / (total - sum(spent)) * 100)
    finally:
        rollups.settle = settle
    totals.sort()
    shares.sort()
    return [Result(f"province: sync batch of 200 {kind} (upkeep included), median", totals[3], "ms", None,
                   "6 batches, 200 households apiece"),
            Result(f"province: summary upkeep added to a batch of {kind}, median", shares[3], "%",
                   BUDGET_UPKEEP_PCT, f"same transaction as the visits; max {shares[-1]:.1f} %")]


def _send(client, token: str, body: str) -> float:
    start = time.perf_counter()
    answer = client.post("/api/sync/batch", data=body, content_type="application/json", headers={"X-CSRFToken": token})
    elapsed = (time.perf_counter() - start) * 1000
    results = answer.get_json()["results"]
    assert answer.status_code == 200 and {r["status"] for r in results} == {"created"}, results[:2]
    return elapsed
