"""The An Phú demo: 31 villages, ~200 households each, accounts and some visits.

Deterministic for a seed, written with bulk inserts so `make run` stays quick.
"""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ..auth.models import Assignment, User
from ..campaigns.defaults import create_default_campaign
from ..coverage import rollups
from ..coverage.walk import walk_string
from ..extensions import db
from ..households.models import Household, HouseholdMember
from ..proof.checks import flag
from ..register import units
from ..register.communes import province_row
from ..register.models import Commune, Village
from ..text import fold, given_name_key
from ..timeutil import VN, to_utc_naive, today_vn, utcnow
from ..visits.models import Visit, VisitMaterial, VisitTopic, visit_companions
from . import data

PASSWORD = "demo1234"
ASSIGNED_FROM = date(2025, 10, 1)
OFFICERS = 6
COMMUNE_CODE = "21034"  # Xã An Phú, Quảng Ngãi, in the official list (Decision 19/2025/QĐ-TTg)


def officer_villages(n_villages: int) -> dict[int, list[int]]:
    """cskv1 has villages 1–5, cskv2 6–10, …; the last officer takes the remainder."""
    per = max(1, n_villages // OFFICERS)
    plan = {k: [i for i in range(1 + (k - 1) * per, 1 + k * per) if i <= n_villages]
            for k in range(1, OFFICERS + 1)}
    plan[OFFICERS] = list(range(1 + (OFFICERS - 1) * per, n_villages + 1))
    return plan


def seed_demo(households: int = 200, villages: int = 31, seed: int = 2025,
              today: date | None = None) -> dict[str, int]:
    """Create the demo in an empty database; returns counts of what was made. Its campaign
    runs around `today` (default: today in Vietnam), with visits on its days up to today."""
    rng = random.Random(seed)
    today = today or today_vn()
    official = units.commune(COMMUNE_CODE)
    commune = Commune(code=official.code, name=official.name, province=province_row(official.province))
    db.session.add(commune)
    db.session.flush()
    campaign = create_default_campaign(commune.id, today)
    demo_villages = data.villages(rng, villages)
    village_rows = [
        Village(commune_id=commune.id, code=v.code, name=v.name, lat=v.lat, lon=v.lon,
                boundary={"type": "Polygon", "coordinates": [[list(p) for p in v.boundary]]})
        for v in demo_villages
    ]
    db.session.add_all(village_rows)
    db.session.flush()
    users = _users(rng, commune, village_rows)
    homes = _households(rng, demo_villages, village_rows, households)
    _named_youths(random.Random(seed + 1), homes)
    visits = _visits(rng, campaign, homes, users, today)
    db.session.flush()
    flag(db.session.scalars(sa.select(Visit.id)).all())  # the checks the server raises at receipt
    rollups.rebuild()  # the bulk inserts above bypassed the per-change upkeep
    return {"villages": len(village_rows), "households": len(homes), "users": len(users),
            "visits": visits}


def _users(rng, commune, villages) -> dict[str, User]:
    pw = generate_password_hash(PASSWORD)  # one hash for all demo accounts keeps seeding fast
    users: dict[str, User] = {}

    phones = random.Random(rng.random())  # its own stream: the rest of the demo stays as it was

    def add(username, role, title, gender=None):
        users[username] = User(username=username, role=role, title=title, password_hash=pw,
                               full_name=data.person_name(rng, gender), phone=data.phone_number(phones),
                               commune_id=None if role == "admin" else commune.id)

    add("quantri", "admin", "Quản trị hệ thống")
    add("chihuy", "commander", "Trưởng Công an xã", "m")
    plan = officer_villages(len(villages))
    for k in plan:
        add(f"cskv{k}", "officer", "Cảnh sát khu vực", "m")
    for i in range(1, len(villages) + 1):
        add(f"antt{i}", "officer", "Tổ bảo vệ ANTT")
        add(f"truongthon{i}", "village_head", "Trưởng thôn")
    db.session.add_all(users.values())
    db.session.flush()
    rows = [(f"cskv{k}", villages[i - 1]) for k, ids in plan.items() for i in ids]
    rows += [(f"antt{i}", v) for i, v in enumerate(villages, 1)]
    rows += [(f"truongthon{i}", v) for i, v in enumerate(villages, 1)]
    db.session.add_all(Assignment(user_id=users[name].id, village_id=v.id, starts_on=ASSIGNED_FROM)
                       for name, v in rows)
    return users


def _households(rng, demo_villages, village_rows, per_village) -> list[dict]:
    rows = []
    for demo, village in zip(demo_villages, village_rows):
        count = max(1, round(per_village * rng.uniform(0.9, 1.1)))
        for h in data.households(rng, demo, count):
            rows.append({
                "id": uuid.UUID(int=rng.getrandbits(128), version=4), "village_id": village.id,
                "code": h.code, "head_name": h.head_name, "address": h.address,
                "phone": h.phone, "members": h.members, "youth": h.youth,
                "lat": h.lat, "lon": h.lon, "status": "active", "source": "register",
                "search_key": fold(f"{h.code} {h.head_name} {h.address} {h.phone or ''}"),
                "sort_key": given_name_key(h.head_name)[:260], "walk_key": walk_string(h.code, h.address),
                "village_code": demo.code,
            })
    db.session.execute(sa.insert(Household), [{k: v for k, v in r.items() if k != "village_code"}
                                              for r in rows])
    return rows


def _named_youths(rng, homes) -> None:
    """Name the young people (12–24) of each household that has some: name and birth year."""
    year = today_vn().year
    rows = [{"household_id": h["id"], "full_name": name, "birth_year": year - rng.randint(12, 24),
             "search_key": fold(name)}
            for h in homes for name in (data.child_name(rng, h["head_name"]) for _ in range(h["youth"]))]
    if rows:
        db.session.execute(sa.insert(HouseholdMember), rows)


def _visits(rng, campaign, homes, users, until: date) -> int:
    """About a third warned, some nobody home (a few later warned), a few refused, on the
    campaign's days before `until`. A warned visit with a sticker besides the leaflet is a
    detailed one; the others are the standard package."""
    topics = [t.code for t in campaign.topics]
    days = max(0, (min(until - timedelta(days=1), campaign.ends_on) - campaign.starts_on).days)
    plan = officer_villages(len({h["village_code"] for h in homes}))
    lead_of = {f"T{i:02d}": f"cskv{k}" for k, ids in plan.items() for i in ids}
    visits, topic_rows, material_rows, companions = [], [], [], []
    now = utcnow()
    for home in homes:
        roll = rng.random()
        outcomes = (["warned"] if roll < 0.30 else ["nobody_home", "warned"] if roll < 0.36
                    else ["nobody_home"] if roll < 0.46 else ["refused"] if roll < 0.48 else [])
        day = campaign.starts_on + timedelta(days=rng.randint(0, days))
        village_no = int(home["village_code"][1:])
        for outcome in outcomes:
            lead = users.get(lead_of.get(home["village_code"], "cskv1")) if rng.random() < 0.5 \
                else users[f"antt{village_no}"] if f"antt{village_no}" in users else users["cskv1"]
            moment = datetime.combine(day, time(rng.randint(7, 19), rng.randint(0, 59)), tzinfo=VN)
            visit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            warned = outcome == "warned"
            sticker = warned and rng.random() < 0.3
            visits.append({
                "id": visit_id, "household_id": home["id"], "campaign_id": campaign.id,
                "user_id": lead.id, "outcome": outcome, "recorded_at": to_utc_naive(moment),
                "recorded_offset_min": 420,
                "received_at": min(to_utc_naive(moment + timedelta(minutes=rng.randint(1, 600))), now),
                "device_id": f"demo-{lead.username}", "seq": None,
                "people_reached": rng.randint(1, home["members"]) if warned else 0,
                "youth_reached": min(home["youth"], rng.randint(0, 2)) if warned else 0,
                "commitment_signed": warned and rng.random() < 0.4, "note": "",
                "lat": home["lat"], "lon": home["lon"], "accuracy_m": rng.choice([5, 8, 12, 20, 35]),
                "standard": not sticker,
            })
            if warned:
                topic_rows += [{"visit_id": visit_id, "topic_code": c} for c in topics]
                material_rows.append({"visit_id": visit_id, "code": "leaflet"})
            if sticker:
                material_rows.append({"visit_id": visit_id, "code": "hotline_sticker"})
            if rng.random() < 0.35 and lead.username.startswith("cskv"):
                companions.append({"visit_id": visit_id, "user_id": users[f"antt{village_no}"].id})
            day = min(day + timedelta(days=rng.randint(1, 7)), campaign.starts_on + timedelta(days=days))
    for table, rows in ((Visit, visits), (VisitTopic, topic_rows), (VisitMaterial, material_rows),
                        (visit_companions, companions)):
        if rows:
            db.session.execute(sa.insert(table), rows)
    return len(visits)


def is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Commune)) == 0
