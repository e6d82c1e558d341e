"""Register pages: household import (upload, check, progress).

The import runs in a background thread with its own app context, so the page answers at
once and polls the run (htmx, every second) for its progress; the run row and its progress
file are the only state shared with the thread. Every view is for admins and commanders
(403 for other roles); a run or household outside the caller's area answers 404.
"""
from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import db, htmx
from . import commune_routes, runs
from .models import ImportRun
from .readers import FileRefused, kind_of
from .services import import_households, max_bytes
from .validate import COLUMNS

bp = Blueprint("register", __name__, url_prefix="/register")


@bp.record_once
def _register_communes(state) -> None:
    """Commune onboarding (/register/communes/) has its own blueprint, registered with this one."""
    state.app.register_blueprint(commune_routes.bp)
nav.add("register.index", _l("Import households"), order=50)


def _upload_path(run_id: int, filename: str) -> Path:
    return runs.imports_dir() / f"upload-{run_id}.{kind_of(filename)}"


@bp.get("/")
@requires("manage_register")
def index():
    """The upload form and the latest imports of the caller's commune (admins: all). 403 unless
    admin or commander."""
    latest = db.session.scalars(scoping.import_runs(current_user).where(ImportRun.kind == "households")
                                .order_by(ImportRun.id.desc()).limit(10)).all()
    return render_template("register/index.html", runs=latest, columns=COLUMNS)


@bp.post("/imports")
@requires("manage_register")
def upload():
    """Store the file, start a run (check only, or check and import) and show its page.
    403 unless admin or commander."""
    runs.sweep_uploads()
    if (request.content_length or 0) > max_bytes() + 65536:  # refuse before reading it all
        flash(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.",
                size=round(request.content_length / 1048576, 1), limit=max_bytes() // 1048576), "error")
        return redirect(url_for(".index"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return redirect(url_for(".index"))
    return _run_file(upload.filename, upload.save, request.form.get("mode") != "import", url_for(".index"))


@bp.post("/imports/<int:run_id>/confirm")
@requires("manage_register")
def confirm(run_id: int):
    """Import a file whose check passed (a new run over the same stored file). 403 unless
    admin or commander; 404 for an unknown run or another commune's; 409 when the run was not a passed check or
    its file is gone (swept after a day)."""
    checked = scoping.get_import_run(current_user, run_id)
    source = _upload_path(checked.id, checked.filename)
    if checked.status != "checked" or not source.exists():
        abort(409, _("This file can no longer be imported; upload it again."))
    return _run_file(checked.filename, source.replace, False, url_for(".show_run", run_id=run_id))


@bp.get("/imports/<int:run_id>")
@requires("manage_register")
def show_run(run_id: int):
    """A run: progress while running (the fragment polls itself), then preview, errors, summary.
    403 unless admin or commander; 404 for an unknown run or another commune's."""
    run = scoping.get_import_run(current_user, run_id)
    context = dict(run=run, progress=runs.progress(run.id), columns=COLUMNS,
                   keep_hours=int(runs.KEEP_CHECKED.total_seconds() // 3600))
    template = "register/_run.html" if htmx else "register/run.html"
    return render_template(template, **context), 200, {"Vary": "HX-Request"}


def _run_file(filename: str, store, dry_run: bool, back: str):
    """Start a run (one at a time), `store(path)` its file where the run reads it, work in the
    background, and show the run's page; a refused start (wrong kind of file, another import
    running) flashes why and goes `back`."""
    try:
        kind_of(filename)
        run = runs.start("households", filename, current_user.id)
    except FileRefused as exc:
        flash(str(exc), "error")
        return redirect(back)
    path = _upload_path(run.id, run.filename)
    store(path)
    path.touch()  # a confirmed file starts its day afresh: no sweep while it is being imported
    _launch(run.id, path, dry_run=dry_run)
    return redirect(url_for(".show_run", run_id=run.id))


def _launch(run_id: int, path: Path, dry_run: bool) -> None:
    app = current_app._get_current_object()
    commune_id = None if current_user.role == "admin" else current_user.commune_id
    thread = threading.Thread(target=_work, args=(app, run_id, path, commune_id, dry_run),
                              name=f"import-{run_id}", daemon=True)
    thread.start()


def _work(app, run_id: int, path: Path, commune_id: int | None, dry_run: bool) -> None:
    with app.app_context():
        try:
            import_households(run_id, path, commune_id=commune_id, dry_run=dry_run)
        except FileRefused:
            pass  # recorded on the run
        except Exception:  # recorded on the run as failed; the traceback goes to the log
            app.logger.exception("import %s failed", run_id)
        finally:
            if db.session.get(ImportRun, run_id).status != "checked":
                path.unlink(missing_ok=True)
            db.session.remove()

