"""Register pages: household import (upload, check, progress), and village boundaries.

An upload is stored in the database and checked or imported by a job (`register.tasks`),
which any worker runs; the page answers at once and polls the run (htmx, every second) on
whichever server, for the job's progress. Every view is for admins and commanders (403 for
other roles); a run or household outside the caller's area answers 404.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import nav
from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import db, htmx, reads_only
from ..jobs import files, services as jobs
from ..jobs.models import Job
from ..security import large_body
from . import commune_routes, runs, villages_import
from .crs import ACCEPTED, label
from .models import ImportRun
from .readers import FileRefused, check_upload, clean_filename, kind_of
from .services import commune_or_only, max_bytes
from .validate import COLUMNS

bp = Blueprint("register", __name__, url_prefix="/register")


@bp.record_once
def _register_communes(state) -> None:
    """Commune onboarding (/register/communes/) has its own blueprint, registered with this one."""
    state.app.register_blueprint(commune_routes.bp)
nav.add("register.index", _l("Import households"), order=50)
nav.add("register.villages", _l("Import village boundaries"), order=51)


@bp.get("/")
@reads_only
@requires("manage_register")
def index():
    """The upload form and the latest imports of the caller's commune (admins: all). 403 unless
    admin or commander."""
    latest = db.session.scalars(scoping.import_runs(current_user).where(ImportRun.kind == "households")
                                .order_by(ImportRun.id.desc()).limit(10)).all()
    return render_template("register/index.html", runs=latest, columns=COLUMNS)


@bp.post("/imports")
@requires("manage_register")
@large_body("IMPORT_MAX_BYTES")
def upload():
    """Store the file, start a run (check only, or check and import) and show its page.
    403 unless admin or commander; a body over the limit (announced or not) goes back to the
    form saying so."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return redirect(url_for(".index"))
    data = upload.stream.read(max_bytes() + 1)
    return _run_file(upload.filename, request.form.get("mode") != "import", url_for(".index"), data=data)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """An upload over the limit, refused while it arrives: back to the form, saying why."""
    size = f" ({round(request.content_length / 1048576, 1)} MB)" if request.content_length else ""
    flash(_("The file is too large%(size)s; the limit is %(limit)s MB.", size=size,
            limit=max_bytes() // 1048576), "error")
    return redirect(url_for(".villages" if request.endpoint == "register.villages_upload" else ".index"))


@bp.post("/imports/<int:run_id>/confirm")
@requires("manage_register")
def confirm(run_id: int):
    """Import a file whose check passed (a new run over the same stored file). 403 unless
    admin or commander; 404 for an unknown run or another commune's; 409 when the run was not a passed check or
    its file is gone (swept after a day)."""
    checked = scoping.get_import_run(current_user, run_id)
    if checked.status != "checked" or not files.exists(checked.file_id):
        abort(409, _("This file can no longer be imported; upload it again."))
    return _run_file(checked.filename, False, url_for(".show_run", run_id=run_id), file_id=checked.file_id)


@bp.get("/imports/<int:run_id>")
@reads_only  # polled every second while an import holds the write lock
@requires("manage_register")
def show_run(run_id: int):
    """A run: progress while running (the fragment polls itself), then preview, errors, summary.
    403 unless admin or commander; 404 for an unknown run or another commune's."""
    run = scoping.get_import_run(current_user, run_id)
    job = db.session.get(Job, run.job_id) if run.job_id else None
    context = dict(run=run, summary=runs.shown_summary(run), progress=jobs.progress_of(job) if job else {},
                   columns=COLUMNS,
                   waiting=job is not None and job.status == "queued" and run.status == "running",
                   keep_hours=int(runs.KEEP_CHECKED.total_seconds() // 3600))
    template = "register/_run.html" if htmx else "register/run.html"
    return render_template(template, **context), 200, {"Vary": "HX-Request"}


def _run_file(filename: str, dry_run: bool, back: str, *, data: bytes | None = None,
              file_id: int | None = None):
    """Start a run (one at a time per commune) with its file (`data`, checked first, or a
    stored `file_id`) and the job that imports it, committed together; show the run's page.
    A refused start (wrong kind or size of file, a workbook that unpacks to far too much,
    another import into the commune) flashes why and goes `back`; nothing is stored."""
    scope = None if current_user.role == "admin" else current_user.commune_id
    filename = clean_filename(filename)

    def queue() -> tuple[int, int]:
        stored = file_id if file_id is not None else files.store(filename, data).id
        return jobs.enqueue("import_households", file_id=stored, commune_id=scope, dry_run=dry_run).id, stored

    try:
        kind = kind_of(filename)
        if file_id is None:
            check_upload(kind, data, max_bytes())
        run = runs.start("households", filename, current_user.id, commune_or_only(scope), queue=queue)
    except FileRefused as exc:
        flash(str(exc), "error")
        return redirect(back)
    return redirect(url_for(".show_run", run_id=run.id))


# Village boundaries: GeoJSON or a zipped Shapefile (WGS 84 or VN-2000), or a CSV/XLSX list of
# codes and names; checked whole, then written in one go (villages are few: the page answers at once).


def _systems() -> list[tuple[str, str]]:
    return [(f"EPSG:{code}", label(code)) for code in ACCEPTED]


@bp.get("/villages")
@requires("manage_register")
def villages():
    """The village file form. 403 unless admin or commander."""
    return render_template("register/villages.html", systems=_systems(), crs="", result=None)


@bp.post("/villages")
@requires("manage_register")
@large_body("IMPORT_MAX_BYTES")
def villages_upload():
    """Check, or check and import, a village file; the page lists every error (422) or what was
    written. 403 unless admin or commander."""
    upload, crs = request.files.get("file"), (request.form.get("crs") or "").strip()
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return redirect(url_for(".villages"))
    commune_id = commune_or_only(current_user.commune_id)
    if commune_id is None:
        flash(_("Choose the commune with --commune (its code)."), "error")
        return redirect(url_for(".villages"))
    result = _village_file(upload, crs, commune_id, dry_run=request.form.get("mode") != "import")
    failed = "refused" in result or result["errors"]
    return render_template("register/villages.html", systems=_systems(), crs=crs, result=result,
                           filename=clean_filename(upload.filename)), 422 if failed else 200


def _village_file(upload, crs: str, commune_id: int, dry_run: bool) -> dict:
    """What the village page shows of one uploaded file: refused, its errors, or what was written.
    The file is small and read at once, so it only passes through a temporary directory."""
    try:
        with tempfile.TemporaryDirectory(prefix="villages-") as folder:
            path = Path(folder) / f"upload.{kind_of(upload.filename)}"
            upload.save(path)
            rows, errors, summary = villages_import.run(path, upload.filename, commune_id, crs=crs or None,
                                                        dry_run=dry_run, user_id=current_user.id, limit=max_bytes())
    except FileRefused as exc:
        return {"refused": str(exc)}
    return {"rows": len(rows), "errors": errors, "summary": summary, "dry_run": dry_run,
            "with_boundary": sum(1 for r in rows if r.get("boundary"))}
