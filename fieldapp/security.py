"""Login wiring, API answers for anonymous callers, and response headers."""
from __future__ import annotations

from flask import Flask, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from .auth import sessions
from .extensions import login_manager


def is_api_request() -> bool:
    return request.path.startswith("/api/")


login_manager.user_loader(sessions.user_for)


def signed_out_answer() -> tuple[str, str]:
    """(error code, message) for a caller who is not signed in, saying why when we know."""
    reason = g.get("session_ended")
    if reason in sessions.WIPING_ENDS:
        return "session_ended", _("This account was signed out of every device. The data kept on this "
                                  "phone has been deleted; sign in again.")
    if reason == "password":
        return "session_expired", _("The password of this account was changed. Unsent entries are kept "
                                    "on this phone; sign in again with the new password.")
    if reason in sessions.EXPIRED_ENDS:
        return "session_expired", _("Your session has expired. Unsent entries are kept on this phone; "
                                    "sign in again.")
    return "unauthorized", _("Please log in again.")


@login_manager.unauthorized_handler
def _unauthorized():
    """APIs answer 401 JSON (never a redirect); pages go to the login form."""
    error, message = signed_out_answer()
    if is_api_request():
        return jsonify(error=error, message=message), 401
    if error == "session_expired":  # the login page says itself when the session was ended
        flash(message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    login_manager.session_protection = "basic"
    app.before_request(sessions.load)
    app.after_request(sessions.set_cookies)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if is_api_request():
            response.headers.setdefault("Cache-Control", "no-store")
        return response
