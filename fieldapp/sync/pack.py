"""The offline pack: the caller's villages and households (in walking order) with their
status, the current campaign with its standard package, and the status rule the phone
applies to what it has not sent yet. `version` lets a phone ask only for what changed
(`delta`). Officers and village heads take their villages; commanders and admins only the
villages they are assigned to themselves, never the whole commune by default."""
from __future__ import annotations

import hashlib
import json
from datetime import date

import sqlalchemy as sa
from flask_babel import get_locale

from ..auth import scoping
from ..auth.models import Assignment, User
from ..auth.permissions import can
from ..backup import epoch
from ..campaigns.models import Campaign
from ..campaigns.services import current_campaign
from ..coverage.status import RULE, households_with_status
from ..coverage.walk import in_order
from ..extensions import db
from ..households.models import Household
from ..register.models import Village
from ..timeutil import iso_utc, today_vn, utcnow
from ..visits.models import Visit, visit_companions
from ..visits.services import village_teams
from . import versions

HISTORY = 5  # visits of the current campaign each household carries offline, newest first


def campaign_json(campaign: Campaign | None) -> dict | None:
    if campaign is None:
        return None
    locale = str(get_locale())
    return {
        "id": campaign.id, "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
        "state": campaign.state, "standard": campaign.standard,
        "topics": [{"code": t.code, "label": t.label(locale)} for t in campaign.topics],
    }


def village_ids(user: User, on: date | None = None) -> sa.Select:
    """The villages a user's phone carries: an officer's or village head's area; for the
    roles that see a whole commune, only the villages they are assigned to themselves; none
    for a role that sees figures only (`scoping.listed_village_ids`)."""
    if not scoping.may_open_households(user):
        return scoping.listed_village_ids(user)
    if not scoping.covers_commune(user, user.commune_id):
        return scoping.village_ids(user, on)
    return sa.select(Assignment.village_id).where(Assignment.user_id == user.id, Assignment.covers(on or today_vn()))


def teams(user: User, ids: list[int]) -> dict[int, list[dict]]:
    """Each village's team today (`visits.village_teams`), the caller left out: the offline
    form's companions."""
    return {village_id: [{"username": u.username, "name": u.display_name} for u in members]
            for village_id, members in village_teams(ids, user).items()}


def histories(campaign_id: int | None, households) -> dict:
    """The last visits in force of the campaign per household of `households` (a condition
    on Household): id, when, what, who recorded it (`user`, for corrections) and who went
    (by display name, as the online page shows them). Two queries."""
    if campaign_id is None:
        return {}
    in_area = sa.and_(Visit.counted_in(campaign_id), households)
    newest = sa.func.row_number().over(partition_by=Visit.household_id,
                                       order_by=(Visit.recorded_at.desc(), Visit.id)).label("newest")
    last = (sa.select(Visit.id, Visit.household_id, Visit.recorded_at, Visit.outcome, Visit.user_id, newest)
            .join(Household, Household.id == Visit.household_id).where(in_area).subquery())
    rows = db.session.execute(  # only the HISTORY newest of each household leave the database
        sa.select(last.c.id, last.c.household_id, last.c.recorded_at, last.c.outcome, User.full_name, User.username)
        .join(User, User.id == last.c.user_id).where(last.c.newest <= HISTORY)
        .order_by(last.c.household_id, last.c.recorded_at.desc(), last.c.id)
    )
    by_visit: dict = {}
    by_household: dict = {}
    for visit_id, household_id, recorded_at, outcome, name, username in rows:
        entry = {"id": str(visit_id), "at": iso_utc(recorded_at), "outcome": outcome,
                 "user": username, "by": [name or username]}
        by_household.setdefault(household_id, []).append(entry)
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


def household_json(household: Household, status: str, visit_count: int, last_visit_at, past: dict,
                   personal: bool = True) -> dict:
    """One household of the pack; without `personal` (PERSONAL_DATA_ROLES) its house number and
    figures only: no head's name, address or youth count."""
    return {
        "id": str(household.id), "code": household.code, "head_name": household.head_name if personal else "",
        "address": household.address if personal else "", "youth": household.youth if personal else None,
        "members": household.members,
        "status": status, "household_status": household.status, "route": household.route,
        # six decimals (about 10 cm) are more than a phone's fix can tell apart
        "lat": None if household.lat is None else round(household.lat, 6),
        "lon": None if household.lon is None else round(household.lon, 6),
        "visit_count": visit_count, "last_visit_at": iso_utc(last_visit_at),
        "history": past.get(household.id, []),
    }


