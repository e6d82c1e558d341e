"""Login, logout and the session API the offline client asks before each send."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..accountability import audit
from ..extensions import db, reads_only
from ..timeutil import iso_utc, utcnow
from ..security import signed_out_answer
from . import sessions, throttle
from .forms import LoginForm
from .permissions import public, requires
from .services import find_user, normalise_username, password_matches

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("villages.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in. Failed attempts are counted per account and per address in the database
    (`auth.throttle`); past a limit the form answers 429 with Retry-After, before any password
    is checked."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        # As typed (the form drops control characters; here they refuse the sign-in).
        username = normalise_username(request.form.get("username")) or "\ufffd"
        counters = throttle.keys(username, request.remote_addr or "")
        if (wait := throttle.wait_seconds(counters)) is not None:
            db.session.rollback()
            return render_template("auth/login.html", form=form, wait=wait), 429, {"Retry-After": str(wait)}
        user = find_user(username)
        if password_matches(user, form.password.data):
            throttle.succeeded(next(iter(counters)))
            sessions.begin(user, remember=form.remember.data)
            audit.record("login", "user", user.id, user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        throttle.failed(counters)
        audit.record("login_failed", "user", user.id if user else "", username=username[:40])
        db.session.commit()
        form.password.errors.append(_("Wrong username or password."))
    status = 200 if request.method == "GET" or not form.errors else 401
    wipe = g.get("session_ended") in sessions.WIPING_ENDS
    return render_template("auth/login.html", form=form, wipe=wipe,
                           ended=signed_out_answer()[1] if wipe else None), status


@bp.post("/logout")
@requires("use_app")
def logout():
    """Sign out (POST with CSRF); the page clears offline data before it posts here. The
    session's row ends, so a copy of its cookies signs nobody in."""
    audit.record("logout", "user", current_user.id)
    sessions.end_current("logout")
    db.session.commit()
    logout_user()
    session.clear()
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


from . import account, admin  # noqa: E402,F401  (account, users and assignments pages on this blueprint)
