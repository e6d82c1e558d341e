"""The audit trail, read-only: search by user, action, record and days, paginated.

Commanders and admins only (others 403). There is no route that edits or deletes an event.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from .. import paging
from ..auth import scoping
from ..auth.permissions import requires
from . import audit
from .forms import AuditFilterForm
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50


@bp.get("/")
@requires("read_audit")
def index():
    """Events the caller may read (see `scoping.audit_events`), newest first, 50 a page (a
    malformed `?page=` answers 400, one past the end 404); other roles get 403."""
    form = AuditFilterForm(formdata=request.args, actions=audit.action_labels())
    query = scoping.audit_events(current_user)
    if form.validate():
        query = audit.search(query, user=form.user.data or "", action=form.action.data or "",
                             object_id=form.object.data or "", date_from=form.date_from.data,
                             date_to=form.date_to.data)
    page = paging.of_select(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("accountability/audit.html", form=form, page=page, args=args)
