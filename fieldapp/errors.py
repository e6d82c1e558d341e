"""Error answers: JSON for /api/*, a friendly Vietnamese page otherwise; 500 rolls back."""
from __future__ import annotations

from flask import Flask, g, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .security import is_api_request


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


def _answer(code: int, message: str | None = None, error: str | None = None):
    message = message or _messages().get(code, _("Error"))
    if is_api_request():
        return jsonify(error=error or str(code), message=message), code
    return render_template("errors/error.html", code=code, message=message), code


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

    @app.errorhandler(OperationalError)
    def _busy(exc: OperationalError):
        """SQLite still locked after its busy timeout: a retryable 503, not a crash."""
        db.session.rollback()
        g.read_only = True  # the error page may read (menu, user) without the write lock
        if "database is locked" in str(exc.orig):
            app.logger.warning("Database busy: %s", exc.orig)
            return _answer(503, error="busy")
        app.logger.exception("Database error")
        return _answer(500)

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _answer(500)
