"""/downloads/<id>: the page that follows a big export's job, and its file once built.

Only the person who asked sees either: anyone else (whatever their role) gets 404, as for
an id that does not exist. A file swept after EXPORT_KEEP_HOURS answers 410 saying so."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
import sqlalchemy as sa
from flask_login import current_user

from ..auth.permissions import requires
from ..extensions import db, htmx, reads_only
from ..jobs import services as jobs
from ..jobs.models import Job, StoredFile
from ..reports.exports import download as attachment
from .models import Download
from .services import state

bp = Blueprint("downloads", __name__, url_prefix="/downloads")


def _mine(download_id: int) -> Download:
    download = db.session.get(Download, download_id)
    if download is None or download.user_id != current_user.id:
        abort(404)
    return download


@bp.get("/<int:download_id>")
@reads_only  # polled every second while the worker builds
@requires("use_app")
def show(download_id: int):
    """Queued, building (a progress bar), ready (the link) or failed (why, and ask again);
    the fragment polls itself until the end. 404 unless the caller asked for it."""
    download = _mine(download_id)
    job = db.session.get(Job, download.job_id) if download.job_id else None
    context = dict(download=download, job=job, state=state(download, job),
                   progress=jobs.progress_of(job) if job else {})
    template = "downloads/_progress.html" if htmx else "downloads/show.html"
    return render_template(template, **context), 200, {"Vary": "HX-Request"}


@bp.get("/<int:download_id>/file")
@reads_only
@requires("use_app")
def file(download_id: int):
    """The built file (404 unless the caller asked for it or before it is built; 410 once
    swept)."""
    download = _mine(download_id)
    if download.file_id is None:
        abort(404)
    data = db.session.scalar(sa.select(StoredFile.data).where(StoredFile.id == download.file_id))
    if data is None:
        abort(410, description="gone")
    return attachment(data, download.mimetype, download.filename)
