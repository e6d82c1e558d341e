"""Offline client API: the officer's pack (the batch endpoint arrives with the outbox)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from ..accountability import audit
from ..extensions import db
from .pack import build_pack

bp = Blueprint("sync", __name__)


@bp.get("/api/me/pack")
@login_required
def pack():
    """The caller's villages and households for offline use; 401 JSON when not signed in."""
    body = build_pack(current_user)
    audit.record("pack_download", "user", current_user.id,
                 households=sum(len(v["households"]) for v in body["villages"]))
    db.session.commit()
    return jsonify(body)
