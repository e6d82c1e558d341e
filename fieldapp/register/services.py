"""Register imports as one call each, shared by the command line and the upload page."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db, refresh_statistics
from . import runs
from .importer import Checked, check, village_codes, write
from .models import Commune
from .crs import choose
from .readers import FileRefused, declared_crs, kind_of

ERRORS_KEPT = 500  # on the run row, for the page; the command line prints them all


def max_bytes() -> int:
    return current_app.config.get("IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def commune_or_only(commune_id: int | None = None, *, code: str | None = None) -> int | None:
    """The given commune (by id, or by `code`), else the only commune there is; None when the
    code matches none, or none is given and there are several communes (or none)."""
    if commune_id:
        return commune_id
    query = sa.select(Commune.id)
    if code:
        query = query.where(Commune.code == code)
    ids = db.session.scalars(query.limit(2)).all()
    return ids[0] if len(ids) == 1 else None


def import_households(run_id: int, path: Path, *, commune_id: int | None, dry_run: bool = False,
                      echo: Callable[[str, int, int | None], None] | None = None,
                      crs: str | None = None) -> Checked | None:
    """Check then (unless `dry_run`) write the file for the started run `run_id`, and commit;
    `echo(phase, done, total)` hears the progress. The caller holds the run's commune lease
    and renews it (`runs.start` and a heartbeat, or a job's worker); the run's end frees it.

    The run ends `done`, `checked` (dry run), `refused` (bad file or rows: nothing written)
    or `failed` (an unexpected error: rolled back, then re-raised). None when another attempt
    at the same run finished it first.
    """
    run = db.session.get(runs.ImportRun, run_id)
    progress = echo
    try:
        kind = kind_of(run.filename)
        villages = village_codes(commune_id)
        system = choose(declared_crs(path, kind, max_bytes()), crs)
        checked = check(path, kind, villages, limit=max_bytes(), max_rows=current_app.config["IMPORT_MAX_ROWS"],
                        progress=progress, system=system)
        run = runs.take_write_lock(run_id)
        if run is None:
            db.session.rollback()
            return None
        base = {"rows": checked.rows, "preview": checked.preview, "error_count": checked.error_count,
                "errors": [e.as_dict() for e in checked.errors[:ERRORS_KEPT]]}
        if checked.error_count:
            runs.finish(run, "refused", base)
        elif dry_run:
            runs.finish(run, "checked", base)
        else:
            summary = write(path, kind, villages, total=checked.rows, user_id=run.user_id,
                            limit=max_bytes(), progress=progress, system=system)
            runs.finish(run, "done", {**base, **summary.as_dict()})
            if summary.created:  # new households (no visits): what the planner must see at once
                refresh_statistics(("households",))
        db.session.commit()
        return checked
    except FileRefused as exc:
        runs.fail(run_id, "refused", {"message": str(exc), "error_count": 1, "errors": []})
        raise
    except Exception:
        runs.fail(run_id, "failed", {"message": _("The import stopped on an unexpected error; "
                                                  "nothing was written."), "error_count": 1})
        raise
