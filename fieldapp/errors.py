"""Error answers: JSON for /api/*, a friendly Vietnamese page otherwise.

A failure that passes (`faults.unavailable`: the database busy, deadlocked, full, read-only,
unreachable) answers 503 with `Retry-After`, so phones keep their entries and try again, and
load balancers and people wait; anything else unexpected answers 500. Both roll back, and
neither touches the database again: the answer is drawn without the user (the language comes
from the browser's session, the page has no menu), because the database may be what failed.
"""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from . import faults
from .extensions import db
from .faults import unavailable  # noqa: F401 — the classification, for callers of errors
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
    template = "errors/failing.html" if g.get("failing") else "errors/error.html"
    try:
        return render_template(template, code=code, message=message), code
    except Exception:  # noqa: BLE001 — the last resort: say it plainly
        return f"<!doctype html><title>{code}</title><h1>{escape(message)}</h1>", code


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
    """503 + Retry-After for a failure that passes, else 500; the traceback logged sparingly."""
    _rollback()
    why = faults.unavailable(exc)
    if why is None:
        faults.log_failure(app.logger, exc, "Unhandled error")
        return _answer(500)
    faults.log_failure(app.logger, exc, f"Cannot be done now ({why}), answered 503")
    body, code = _answer(503, _unavailable_messages()[why], error=why)
    return body, code, {"Retry-After": str(faults.RETRY_AFTER[why])}


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
