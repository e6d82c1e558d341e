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
