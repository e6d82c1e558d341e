"""Error answers: JSON for /api/*, a friendly Vietnamese page otherwise; 500 rolls back.

A database or disk that cannot take a write right now is not a bug: it answers 503 with
`Retry-After`, so phones keep their entries and try again, and load balancers and people
wait (see `unavailable`)."""
from __future__ import annotations

import errno

import sqlalchemy as sa
from flask import Flask, g, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from .extensions import db
from .security import is_api_request

RETRY_AFTER = {"busy": 5, "database": 15, "storage": 60}  # seconds
_SQLITE = {"database is locked": "busy", "database table is locked": "busy",
           "database or disk is full": "storage", "readonly database": "storage",
           "disk i/o error": "storage", "unable to open database file": "database"}
_PG_STATES = {"53300": "busy", "40001": "busy", "40P01": "busy", "55P03": "busy", "57014": "busy",
              "25006": "storage", "53": "storage", "57P": "database", "08": "database"}
_OS_ERRNOS = {errno.ENOSPC: "storage", errno.EROFS: "storage", errno.EDQUOT: "storage", errno.EIO: "storage"}


def unavailable(exc: BaseException) -> str | None:
    """Why a write cannot be done now: "busy" (locked, too many connections), "storage"
    (disk full, read-only, I/O error), "database" (cannot connect); None for anything else."""
    if isinstance(exc, sa.exc.TimeoutError):  # every pooled connection busy
        return "busy"
    if isinstance(exc, OSError):
        return _OS_ERRNOS.get(exc.errno)
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    if exc.connection_invalidated:
        return "database"
    orig, module = exc.orig, type(exc.orig).__module__
    if module.startswith("sqlite3"):
        return next((kind for text, kind in _SQLITE.items() if text in str(orig).lower()), None)
    state = getattr(orig, "sqlstate", None)
    if state is None:  # psycopg's own error, no server state: the connection failed
        return "database" if module.startswith("psycopg") and isinstance(exc, sa.exc.OperationalError) else None
    return next((kind for prefix, kind in _PG_STATES.items() if state.startswith(prefix)), None)


def _messages() -> dict[int, str]:
    return {
        400: _("The request was not understood."),
        401: _("Please log in again."),
        403: _("You do not have permission to do this."),
        404: _("Not found, or outside your area."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on the server. Nothing was saved; please try again."),
        503: _("The server is busy (another import or save is running). Nothing was saved; "
               "please try again in a moment."),
    }


def _unavailable_messages() -> dict[str, str]:
    return {
        "busy": _messages()[503],
        "storage": _("The server cannot save right now (its disk is full or read-only). Nothing "
                     "was saved; entries stay on this phone and are sent again later."),
        "database": _("The server cannot reach its database right now. Nothing was saved; entries "
                      "stay on this phone and are sent again later."),
    }


def _answer(code: int, message: str | None = None, error: str | None = None):
    message = message or _messages().get(code, _("Error"))
    if is_api_request():
        return jsonify(error=error or str(code), message=message), code
    try:
        return render_template("errors/error.html", code=code, message=message), code
    except Exception:  # the page's menu needs the database that just failed: say it plainly
        db.session.rollback()
        return f"<!doctype html><title>{code}</title><h1>{escape(message)}</h1>", code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _answer(403, _("The form expired or came from elsewhere; reload the page and try again."), "csrf")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 429:
            return _answer(429)
        # A description passed to abort() is ours and meant for people; werkzeug's are not.
        custom = exc.description if exc.description != type(exc).description else None
        return _answer(exc.code or 500, custom)

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        """A database or disk that cannot write now: a retryable 503; anything else: 500."""
        db.session.rollback()
        g.read_only = True  # the error page may read (menu, user) without the write lock
        kind = unavailable(exc)
        if kind is None:
            app.logger.exception("Unhandled error")
            return _answer(500)
        if kind == "busy":
            app.logger.warning("Database busy: %s", exc)
        else:
            app.logger.error("Cannot write (%s): %s", kind, exc)
        body, code = _answer(503, _unavailable_messages()[kind], error=kind)
        return body, code, {"Retry-After": str(RETRY_AFTER[kind])}