def households_json(campaign: Campaign | None, where, personal: bool = True) -> dict[int, list[dict]]:
    """{village id: [household, …] in walking order} of the non-merged households matching
    `where` (merged households are left out: their visits, and any new ones, go to the
    survivor). Three queries."""
    query = households_with_status(campaign.id if campaign else None, sa.and_(where, Household.status != "merged"))
    past = histories(campaign.id if campaign else None, where)
    by_village: dict[int, list[dict]] = {}
    for household, status, visit_count, last_visit_at in in_order(db.session.execute(query).all()):
        by_village.setdefault(household.village_id, []).append(
            household_json(household, status, visit_count, last_visit_at, past, personal))
    return by_village


def structure(user: User, villages: list[Village], campaign: Campaign | None) -> tuple[str, dict]:
    """What every household of a pack hangs on (villages, their teams, the campaign, the
    language, whether it shows personal data, the restore epoch) and a short hash of it, the
    first part of the pack's version."""
    parts = {"villages": [(v.id, v.code, v.name, v.boundary) for v in villages],
             "teams": teams(user, [v.id for v in villages]), "campaign": campaign_json(campaign),
             "personal": can(user, "see_personal")}
    # The restore epoch too: after a restore a phone's older version is never a base for a delta.
    text = json.dumps([user.id, str(get_locale()), parts, epoch.current()], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12], parts


def build_pack(user: User) -> dict:
    """Everything the user's phone needs offline, and nothing outside the villages it
    carries (`village_ids`)."""
    campaign = current_campaign(user)
    villages = db.session.scalars(sa.select(Village).where(Village.id.in_(village_ids(user)))
                                  .order_by(Village.code)).all()
    shape, parts = structure(user, villages, campaign)
    version = versions.make(shape)  # before the reads (see `versions`)
    by_village = households_json(campaign, Household.village_id.in_([v.id for v in villages]), parts["personal"])
    return {
        "version": version, "generated_at": iso_utc(utcnow()), "epoch": epoch.current(),
        "campaign": parts["campaign"], "status_rule": RULE,
        "villages": [
            {"id": v.id, "code": v.code, "name": v.name, "households": by_village.get(v.id, []),
             "team": parts["teams"][v.id], "boundary": v.boundary}
            for v in villages
        ],
    }


def delta(user: User, since: str) -> dict | None:
    """What changed since the pack version `since`: {"version", "changed": [households with
    their village_id], "removed": [ids]}; None when `since` is unknown, too old, or the pack's
    structure (villages, teams, campaign, language) changed: the caller sends the whole pack."""
    campaign = current_campaign(user)
    villages = db.session.scalars(sa.select(Village).where(Village.id.in_(village_ids(user)))
                                  .order_by(Village.code)).all()
    shape, parts = structure(user, villages, campaign)
    cutoff = versions.cutoff(since, shape)
    if cutoff is None:
        return None
    version = versions.make(shape)  # before the reads (see `versions`)
    ids = [v.id for v in villages]
    recent = sa.and_(Household.village_id.in_(ids), Household.updated_at >= cutoff)
    touched = sa.union(
        sa.select(Household.id).where(recent),
        # a merge moves the duplicate's visits to the survivor: its status may change too
        sa.select(Household.merged_into_id).where(recent, Household.merged_into_id.is_not(None)),
        sa.select(Visit.household_id).join(Household, Household.id == Visit.household_id)
        .where(Household.village_id.in_(ids), sa.or_(Visit.received_at >= cutoff, Visit.replaced_at >= cutoff)),
    )
    changed = set(db.session.scalars(sa.select(touched.subquery().c[0])))
    by_village = households_json(campaign, Household.id.in_(changed), parts["personal"]) if changed else {}
    kept = [{**h, "village_id": village_id} for village_id, rows in by_village.items() for h in rows]
    removed = sorted({str(i) for i in changed} - {h["id"] for h in kept})  # merged since
    return {"version": version, "changed": kept, "removed": removed}


def fingerprint(user: User) -> str:
    """A short ETag for the whole pack from a few aggregates, so an unchanged pack answers
    304 without being built: any visit, withdrawal, household change, assignment or campaign
    change moves one of these; the villages' teams (assignments, names) are part of it."""
    ids = village_ids(user)
    households = db.session.execute(
        sa.select(sa.func.count(Household.id), sa.func.max(Household.updated_at)).where(Household.village_id.in_(ids))
    ).one()
    visits = db.session.execute(
        sa.select(sa.func.count(Visit.id), sa.func.max(Visit.received_at), sa.func.max(Visit.replaced_at))
        .join(Household, Household.id == Visit.household_id).where(Household.village_id.in_(ids))
    ).one()
    villages = db.session.scalars(sa.select(Village).where(Village.id.in_(ids)).order_by(Village.code)).all()
    shape, _parts = structure(user, villages, current_campaign(user))
    return hashlib.sha256(json.dumps([shape, list(households), list(visits)], default=str).encode()).hexdigest()[:32]
