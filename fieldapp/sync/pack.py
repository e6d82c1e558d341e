"""The offline pack: the caller's villages and households with their status."""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask_babel import get_locale

from ..auth import scoping
from ..auth.models import User
from ..campaigns.models import Campaign
from ..campaigns.services import active_campaign
from ..coverage.status import households_with_status
from ..extensions import db
from ..households.models import Household
from ..timeutil import iso_utc, utcnow
from ..visits.models import Visit, visit_companions
from ..visits.services import village_teams

HISTORY = 5  # visits of the active campaign each household carries offline, newest first


def campaign_json(campaign: Campaign | None) -> dict | None:
    if campaign is None:
        return None
    locale = str(get_locale())
    return {
        "id": campaign.id, "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
        "topics": [{"code": t.code, "label": t.label(locale)} for t in campaign.topics],
    }


def teams(user: User, village_ids: list[int]) -> dict[int, list[dict]]:
    """Each village's team today (`visits.village_teams`), the caller left out: the offline
    form's companions."""
    return {village_id: [{"username": u.username, "name": u.display_name} for u in members]
            for village_id, members in village_teams(village_ids, user).items()}


def histories(campaign_id: int | None, village_ids) -> dict:
    """The last visits in force of the campaign per household: when, what, and who went
    (the recorder and the companions, by display name as the online page shows them), for
    the offline household page. Two queries."""
    if campaign_id is None:
        return {}
    in_area = sa.and_(Visit.campaign_id == campaign_id, Visit.replaced_at.is_(None),
                      Household.village_id.in_(village_ids))
    rows = db.session.execute(
        sa.select(Visit.id, Visit.household_id, Visit.recorded_at, Visit.outcome, User.full_name, User.username)
        .join(Household, Household.id == Visit.household_id).join(User, User.id == Visit.user_id)
        .where(in_area).order_by(Visit.household_id, Visit.recorded_at.desc(), Visit.id)
    )
    by_visit: dict = {}
    by_household: dict = {}
    for visit_id, household_id, recorded_at, outcome, name, username in rows:
        kept = by_household.setdefault(household_id, [])
        if len(kept) < HISTORY:
            entry = {"at": iso_utc(recorded_at), "outcome": outcome, "by": [name or username]}
            kept.append(entry)
            by_visit[visit_id] = entry
    companions = db.session.execute(
        sa.select(visit_companions.c.visit_id, User.full_name, User.username)
        .join(User, User.id == visit_companions.c.user_id)
        .join(Visit, Visit.id == visit_companions.c.visit_id)
        .join(Household, Household.id == Visit.household_id)
        .where(in_area).order_by(User.username)
    )
    for visit_id, name, username in companions:
        if visit_id in by_visit:
            by_visit[visit_id]["by"].append(name or username)
    return by_household


def build_pack(user: User) -> dict:
    """Everything an officer needs offline, and nothing outside their area; merged
    households are left out (their visits and any new ones go to the survivor)."""
    campaign = active_campaign(user.commune_id)
    villages = db.session.scalars(scoping.villages(user)).all()
    query = households_with_status(
        campaign.id if campaign else None,
        sa.and_(Household.village_id.in_(scoping.village_ids(user)), Household.status != "merged"),
    ).order_by(Household.village_id, (Household.youth > 0).desc(), Household.sort_key)
    by_village: dict[int, list[dict]] = {v.id: [] for v in villages}
    past = histories(campaign.id if campaign else None, scoping.village_ids(user))
    for household, status, visit_count, last_visit_at in db.session.execute(query):
        by_village[household.village_id].append({
            "id": str(household.id), "code": household.code, "head_name": household.head_name,
            "address": household.address, "youth": household.youth, "members": household.members,
            "lat": household.lat, "lon": household.lon,
            "status": status, "household_status": household.status,
            "visit_count": visit_count, "last_visit_at": iso_utc(last_visit_at),
            "history": past.get(household.id, []),
        })
    team = teams(user, list(by_village))
    return {
        "generated_at": iso_utc(utcnow()),
        "campaign": campaign_json(campaign),
        "villages": [
            {"id": v.id, "code": v.code, "name": v.name, "households": by_village[v.id],
             "team": team[v.id], "boundary": v.boundary}
            for v in villages
        ],
    }


def fingerprint(user: User) -> str:
    """A short ETag for the pack from a few aggregates, so an unchanged pack answers 304
    without being built: any visit, withdrawal, household change, assignment or campaign
    change moves one of these; the villages' teams (assignments, names) are part of it."""
    ids = scoping.village_ids(user)
    households = db.session.execute(
        sa.select(sa.func.count(Household.id), sa.func.max(Household.updated_at)).where(Household.village_id.in_(ids))
    ).one()
    visits = db.session.execute(
        sa.select(sa.func.count(Visit.id), sa.func.max(Visit.received_at), sa.func.max(Visit.replaced_at))
        .join(Household, Household.id == Visit.household_id).where(Household.village_id.in_(ids))
    ).one()
    villages = [(v.id, v.code, v.name, v.boundary) for v in db.session.scalars(scoping.villages(user))]
    parts = [user.id, str(get_locale()), villages, teams(user, [v[0] for v in villages]),
             campaign_json(active_campaign(user.commune_id)), list(households), list(visits)]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
