"""Import runs: one at a time per commune, with their progress and outcome.

The lock is a lease (`fieldapp.leases`) named after the commune, held by the run
(`run:<id>`) and renewed by a heartbeat while it works: a second import into the same
commune gives way (`refused`) before touching anything, an import into another commune goes
ahead, and a run whose process died stops renewing, so its lease expires within
LEASE_SECONDS and the next import takes over, marking the dead run failed.

Progress lives in a small JSON file beside the database (instance/imports/), because during
the write pass the run's own transaction holds SQLite's write lock, and a page polling the
run must still see the figures move. The run's summary quotes the file (its first rows, the
wrong values): that part is dropped `KEEP_CHECKED` after the run ends (`purge_previews`).
"""
from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from .. import leases
from ..accountability import audit
from ..extensions import db
from ..i18n import vn_time
from ..timeutil import utcnow
from .models import ImportRun
from .readers import FileRefused, clean_filename

KEEP_CHECKED = timedelta(hours=24)  # a checked file, and any run's preview, are kept this long
PERSONAL_KEYS = ("preview", "errors")  # what in a run's summary quotes the file


def lease_name(commune_id: int | None) -> str:
    return f"import:{commune_id or 'all'}"


def holder(run_id: int) -> str:
    return f"run:{run_id}"


def imports_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep_uploads(now: float | None = None) -> int:
    """Delete stored uploads (households' names and phones) and progress files older than
    `KEEP_CHECKED`: a file checked and never imported is not kept for ever. Returns how many."""
    limit = (now or time.time()) - KEEP_CHECKED.total_seconds()
    gone = 0
    for path in list(imports_dir().glob("upload-*")) + list(imports_dir().glob("run-*.json")):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                gone += 1
        except FileNotFoundError:  # another worker swept it first
            pass
    return gone


def start(kind: str, filename: str, user_id: int | None, commune_id: int | None) -> ImportRun:
    """Commit a new running run holding its commune's lease, or FileRefused when another
    import into that commune is under way (the run is kept as refused, saying which)."""
    db.session.commit()  # end any read first: SQLite cannot write from a snapshot others moved past
    run = ImportRun(kind=kind, filename=clean_filename(filename)[:255], status="running", user_id=user_id,
                    summary={})
    db.session.add(run)
    db.session.commit()
    taken = leases.acquire(lease_name(commune_id), holder(run.id))
    if isinstance(taken, str):
        message = _busy_message(taken)
        fail(run.id, "refused", {"message": message})  # shown on the run's page as it is
        raise FileRefused(message)
    if taken.previous:
        _mark_dead(taken.previous)
    return run


def _busy_message(other_holder: str) -> str:
    """The import holding the commune's lease (the same commune: its file may be named)."""
    other = _run_of(other_holder)
    if other is None:
        return _("Another import is still running; try again when it has finished.")
    return _("Another import (%(file)s, started at %(at)s) is still running; try again when it has "
             "finished.", file=other.filename, at=vn_time(other.started_at))


def _run_of(lease_holder: str) -> ImportRun | None:
    prefix, _sep, number = lease_holder.partition(":")
    return db.session.get(ImportRun, int(number)) if prefix == "run" and number.isdigit() else None


def _mark_dead(lease_holder: str) -> None:
    """The run whose lease expired stopped without a word (its process died): say so."""
    run = _run_of(lease_holder)
    if run is not None and run.status == "running":
        fail(run.id, "failed", {"message": _("The import stopped (its server process ended); nothing "
                                             "was written. Upload the file again.")})


def take_write_lock(run_id: int) -> ImportRun:
    """Begin the import's transaction with a write, so SQLite holds its write lock from the
    first statement (a transaction that reads first cannot write once another has committed)."""
    db.session.commit()
    db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(status="running"))
    return db.session.get(ImportRun, run_id)


def finish(run: ImportRun, status: str, summary: dict) -> None:
    """Record the outcome in the session (the caller commits, with the import's rows)."""
    run.status = status
    run.summary = summary
    run.rows_done = summary.get("rows", run.rows_done or 0)
    run.finished_at = utcnow()
    if any(summary.get(key) for key in PERSONAL_KEYS):
        run.personal_until = run.finished_at + KEEP_CHECKED
    leases.release(holder(run.id))
    if status in ("done", "checked"):
        audit.record(f"{run.kind}_import" if status == "done" else f"{run.kind}_import_check",
                     "import_run", run.id, user=_user(run), filename=run.filename,
                     **{k: v for k, v in summary.items() if k in ("rows", "created", "updated", "unchanged")})
    clear_progress(run.id)


def fail(run_id: int, status: str, summary: dict) -> None:
    """Throw away the session's work and mark the run refused or failed, in its own transaction."""
    db.session.rollback()
    db.session.execute(sa.update(ImportRun).where(ImportRun.id == run_id).values(
        status=status, summary=summary, rows_done=summary.get("rows", 0), finished_at=utcnow()))
    leases.release(holder(run_id))
    db.session.commit()
    clear_progress(run_id)


def purge_previews(now=None) -> int:
    """Drop the quoted rows (preview, errors) of runs past their `personal_until`; the counts
    stay. Returns how many runs. The caller commits."""
    runs = db.session.scalars(sa.select(ImportRun).where(ImportRun.personal_until <= (now or utcnow()))).all()
    for run in runs:
        run.summary = {k: v for k, v in (run.summary or {}).items() if k not in PERSONAL_KEYS}
        run.personal_until = None
    db.session.flush()
    return len(runs)


def _user(run: ImportRun):
    from ..auth.models import User

    return db.session.get(User, run.user_id) if run.user_id else None


def _progress_path(run_id: int) -> Path:
    return imports_dir() / f"run-{run_id}.json"


def save_progress(run_id: int, phase: str, done: int, total: int | None) -> None:
    path = _progress_path(run_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
    tmp.replace(path)


def progress(run_id: int) -> dict:
    try:
        return json.loads(_progress_path(run_id).read_text())
    except (OSError, ValueError):
        return {}


def clear_progress(run_id: int) -> None:
    _progress_path(run_id).unlink(missing_ok=True)
