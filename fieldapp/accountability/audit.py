"""Append-only audit events: who did what to which record, when and from where."""
from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import utcnow
from .models import AuditEvent


def row(action: str, object_type: str = "", object_id: object = "", user=None, **detail) -> dict:
    """The column values of an audit event (by `user`, default the signed-in user)."""
    user = user if user is not None else (current_user if has_request_context() else None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return dict(
        at=utcnow(),
        user_id=user.id if authenticated else None,
        username=user.username if authenticated else detail.pop("username", ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=detail,
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )


def record(action: str, object_type: str = "", object_id: object = "", user=None, **detail) -> AuditEvent:
    """Add an audit event to the session (it commits with the request's work)."""
    event = AuditEvent(**row(action, object_type, object_id, user, **detail))
    db.session.add(event)
    return event


def insert_rows(rows: list[dict]) -> None:
    """Insert many events built by `row` in one statement (the sync batch's visits)."""
    if rows:
        db.session.connection().execute(AuditEvent.__table__.insert(), rows)


def action_labels() -> dict[str, str]:
    """Readable names of every action the code records (an unknown one shows its code)."""
    from flask_babel import lazy_gettext as _l

    return {
        "login": _l("Signed in"), "login_failed": _l("Failed sign-in"), "logout": _l("Signed out"),
        "household_create": _l("Added a household"), "household_view": _l("Viewed a household"),
        "visit_create": _l("Recorded a visit"), "visit_withdraw": _l("Withdrew a visit"),
        "pack_download": _l("Downloaded the offline pack"),
        "quarantine_view": _l("Viewed sync entries to review"),
        "assignment_change": _l("Changed an assignment"), "warned_check": _l("Checked whether warned"),
        "incident_create": _l("Recorded an incident"), "incident_view": _l("Viewed an incident"),
        "incident_list": _l("Listed incidents"),
        "incident_export": _l("Exported incidents"), "household_data_view": _l("Viewed personal data"),
        "household_data_export": _l("Downloaded personal data"),
        "household_access_view": _l("Viewed who accessed a household"),
        "purge": _l("Blanked expired personal data"),
        "export": _l("Exported data"), "household_update": _l("Corrected a household"),
        "household_moved": _l("Marked a household as moved away"),
        "household_returned": _l("Marked a household as back"),
        "household_merge": _l("Merged duplicate households"), "duplicates_view": _l("Viewed likely duplicates"),
        "households_import": _l("Imported households"), "households_import_check": _l("Checked a household file"),
        "villages_import": _l("Imported villages"), "villages_import_check": _l("Checked a village file"),
        "assignment_create": _l("Assigned a village"), "assignment_end": _l("Ended an assignment"),
        "campaign_create": _l("Created a campaign"), "campaign_activate": _l("Started a campaign"),
        "campaign_topic_add": _l("Added a topic to a campaign"), "campaign_topic_move": _l("Reordered topics"),
        "topic_create": _l("Created a topic"), "rewarn_view": _l("Viewed the re-warning list"),
        "user_create": _l("Created an account"), "user_update": _l("Changed an account"),
        "quarantine_resolve": _l("Resolved an entry to review"), "village_review": _l("Reviewed a village"),
        "commune_add": _l("Added a commune"), "commune_rename": _l("Renamed a commune"),
        "commune_merge": _l("Merged a commune into another"),
    }


def object_labels() -> dict[str, str]:
    """Readable names of the kinds of record an audit event is about."""
    from flask_babel import lazy_gettext as _l

    return {
        "household": _l("household"), "households": _l("households"), "village": _l("village"),
        "incident": _l("incident"), "user": _l("account"), "visit": _l("visit"),
        "assignment": _l("assignment"), "campaign": _l("campaign"), "topic": _l("topic"),
        "quarantined_entry": _l("entry to review"), "import_run": _l("import"), "commune": _l("commune"),
    }


def detail_labels() -> dict[str, str]:
    """Readable names of every detail key the code records under an event."""
    from flask_babel import lazy_gettext as _l

    return {
        "rows": _l("rows"), "format": _l("format"), "campaign": _l("campaign"), "village": _l("village"),
        "households": _l("households"), "user": _l("account"), "role": _l("role"), "fields": _l("fields"),
        "topic": _l("topic"), "topics": _l("topics"), "created": _l("new"), "updated": _l("updated"),
        "unchanged": _l("unchanged"), "filename": _l("file"), "into": _l("merged into"),
        "retention_days": _l("days kept"), "pairs": _l("pairs"),
        "household": _l("household"), "outcome": _l("outcome"), "supersedes": _l("replaces visit"),
        "merged_from": _l("addressed to merged household"), "occurred_on": _l("day of the incident"),
        "kind": _l("kind"), "as_of": _l("as of"), "filters": _l("filters"), "cutoff": _l("idle before"),
        "dry_run": _l("trial run"), "visits": _l("visits"), "incidents": _l("incidents"),
        "quarantined": _l("entries to review"), "assignee": _l("assigned to"),
        "assignment": _l("assignment"), "starts_on": _l("from"), "ends_on": _l("until"),
        "user_name": _l("account"), "visits_moved": _l("visits moved"), "code": _l("code"),
        "topic_id": _l("topic"), "step": _l("moved by"), "page": _l("page"),
        "old_code": _l("former code"), "villages": _l("villages"),
    }


def detail_items(detail: dict) -> list[tuple[str, str]]:
    """An event's detail as (label, value) pairs to show: outcomes and incident kinds by name,
    yes/no for booleans, numbers in the locale's format."""
    from flask_babel import gettext

    from ..i18n import number
    from ..visits.forms import outcome_labels
    from .incidents import kind_labels

    names = {"outcome": outcome_labels(), "kind": kind_labels()}
    keys = detail_labels()

    def shown(key: str, value) -> str:
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, (int, float)):
            return number(value)
        if value is None:
            return "–"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items())
        return str(names[key].get(value, value)) if key in names else str(value)

    return [(str(keys.get(k, k)), shown(k, v)) for k, v in detail.items()]


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, _target) -> None:
    raise AppendOnlyError("audit events are append-only")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    """Bulk UPDATE/DELETE statements through the session (ORM or Core) on audit_events."""
    if (state.is_update or state.is_delete) and getattr(state.statement, "table", None) is not None:
        if getattr(state.statement.table, "name", None) == AuditEvent.__tablename__:
            raise AppendOnlyError("audit events are append-only")


def search(query: sa.Select, *, user: str = "", action: str = "", object_id: str = "",
           date_from=None, date_to=None) -> sa.Select:
    """Narrow a SELECT of AuditEvent by username, action, object id and days (Vietnam time)."""
    from ..timeutil import end_of_day_utc

    if user:
        query = query.where(sa.func.lower(AuditEvent.username) == user.strip().lower())
    if action:
        query = query.where(AuditEvent.action == action)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id.strip())
    if date_from:
        from datetime import timedelta

        query = query.where(AuditEvent.at >= end_of_day_utc(date_from - timedelta(days=1)))
    if date_to:
        query = query.where(AuditEvent.at < end_of_day_utc(date_to))
    return query
