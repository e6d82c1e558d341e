"""Append-only audit events: who did what to which record, when and from where."""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from ..extensions import db
from .models import AuditEvent


def record(action: str, object_type: str = "", object_id: object = "", user=None, **detail) -> AuditEvent:
    """Add an audit event to the session (it commits with the request's work)."""
    user = user if user is not None else (current_user if has_request_context() else None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    event = AuditEvent(
        user_id=user.id if authenticated else None,
        username=user.username if authenticated else detail.pop("username", ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        detail=detail,
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(event)
    return event
