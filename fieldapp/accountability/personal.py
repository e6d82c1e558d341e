"""Personal-data duties (Law 91/2025/QH15, Decree 356/2025): everything held about a
household, who accessed it, and the retention purge.

Purge: a household whose latest activity (created, updated, a visit received, an incident)
is older than `PERSONAL_DATA_RETENTION_DAYS` loses its personal fields — head's name (a
placeholder instead), address, phone, location, its named youths — and its visits and incidents
lose their notes, GPS points and commitment photos (deleted); entries quarantined by sync before
the cutoff lose the same fields from their raw copy; import runs lose the rows of the file they
quote once a day old. Counts (members, youths, visits, outcomes, topics) stay, so coverage figures
do not change. Audit events are never touched: they hold ids, not residents' personal fields.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..households.models import Household, HouseholdMember
from ..photos.services import purge_of as purge_photos
from ..timeutil import iso_utc, utcnow
from ..visits.models import Visit
from ..visits.services import history
from . import audit
from .models import AuditEvent, Incident

PURGED_NAME = "[đã xoá]"
PERSONAL_KEYS = frozenset({"head_name", "address", "phone", "note", "lat", "lon", "accuracy_m"})


def holdings(household: Household) -> dict:
    """Everything the system holds about the household, as JSON-ready data."""
    visits = reversed(history(household))  # oldest received first
    incidents = incidents_of(household)
    h = household
    return {
        "household": {
            "id": str(h.id), "village": {"code": h.village.code, "name": h.village.name},
            "code": h.code, "head_name": h.head_name, "address": h.address, "phone": h.phone,
            "members": h.members, "youth": h.youth,
            "named_youths": [{"full_name": m.full_name, "birth_year": m.birth_year} for m in h.named_youths],
            "lat": h.lat, "lon": h.lon, "status": h.status,
            "merged_into_id": str(h.merged_into_id) if h.merged_into_id else None,
            "source": h.source, "created_at": iso_utc(h.created_at), "updated_at": iso_utc(h.updated_at),
        },
        "visits": [{
            "id": str(v.id), "campaign_id": v.campaign_id, "outcome": v.outcome,
            "visited_at": iso_utc(v.recorded_at), "received_at": iso_utc(v.received_at),
            "by": [u.username for u in v.people], "topics": v.topics, "materials": v.materials,
            "people_reached": v.people_reached, "youth_reached": v.youth_reached,
            "commitment_signed": v.commitment_signed, "note": v.note, "lat": v.lat, "lon": v.lon,
            "accuracy_m": v.accuracy_m, "supersedes_id": str(v.supersedes_id) if v.supersedes_id else None,
            "replaced_at": iso_utc(v.replaced_at), "replaced_reason": v.replaced_reason,
        } for v in visits],
        "incidents": [{
            "id": i.id, "occurred_on": i.occurred_on.isoformat(), "kind": i.kind, "loss_vnd": i.loss_vnd,
            "victim_age": i.victim_age, "note": i.note, "created_at": iso_utc(i.created_at),
        } for i in incidents],
    }


def incidents_of(household: Household) -> list[Incident]:
    return list(db.session.scalars(
        sa.select(Incident).where(Incident.household_id == household.id).order_by(Incident.occurred_on)))


def access_events(household: Household, limit: int = 500) -> list[AuditEvent]:
    """Audit events about the household or its incidents, newest first."""
    incident_ids = sa.select(sa.cast(Incident.id, sa.String)).where(Incident.household_id == household.id)
    return list(db.session.scalars(
        sa.select(AuditEvent).where(sa.or_(
            sa.and_(AuditEvent.object_type == "household", AuditEvent.object_id == str(household.id)),
            sa.and_(AuditEvent.object_type == "incident", AuditEvent.object_id.in_(incident_ids)),
        )).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def stale_households(cutoff) -> sa.Select:
    """Ids of households with no activity since `cutoff` (naive UTC) and not yet purged."""
    recent_visit = sa.select(Visit.household_id).where(Visit.received_at >= cutoff)
    recent_incident = sa.select(Incident.household_id).where(Incident.occurred_on >= cutoff.date())
    return sa.select(Household.id).where(
        Household.created_at < cutoff, Household.updated_at < cutoff,
        Household.id.not_in(recent_visit), Household.id.not_in(recent_incident),
        sa.or_(Household.head_name != PURGED_NAME, Household.phone.is_not(None),
               Household.address != "", Household.lat.is_not(None)),
    )


def purge(retention_days: int, *, dry_run: bool = False, now=None) -> dict:
    """Blank the personal fields of households idle longer than `retention_days`."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    ids = list(db.session.scalars(stale_households(cutoff)))
    counts = {"households": len(ids), "cutoff": iso_utc(cutoff), "dry_run": dry_run,
              "visits": _count(Visit, ids), "incidents": _count(Incident, ids),
              "quarantined": _scrub_quarantined(cutoff, dry_run),
              "import_previews": 0 if dry_run else _import_previews(now)}
    if dry_run or not (ids or counts["quarantined"] or counts["import_previews"]):
        return counts
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        _blank(chunk)
    audit.record("purge", "household", "", **counts, retention_days=retention_days)
    db.session.flush()
    return counts


def _import_previews(now) -> int:
    """Register files and the rows their import runs quote, kept a day at most (register.runs)."""
    from ..register import runs

    runs.sweep_files(now)
    return runs.purge_previews(now)


def _scrub_quarantined(cutoff, dry_run: bool) -> int:
    """Drop personal fields from raw entries quarantined before `cutoff`; how many had any."""
    from ..sync.models import QuarantinedEntry

    entries = db.session.scalars(sa.select(QuarantinedEntry).where(QuarantinedEntry.received_at < cutoff))
    stale = [e for e in entries if _scrubbed(e.raw) != e.raw]
    if not dry_run:
        for entry in stale:
            entry.raw = _scrubbed(entry.raw)
    return len(stale)


def _scrubbed(raw):
    if not isinstance(raw, dict):
        return {"purged": True}
    data = raw.get("data")
    if not isinstance(data, dict):
        return raw
    return {**raw, "data": {k: v for k, v in data.items() if k not in PERSONAL_KEYS}}


def _count(model, ids) -> int:
    if not ids:
        return 0
    return sum(db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                 .where(model.household_id.in_(ids[i:i + 500])))
               for i in range(0, len(ids), 500))


def _blank(ids: list) -> None:
    options = {"synchronize_session": False}
    db.session.execute(sa.update(Household).where(Household.id.in_(ids)).values(
        head_name=PURGED_NAME, address="", phone=None, lat=None, lon=None,
        search_key=Household.code, sort_key="", walk_key="", updated_at=utcnow()).execution_options(**options))
    db.session.execute(sa.delete(HouseholdMember).where(HouseholdMember.household_id.in_(ids))
                       .execution_options(**options))
    db.session.execute(sa.update(Visit).where(Visit.household_id.in_(ids)).values(
        note="", lat=None, lon=None, accuracy_m=None).execution_options(**options))
    purge_photos(sa.select(Visit.id).where(Visit.household_id.in_(ids)))
    db.session.execute(sa.update(Incident).where(Incident.household_id.in_(ids)).values(
        note="").execution_options(**options))
