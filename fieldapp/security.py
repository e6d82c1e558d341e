"""Login wiring, API answers for anonymous callers, and response headers."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

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


def large_body(setting: str):
    """Let a view take a body up to the setting `setting` (bytes) plus 64 KB of form around it;
    every other view takes at most MAX_CONTENT_LENGTH. Both hold for chunked bodies too
    (Werkzeug counts what it reads when no length is announced)."""
    def declare(view):
        view.body_limit = setting
        return view

    return declare


def _limit_body() -> None:
    """First thing before each request, before CSRF's check reads the form. A body without a
    length (chunked) is counted as it is read and refused past the limit: Werkzeug alone
    would cut an urlencoded one short without a word."""
    view = current_app.view_functions.get(request.endpoint or "")
    setting = getattr(view, "body_limit", None)
    limit = current_app.config[setting] + 65536 if setting else current_app.config["MAX_CONTENT_LENGTH"]
    request.max_content_length = limit + 1
    if request.content_length is None:
        request.environ["wsgi.input"] = _Counted(request.environ["wsgi.input"], limit)


class _Counted:
    """A request body that raises 413 once more than `limit` bytes have come through."""

    def __init__(self, stream, limit: int):
        self._stream, self._limit, self._seen = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._seen += len(data)
        if self._seen > self._limit:
            raise RequestEntityTooLarge()
        return data


def init_app(app: Flask) -> None:
    login_manager.session_protection = "basic"
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
    if app.config["BEHIND_PROXY"]:  # the scheme, host and client address the proxy saw
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    app.before_request(sessions.load)
    app.after_request(sessions.set_cookies)
    app.after_request(_headers)


def _headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages and answers for a signed-in user hold names, addresses and phones: never kept in a
    # browser's or a proxy's cache (the offline shell is kept by the service worker instead).
    if is_api_request() or (response.mimetype == "text/html" and g.get("user_session") is not None):
        headers.setdefault("Cache-Control", "no-store")
    return response


# The phone's position for visits and the camera for a signed commitment; nothing else.
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"


def content_security_policy() -> str:
    """Scripts only from our own files (no inline script, no eval: htmx runs with allowEval
    off); styles may be inline (progress bars, Leaflet); map tiles from MAP_TILE_URL's host."""
    tiles = _origin(current_app.config.get("MAP_TILE_URL", ""))
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{tiles}", f"connect-src 'self'{tiles}", "font-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
        "manifest-src 'self'", "worker-src 'self'",
    ])


def _origin(url: str) -> str:
    """' https://*.tile.example.org' for 'https://{s}.tile.example.org/{z}/{x}/{y}.png'."""
    parts = urlsplit(url.replace("{s}", "*"))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
