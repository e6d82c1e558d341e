"""/healthz and /readyz for load balancers: JSON, no session, no personal data."""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..auth.permissions import public
from ..extensions import reads_only
from . import readiness

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@public
def healthz():
    """The process answers (it does not touch the database): 200 always."""
    return jsonify(status="ok"), 200, {"Cache-Control": "no-store"}


@bp.get("/readyz")
@public
@reads_only
def readyz():
    """200 when the database answers, its migrations are the code's and a worker was seen in
    the last minute; else 503 with the reason of each failed check."""
    checks = readiness.report()
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503, \
        {"Cache-Control": "no-store"}
