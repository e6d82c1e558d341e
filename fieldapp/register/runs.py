"""Import runs: one at a time, with their progress and outcome.

The lock is the `import_runs` table itself. A new run is committed as `running` first, then
looks for any other live run: if there is one it gives way (`refused`) before touching
anything. Two that start together may both give way, never both write. A run not finished
after `STALE_AFTER` is taken as dead (its process crashed) and no longer blocks.

Progress lives in a small JSON file beside the database (instance/imports/), because during
the write pass the run's own transaction holds SQLite's write lock, and a page polling the
run must still see the figures move.
"""
from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..accountability import audit
from ..extensions import db
from ..i18n import vn_time
from ..timeutil import utcnow
from .models import ImportRun
from .readers import FileRefused

STALE_AFTER = timedelta(hours=2)
KEEP_CHECKED = timedelta(hours=24)  # a checked, not imported file waits this long, then goes
LIVE = ("running",)


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


def start(kind: str, filename: str, user_id: int | None) -> ImportRun:
    """Commit a new running run, or FileRefused when another import is under way."""
    run = ImportRun(kind=kind, filename=filename[:255], status="running", user_id=user_id, summary={})
    db.session.add(run)
    db.session.commit()
    other = db.session.execute(
        sa.select(ImportRun.filename, ImportRun.started_at)
        .where(ImportRun.id != run.id, ImportRun.status.in_(LIVE), ImportRun.started_at > utcnow() - STALE_AFTER)
        .order_by(ImportRun.started_at)).first()
    db.session.rollback()  # end this read before any write (SQLite refuses to upgrade a stale read)
    if other is not None:
        message = _("Another import (%(file)s, started at %(at)s) is still running; "
                    "try again when it has finished.", file=other.filename, at=vn_time(other.started_at))
        fail(run.id, "refused", {"message": message})  # shown on the run's page as it is
        raise FileRefused(message)
    return run


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
    db.session.commit()
    clear_progress(run_id)


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
