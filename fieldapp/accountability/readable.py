"""Audit events as people read them: who by full name and title, which household, village,
incident, visit or campaign by name, dates as dd/mm/yyyy HH:MM, never a UUID or an ISO
string. One `Reader` per page loads every record its events name in a few queries.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..auth.models import Assignment, User
from ..campaigns.models import Campaign, Topic
from ..extensions import db
from ..households.models import Household
from ..i18n import vn_date, vn_datetime
from ..labels import AUDIT_DETAILS, AUDIT_OBJECTS, INCIDENT_KINDS, VERDICTS, detail_items
from ..register.models import ImportRun, Village
from ..visits.models import Visit
from .models import AuditEvent, Incident

HOUSEHOLD_KEYS = ("household", "into", "merged_from")
DAY_KEYS = ("as_of", "occurred_on", "starts_on", "ends_on")
MOMENT_KEYS = ("cutoff",)


def _uuid(text) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def _int(text) -> int | None:
    text = str(text)
    return int(text) if text.isdigit() and len(text) < 10 else None


def _load(model, ids, *options) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(model).where(model.id.in_(ids)).options(*options))
    return {row.id: row for row in rows}


class Reader:
    """Names for every record a list of audit events points at (7–9 queries, whatever the
    number of events)."""

    def __init__(self, events: list[AuditEvent]):
        def ids(kind, convert, keys=()):
            found = {convert(e.object_id) for e in events if e.object_type == kind}
            return found | {convert(e.detail.get(k)) for e in events for k in keys if e.detail.get(k)}

        self.incidents = _load(Incident, ids("incident", _int), joinedload(Incident.household))
        self.visits = _load(Visit, ids("visit", _uuid, ("supersedes",)), joinedload(Visit.household))
        self.households = _load(Household, ids("household", _uuid, HOUSEHOLD_KEYS)
                                | {v.household_id for v in self.visits.values()}
                                | {i.household_id for i in self.incidents.values()},
                                joinedload(Household.village))
        filtered = {_int(e.detail["filters"].get("village", "")) for e in events
                    if isinstance(e.detail.get("filters"), dict)}
        self.villages = _load(Village, ids("village", _int, ("village",)) | ids("households", _int) | filtered)
        self.campaigns = _load(Campaign, ids("campaign", _int, ("campaign",)))
        self.assignments = _load(Assignment, ids("assignment", _int), joinedload(Assignment.user),
                                 joinedload(Assignment.village))
        self.others = {"topic": _load(Topic, ids("topic", _int)), "import_run": _load(ImportRun, ids("import_run", _int))}
        self.users = _load(User, {e.user_id for e in events} | ids("user", _int))

    def who(self, event: AuditEvent) -> User | None:
        """The person who acted (None for a failed sign-in by an unknown name, or the CLI)."""
        return self.users.get(event.user_id)

    def household(self, key) -> str:
        household = self.households.get(_uuid(key))
        if household is None:
            return _("a household no longer held")
        return _("%(name)s (house no. %(code)s, %(village)s)", name=household.head_name,
                 code=household.code or "–", village=household.village.code)

    def what(self, event: AuditEvent) -> str:
        """The record the event is about, by name ('' when it names none)."""
        kind, key = event.object_type, event.object_id
        if not key:
            return str(AUDIT_OBJECTS.get(kind, "")) if kind else ""
        if kind == "household":
            return self.household(key)
        if kind in ("village", "households") and (village := self.villages.get(_int(key))):
            name = f"{village.code} · {village.name}"
            return name if kind == "village" else _("households of %(village)s", village=name)
        if kind == "incident" and (incident := self.incidents.get(_int(key))):
            return _("%(kind)s on %(day)s, %(household)s", kind=INCIDENT_KINDS.label(incident.kind),
                     day=vn_date(incident.occurred_on), household=incident.household.head_name)
        if kind == "visit" and (visit := self.visits.get(_uuid(key))):
            return _("visit of %(when)s to %(household)s", when=vn_datetime(visit.recorded_at),
                     household=self.household(visit.household_id))
        if kind == "user" and (user := self.users.get(_int(key))):
            return f"{user.display_name} ({user.username})"
        return self._other(kind, key)

    def _other(self, kind: str, key: str) -> str:
        if kind == "campaign" and (campaign := self.campaigns.get(_int(key))):
            return campaign.name
        if kind == "assignment" and (row := self.assignments.get(_int(key))):
            return _("%(name)s in %(village)s from %(day)s", name=row.user.display_name,
                     village=row.village.code, day=vn_date(row.starts_on))
        if kind == "topic" and (topic := self.others["topic"].get(_int(key))):
            return topic.label_vi
        if kind == "import_run" and (run := self.others["import_run"].get(_int(key))):
            return run.filename or str(AUDIT_OBJECTS.label(kind))
        return f"{AUDIT_OBJECTS.label(kind)} {key}" if _int(key) is not None else str(AUDIT_OBJECTS.label(kind))

    def details(self, event: AuditEvent) -> list[tuple[str, str]]:
        """The event's detail as (label, value): names for records, dd/mm/yyyy for days."""
        plain, shown = {}, []
        for key, value in event.detail.items():
            if (text := self._value(key, value)) is not None:
                shown.append((AUDIT_DETAILS.label(key), text))
            else:
                plain[key] = value
        return shown + detail_items(plain)

    def _value(self, key: str, value) -> str | None:
        if value in (None, ""):
            return None
        if key in HOUSEHOLD_KEYS:
            return self.household(value)
        if key == "supersedes" and (visit := self.visits.get(_uuid(value))):
            return vn_datetime(visit.recorded_at)
        if key == "campaign" and (campaign := self.campaigns.get(_int(value))):
            return campaign.name
        if key in DAY_KEYS and isinstance(value, str):
            return _day(value)
        if key in MOMENT_KEYS and isinstance(value, str):
            return _moment(value)
        if key == "village" and (village := self.villages.get(_int(value))):
            return f"{village.code} · {village.name}"
        if key == "filters" and isinstance(value, dict):
            shown = {k: (_day(v) if k.startswith("date") else v) for k, v in value.items() if k != "page"}
            if (village := self.villages.get(_int(shown.get("village", "")))) is not None:
                shown["village"] = village.code
            if "verdict" in shown:  # the incident list's filter: an incident verdict
                shown["verdict"] = VERDICTS.label(shown["verdict"])
            return "; ".join(f"{label}: {text}" for label, text in detail_items(shown)) or "–"
        return None


def _day(text: str) -> str:
    try:
        return vn_date(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def _moment(text: str) -> str:
    try:
        return vn_datetime(datetime.fromisoformat(text.rstrip("Z")))
    except ValueError:
        return text
