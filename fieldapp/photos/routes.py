"""`PUT /api/visits/<id>/photo` (the phone sends a visit's commitment photo) and
`GET /photos/<visit id>.jpg` (shown on the household page and the incident verdict)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from ..accountability import audit
from ..auth.permissions import requires
from ..extensions import csrf, db
from ..proof.api import get_visit
from ..security import large_body
from . import services
from .models import CommitmentPhoto

bp = Blueprint("photos", __name__)


def _refused(code: int, message: str):
    return jsonify(status="refused", error=str(code), message=message), code


@bp.put("/api/visits/<visit_id>/photo")
@csrf.exempt  # checked below, after the login check, so an expired session answers 401
@requires("record")
@large_body("PHOTO_MAX_BYTES")
def upload(visit_id: str):
    """Store the photo (the request body: a JPEG, PNG or WebP of at most PHOTO_MAX_BYTES) of
    one's own visit: 201 `created`, 200 `duplicate` for the same photo again. 401 signed
    out; 403 bad CSRF token, a role that does not record or another officer's visit; 404 a
    visit outside the area; 409 another photo already stored; 413 too large; 422 not a photo.
    A refused photo leaves the visit as it was."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    request.max_content_length = limit  # before anything reads the body
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return _refused(413, _("The photo is larger than %(mb)s MB; take it again.", mb=round(limit / 1024 / 1024, 1)))
    csrf.protect()
    visit = get_visit(current_user, visit_id)
    try:
        photo, created = services.store(visit, current_user, data)
    except services.Refused as refused:
        db.session.rollback()
        return _refused(refused.code, refused.message)
    db.session.commit()
    return jsonify(status="created" if created else "duplicate", visit_id=str(visit.id),
                   bytes=photo.size_bytes), 201 if created else 200


@bp.get("/photos/<uuid:visit_id>.jpg")
@requires("see_personal")
def show(visit_id):
    """The photo, for roles that may see personal data (403 for others), of a visit in the
    caller's area (404 outside it or without a photo). Each view is in the audit log."""
    visit = get_visit(current_user, visit_id)
    photo = db.session.get(CommitmentPhoto, visit.id)
    if photo is None:
        abort(404)
    body = photo.content
    audit.record("photo_view", "visit", visit.id, household=str(visit.household_id))
    db.session.commit()
    return Response(body, mimetype="image/jpeg", headers={"Cache-Control": "private, no-store",
                                                          "X-Content-Type-Options": "nosniff"})
