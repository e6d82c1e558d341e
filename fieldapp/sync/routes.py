"""Offline client API: the officer's pack, the sync batch, receipts' status, the OpenAPI
document, and the commanders' page of quarantined entries."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import nav, paging
from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import can, public, requires
from ..auth.models import User
from ..campaigns.services import current_campaign
from ..extensions import csrf, db, reads_only, waits_at_most, writing
from ..households.forms import HouseholdForm
from ..households.models import Household
from ..timeutil import iso_utc, utcnow
from ..visits.forms import CorrectionForm
from . import batch as sync_batch, quota, receipts
from .client import client_labels, field_labels
from .entries import as_uuid
from .models import QuarantinedEntry
from .openapi import document
from .pack import build_pack, delta, fingerprint

bp = Blueprint("sync", __name__)
QUARANTINE_PER_PAGE = 50
SYNC_LOCK_WAIT_MS = 1000  # behind an import's write lock (SQLite): then 503, and the phone retries
nav.add("sync.quarantine", _l("Entries to review"), order=54)


def _json_error(code: int, error: str, message: str):
    return jsonify(error=error, message=message), code


@bp.get("/api/me/pack")
@reads_only
@requires("view_area")
def pack():
    """The caller's villages and households for offline use; 401 JSON when not signed in.
    `?since=<version>` answers only what changed since that version (`changed`, `removed`),
    or the whole pack when that version is too old or the villages, teams or campaign
    changed. An unchanged pack answers 304 to `If-None-Match` with its ETag."""
    if since := request.args.get("since"):
        body = delta(current_user, since[:40])
        if body is not None:
            if body["changed"]:
                with writing():
                    audit.record("pack_download", "user", current_user.id, households=len(body["changed"]))
            response = jsonify(body)
            response.headers["Cache-Control"] = "private, no-store"
            return response
    etag = fingerprint(current_user)
    if etag in request.if_none_match:
        response = jsonify()
        response.status_code, response.data = 304, b""
    else:
        body = build_pack(current_user)
        with writing():  # the long read above held no lock; the audit event takes it briefly
            audit.record("pack_download", "user", current_user.id,
                         households=sum(len(v["households"]) for v in body["villages"]))
        response = jsonify(body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/api/sync/batch")
@waits_at_most(SYNC_LOCK_WAIT_MS)
@csrf.exempt  # checked below, after the login check, so an expired session answers 401
@requires("record")
def batch():
    """Apply a batch of outbox entries; 401 JSON when not signed in, 403 for roles that do
    not record or on a bad CSRF token, 400 on a malformed batch, 413 when too large; 503 with
    Retry-After when the database is busy or away (errors.py): nothing kept, send again."""
    request.max_content_length = sync_batch.MAX_BYTES  # before anything reads the body
    try:
        request.get_data()
    except RequestEntityTooLarge:
        return _json_error(413, "too_large", _("The batch is larger than 1 MB; send fewer entries."))
    csrf.protect()
    try:
        batch_id, device_id, entries = sync_batch.check_shape(request.get_json(force=True, silent=True))
    except sync_batch.BadBatch as exc:
        return _json_error(exc.code, "bad_batch" if exc.code == 400 else "too_large", exc.message)
    room, wait = quota.room(current_user)
    try:
        if room <= 0:
            raise quota.Exceeded()
        results = sync_batch.apply_batch(current_user._get_current_object(), batch_id, device_id, entries,
                                         quarantine_room=room)
    except quota.Exceeded:
        db.session.rollback()  # nothing of the batch is kept; the phone keeps it all
        response = _json_error(429, "too_many_refused", _(
            "Too many entries from this account were refused today; the phone keeps them and sends "
            "them later. Ask the commander to review the entries to check."))
        response[0].headers["Retry-After"] = str(max(wait, 60))
        return response
    db.session.commit()
    return jsonify(server_time=iso_utc(utcnow()), results=results)


@bp.get("/api/sync/status")
@reads_only
@requires("use_app")
def status():
    """Which of the caller's entry ids (`?ids=a,b`, at most 200) the server holds."""
    ids = [i.strip() for i in (request.args.get("ids") or "").split(",") if i.strip()]
    if len(ids) > sync_batch.MAX_ENTRIES:
        return _json_error(413, "too_large", _("At most %(n)d entries per batch.", n=sync_batch.MAX_ENTRIES))
    return jsonify(server_time=iso_utc(utcnow()), results=receipts.statuses(current_user, ids))


@bp.get("/api/openapi.json")
@reads_only
@public
def openapi():
    """The OpenAPI 3.1 description of /api/* (public: it holds no data)."""
    return jsonify(document())


@bp.get("/sync/quarantine")
@reads_only
@requires("review_entries")
def quarantine():
    """Entries the server would not apply, from users in the caller's area (commanders,
    admins; unreviewed first, 50 a page); 403 for other roles. A malformed `?page=` answers
    400, one past the end 404."""
    query = (
        sa.select(QuarantinedEntry, User)
        .join(User, User.id == QuarantinedEntry.user_id)
        .where(QuarantinedEntry.user_id.in_(scoping.user_ids(current_user)))
        .order_by(QuarantinedEntry.resolved_at.is_not(None), QuarantinedEntry.received_at.desc(),
                  QuarantinedEntry.id.desc())
    )
    with writing():  # raw entries show names and phones; before the reads, which it would expire
        audit.record("quarantine_view", "quarantined_entry", page=paging.page_number())
    page = paging.of_select(query, QUARANTINE_PER_PAGE, scalars=False)
    return render_template("sync/quarantine.html", rows=page.items, page=page,
                           households=_named_households(page.items), field_labels=field_labels())


def _named_households(rows) -> dict[str, Household]:
    """The households (in the caller's area) that quarantined visits name, by id text."""
    keys = {as_uuid((q.raw.get("data") or {}).get("household_id")) for q, _who in rows
            if isinstance(q.raw, dict) and isinstance(q.raw.get("data"), dict)} - {None}
    if not keys:
        return {}
    found = db.session.scalars(scoping.households(current_user).where(Household.id.in_(keys)))
    return {str(h.id): h for h in found}


@bp.post("/sync/quarantine/<int:entry_id>/resolve")
@requires("review_entries")
def resolve(entry_id: int):
    """Mark a quarantined entry reviewed; 403 for other roles, 404 outside the area."""
    row = db.session.scalar(sa.select(QuarantinedEntry).where(
        QuarantinedEntry.id == entry_id, QuarantinedEntry.user_id.in_(scoping.user_ids(current_user))))
    if row is None:
        abort(404)
    if row.resolved_at is None:
        row.resolved_at, row.resolved_by_id = utcnow(), current_user.id
        row.resolution = (request.form.get("resolution") or "")[:200] or "reviewed"
        audit.record("quarantine_resolve", "quarantined_entry", row.id)
        db.session.commit()
    return redirect(url_for("sync.quarantine"))


@bp.get("/sync/shell")
@reads_only
@requires("use_app")
def shell():
    """The offline shell: cached by the service worker, it draws my villages and households
    from the pack on the phone when the server cannot be reached."""
    campaign = current_campaign(current_user)
    visit_form = CorrectionForm(formdata=None, campaign=campaign)
    visit_form.prefill(campaign)
    return render_template("sync/shell.html", visit_form=visit_form, household_form=HouseholdForm(formdata=None),
                           may_record=can(current_user, "record"))


@bp.get("/offline")
@reads_only
@public
def offline():
    """The page shown for anything else while the server cannot be reached (public)."""
    return render_template("sync/offline.html")


@bp.app_template_global("sync_labels")
def sync_labels() -> dict:
    return client_labels()
