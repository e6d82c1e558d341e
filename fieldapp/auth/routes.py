"""Login, logout and the session API the offline client asks before each send."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..accountability import audit
from ..extensions import db, limiter, reads_only
from ..timeutil import iso_utc, utcnow
from .forms import LoginForm
from .permissions import public, requires
from .services import find_user

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_key() -> str:
    return f"{request.remote_addr}:{(request.form.get('username') or '').strip().lower()}"


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("villages.index")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, key_func=_login_key, methods=["POST"],
               deduct_when=lambda response: response.status_code != 302)
def login():
    """Sign in; failed attempts per address and username are limited (429 with a message)."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user and user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            audit.record("login", "user", user.id, user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        audit.record("login_failed", "user", user.id if user else "", username=form.username.data[:40])
        db.session.commit()
        form.password.errors.append(_("Wrong username or password."))
    status = 200 if request.method == "GET" or not form.errors else 401
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@requires("use_app")
def logout():
    """Sign out (POST with CSRF); the page clears offline data before it posts here."""
    audit.record("logout", "user", current_user.id)
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/api/session")
@reads_only
@requires("use_app")
def api_session():
    """Who is signed in, a fresh CSRF token and the server clock; 401 JSON when nobody is."""
    user = current_user
    return jsonify(
        user={
            "id": user.id,
            "username": user.username,
            "full_name": user.full_name,
            "role": user.role,
            "title": user.title,
            "commune_id": user.commune_id,
            "locale": user.locale,
        },
        csrf_token=generate_csrf(),
        server_time=iso_utc(utcnow()),
    )


@bp.post("/language")
@requires("use_app")
def language():
    """Switch the signed-in user's language between Vietnamese and English."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        current_user.locale = lang
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


from . import admin  # noqa: E402,F401  (users and assignments pages on this blueprint)
