"""Login wiring, API answers for anonymous callers, and response headers."""
from __future__ import annotations

from flask import Flask, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from .extensions import db, login_manager


def is_api_request() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_user(user_id: str):
    from .auth.models import User

    return db.session.get(User, int(user_id))


@login_manager.unauthorized_handler
def _unauthorized():
    """APIs answer 401 JSON (never a redirect); pages go to the login form."""
    if is_api_request():
        return jsonify(error="unauthorized", message=_("Please log in again.")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    login_manager.session_protection = "basic"

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if is_api_request():
            response.headers.setdefault("Cache-Control", "no-store")
        return response
