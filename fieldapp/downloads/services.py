"""Exports that become jobs when they are big: the decision in the request (`exportable`),
the queue (`queue`), and the build in the worker (`build`).

A request gets a page (a job) rather than the file only when both hold: it prefers HTML to
the file's type (a person's browser following a link: `Accept: text/html,…`), and the export
counts more than `EXPORT_JOB_ROWS` rows. Scripts, the share button and the map (`Accept: */*`,
`text/csv`, `application/geo+json`) get the file at once, whatever its size."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import wraps
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, has_request_context, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_options_header

from ..auth.models import User
from ..auth.permissions import may_open
from ..extensions import db, writing
from ..jobs import files
from ..jobs import services as jobs
from ..jobs.models import Job
from ..timeutil import utcnow
from .models import PATH_MAX, Download

PROGRESS_EVERY = 500  # rows between two progress reports of a build


class Refused(Exception):
    """The export cannot be built for its user any more (their access changed, or the view
    answered an error): the download fails with this message, and is not tried again."""


def exportable(size: Callable[..., int], mimetype: str):
    """Mark an export view: `size(**view_args)` counts its rows cheaply (and answers 400/404
    as the view would); a person asking for more than EXPORT_JOB_ROWS gets the job's page."""
    def decorate(view):
        @wraps(view)
        def answer(**view_args):
            if g.get("export_run") is None and prefers_page(mimetype) and len(request.full_path) <= PATH_MAX:
                rows = size(**view_args)
                if rows > current_app.config["EXPORT_JOB_ROWS"]:
                    return redirect(url_for("downloads.show", download_id=queue(rows).id), 303)
            return view(**view_args)
        return answer
    return decorate


def prefers_page(mimetype: str) -> bool:
    accept = request.accept_mimetypes
    return accept["text/html"] > accept[mimetype.split(";")[0].strip()]


def pending(user_id: int, path: str) -> Download | None:
    """The user's same export, still queued or running (asking twice queues it once)."""
    return db.session.scalar(
        sa.select(Download).join(Job, Job.id == Download.job_id)
        .where(Download.user_id == user_id, Download.path == path, Download.file_id.is_(None),
               Download.error == "", Job.status.in_(("queued", "running")))
        .order_by(Download.id.desc()).limit(1))


def queue(rows: int) -> Download:
    """Queue this request's export for the signed-in user (or find it queued), committed."""
    path = request.full_path.rstrip("?")
    with writing():
        download = pending(current_user.id, path)
        if download is None:
            download = Download(user_id=current_user.id, path=path, rows=rows)
            db.session.add(download)
            db.session.flush()
            download.job_id = jobs.enqueue(
                "export", download_id=download.id, ip=request.remote_addr or "",
                language=request.headers.get("Accept-Language", "")).id
    return download


def counted(rows: Iterable, total: int | None = None) -> Iterable:
    """`rows` as they are, or, while the worker builds an export, reporting how many were
    written (every PROGRESS_EVERY) to the job's page."""
    run = g.get("export_run") if has_request_context() else None
    if run is None:
        return rows
    return _counting(rows, total if total is not None else g.get("export_total", 0), run)


def _counting(rows: Iterable, total: int, run) -> Iterator:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            run.progress(phase="write", done=done, total=max(total, done))
    run.progress(phase="write", done=done, total=max(total, done))


def build(download_id: int, run, ip: str = "", language: str = "") -> None:
    """Run the export's view as its user in a request like theirs, keep what it answers, and
    commit. Refused when the user may no longer have it. The request runs in an application
    context of its own, so nothing of it (`g`, the session) outlives the build in the worker."""
    app = current_app._get_current_object()
    with app.app_context():
        download = db.session.get(Download, download_id)
        user = db.session.get(User, download.user_id)
        headers = {"Accept": "*/*", **({"Accept-Language": language} if language else {})}
        with app.test_request_context(download.path, headers=headers, environ_base={"REMOTE_ADDR": ip}):
            if user is None or not user.is_active or not may_open(user, request.endpoint):
                raise Refused(_("You may no longer export this."))
            g._login_user, g.export_run, g.export_total = user, run, download.rows  # as Flask-Login would
            run.progress(phase="read", done=0, total=download.rows)
            try:
                response = app.make_response(app.view_functions[request.endpoint](**request.view_args))
            except HTTPException as exc:  # 403/404: the area or the role changed since
                raise Refused(_("You may no longer export this.")) from exc
        response.direct_passthrough = False  # send_file's answer, read here rather than sent
        if response.status_code != 200:
            raise Refused(_("You may no longer export this."))
        _keep(db.session.get(Download, download_id), response)
        db.session.commit()


def _keep(download: Download, response) -> None:
    _kind, options = parse_options_header(response.headers.get("Content-Disposition", ""))
    filename = options.get("filename") or PurePosixPath(urlsplit(download.path).path).name
    files.delete(download.file_id)  # an earlier attempt's, should one have been kept
    stored = files.store(filename, response.get_data())
    download.file_id, download.filename, download.mimetype = stored.id, filename, response.mimetype


def state(download: Download, job: Job | None) -> str:
    """ready, failed, queued or running: what the person's page shows."""
    if download.file_id is not None:
        return "ready"
    if download.error or job is None or job.status in ("failed", "done"):
        return "failed"
    return job.status


def sweep(now=None) -> int:
    """Delete downloads (and their files) older than EXPORT_KEEP_HOURS; the caller commits."""
    before = (now or utcnow()) - timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    old = sa.select(Download.file_id).where(Download.created_at < before, Download.file_id.is_not(None))
    for file_id in db.session.scalars(old).all():
        files.delete(file_id)
    return db.session.execute(sa.delete(Download).where(Download.created_at < before)).rowcount
