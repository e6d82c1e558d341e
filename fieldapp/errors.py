"""Error answers: JSON for /api/*, a friendly Vietnamese page otherwise.

A transient failure (`faults.is_transient`: the database busy, deadlocked, full, unreachable)
answers 503 with `Retry-After`; anything else unexpected answers 500. Both roll back, and
neither touches the database again: the answer is drawn without the user (the language
comes from the browser's session, the page has no menu), because the database may be the
thing that failed.
"""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify, make_response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import faults
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
        503: _("The server is busy or cannot reach its database. Nothing was saved; "
               "please try again in a moment."),
    }


def _answer(code: int, message: str | None = None, error: str | None = None):
    message = message or _messages().get(code, _("Error"))
    if is_api_request():
        return jsonify(error=error or str(code), message=message), code
    if g.get("failing"):
        return render_template("errors/failing.html", code=code, message=message), code
    return render_template("errors/error.html", code=code, message=message), code


def _rollback() -> None:
    """End the failed transaction; a connection that is gone has nothing to roll back."""
    g.failing = True  # from here on nothing reads the database (see i18n.select_locale)
    if "_login_user" not in g:  # nor loads the user (Flask-Login would, for any template)
        g._login_user = current_app.login_manager.anonymous_user()
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 — the failure being answered is the one worth logging
        pass


def failure(exc: Exception, app: Flask):
    """503 + Retry-After for a transient failure, else 500; the traceback logged sparingly."""
    _rollback()
    if faults.is_transient(exc):
        faults.log_failure(app.logger, exc, "Transient failure, answered 503")
        response = make_response(_answer(503, error="unavailable"))
        response.headers["Retry-After"] = str(faults.retry_after(exc))
        return response
    faults.log_failure(app.logger, exc, "Unhandled error")
    return _answer(500)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _answer(403, _("The form expired or came from elsewhere; reload the page and try again."), "csrf")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 429:
            return _answer(429)
        if (exc.code or 500) >= 500:  # e.g. an error inside another error's handling
            _rollback()
        # A description passed to abort() is ours and meant for people; werkzeug's are not.
        custom = exc.description if exc.description != type(exc).description else None
        return _answer(exc.code or 500, custom)

    @app.errorhandler(Exception)
    def _internal(exc: Exception):
        return failure(exc, app)
