"""Village boundaries upload: GeoJSON or a zipped Shapefile (WGS 84 or VN-2000), or a CSV/XLSX
list of codes and names; checked whole, then written in one go (villages are few, so the
page answers at once). For admins and commanders (403 otherwise), into the caller's commune."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav
from ..auth.permissions import requires
from . import runs, villages_import
from .crs import ACCEPTED, label
from .readers import FileRefused, kind_of
from .routes import bp
from .services import commune_or_only, max_bytes

nav.add("register.villages", _l("Import village boundaries"), order=51)


def _systems() -> list[tuple[str, str]]:
    return [(f"EPSG:{code}", label(code)) for code in ACCEPTED]


@bp.get("/villages")
@requires("manage_register")
def villages():
    """The village file form. 403 unless admin or commander."""
    return render_template("register/villages.html", systems=_systems(), crs="", result=None)


@bp.post("/villages")
@requires("manage_register")
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
    dry_run = request.form.get("mode") != "import"
    try:
        path = runs.imports_dir() / f"villages-{uuid.uuid4().hex}.{kind_of(upload.filename)}"
        upload.save(path)
        try:
            rows, errors, summary = villages_import.run(path, upload.filename, commune_id, crs=crs or None,
                                                        dry_run=dry_run, user_id=current_user.id, limit=max_bytes())
        finally:
            path.unlink(missing_ok=True)
    except FileRefused as exc:
        result = {"refused": str(exc)}
    else:
        result = {"rows": len(rows), "errors": errors, "summary": summary, "dry_run": dry_run,
                  "with_boundary": sum(1 for r in rows if r.get("boundary"))}
    failed = "refused" in result or result["errors"]
    return render_template("register/villages.html", systems=_systems(), crs=crs, result=result,
                           filename=upload.filename), 422 if failed else 200
