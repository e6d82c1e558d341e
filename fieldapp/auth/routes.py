"""Login, logout and the session API the offline client asks before each send; users
(admin) and village assignments (commander, admin).

Users: create, change role, disable/enable, reset password — admins only (403 otherwise).
Assignments: commanders and admins give an officer, team member or village head a village
from a date (to a date or open); rows are never rewritten — a new assignment of the same
person to the same village ends their open one the day before, and "end" only sets the
last day of an open row. Other people's assignments to the village are left as they are
(a village has several team members). A village outside the caller's area answers 404.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf

from .. import nav, paging
from ..forms import Form
from ..accountability import audit
from ..backup import epoch
from ..extensions import db, reads_only
from ..labels import ROLES
from ..register.models import Village
from ..register.services import commune_or_only
from ..security import signed_out_answer
from ..timeutil import iso_utc, today_vn, utcnow
from . import account, scoping, sessions, throttle
from .forms import AssignForm, EndForm, LoginForm, NewUserForm, UserForm
from .models import Assignment, User
from .permissions import public, requires
from .services import assign, create_user, find_user, home_url, normalise_username, password_matches, set_password

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: state.app.register_blueprint(account.bp))  # /account, "sign out of every device"
USERS_PER_PAGE = 25
ASSIGNMENTS_PER_PAGE = 20

nav.add("auth.users", _l("Users"), order=64)
nav.add("auth.assignments", _l("Assignments"), order=62)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("auth.home")


@bp.get("/")
@public
@reads_only
def home():
    """Each role's home: officers their villages (the village itself when they have one),
    a village head his village's coverage, commanders, province staff and admins the
    dashboard; anonymous visitors the login page. Never a 404."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_url(current_user))


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
    """Who is signed in, a fresh CSRF token, the server clock, the restore epoch and how long
    phones keep acknowledged entries (days); 401 JSON when nobody is."""
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
        epoch=epoch.current(),
        keep_sent_days=current_app.config["SYNC_KEEP_SENT_DAYS"],
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


def _managed_users() -> sa.Select:
    return (sa.select(User).where(User.id.in_(scoping.user_ids(current_user)))
            .order_by(User.role, User.username))


@bp.route("/users/", methods=["GET", "POST"])
@requires("manage_users")
def users():
    """Every account (25 a page, `?role=` filters), and the form to create one.

    403 unless admin; a malformed `?page=` answers 400, one past the end 404."""
    form = NewUserForm()
    if form.validate_on_submit():
        if find_user(form.username.data):
            form.username.errors.append(_("This username is taken."))
        else:
            user = create_user(form.username.data, form.password.data, form.role.data, full_name=form.full_name.data,
                               title=form.title.data, commune_id=commune_or_only(current_user.commune_id))
            audit.record("user_create", "user", user.id, role=user.role)
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for(".users"))
    status = 422 if form.is_submitted() else 200
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    query = _managed_users().where(User.role == role) if role else _managed_users()
    page = paging.of_select(query, USERS_PER_PAGE)
    return render_template("auth/users.html", form=form, users=page.items, page=page, role=role), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def user(user_id: int):
    """Change a user's name, role, active flag, or set a new password (403 unless admin)."""
    account = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=account, account_username=account.username)
    if form.validate_on_submit():
        if account.id == current_user.id and (not form.active.data or form.role.data != "admin"):
            form.role.errors.append(_("You cannot disable yourself or remove your own admin role."))
        else:
            changed = [f for f in ("full_name", "title", "role", "active") if getattr(account, f) != getattr(form, f).data]
            for name in changed:
                setattr(account, name, getattr(form, name).data)
            if form.new_password.data:  # the account's sessions end; one's own browser stays in
                own = account.id == current_user.id
                set_password(account, form.new_password.data, keep=g.user_session if own else None)
                if own:
                    sessions.renew_current()
                changed.append("password")
            if not account.active:
                sessions.end_all(account, "disabled")
            audit.record("user_update", "user", account.id, fields=changed)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".users"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/user.html", form=form, account=account,
                           open_sessions=sessions.open_sessions(account), end_form=Form()), status


@bp.route("/assignments/", methods=["GET", "POST"])
@requires("assign")
def assignments():
    """Who answers for which village (20 rows a page), with the full history; the form to assign.

    403 unless admin or commander; a `?village=` outside the caller's area answers 404, a
    malformed `?page=` 400, one past the end 404."""
    villages = db.session.scalars(scoping.villages(current_user)).all()
    people = db.session.scalars(_managed_users().where(User.role.in_(("officer", "village_head")), User.active)).all()
    form = AssignForm(villages=villages, people=people)
    if form.validate_on_submit():
        village = scoping.get_village(current_user, form.village.data)
        person = next(p for p in people if p.id == form.user.data)
        try:
            assign(person, village, form.starts_on.data, form.ends_on.data, by=current_user)
        except ValueError:
            form.starts_on.errors.append(_("%(name)s already has an assignment to this village starting on or "
                                           "after that day.", name=person.username))
        else:
            db.session.commit()
            flash(_("%(name)s assigned to %(village)s.", name=person.username, village=village.code), "success")
            return redirect(url_for(".assignments", village=village.id))
    return _render_assignments(form, villages), 422 if form.is_submitted() else 200


def _render_assignments(form, villages):
    village_id = request.args.get("village", type=int)
    query = (sa.select(Assignment).join(Village).where(Assignment.village_id.in_(scoping.village_ids(current_user)))
             .order_by(Village.code, Assignment.starts_on.desc(), Assignment.id.desc()))
    if village_id:  # one village: its whole history (404 outside the caller's area)
        query = query.where(Assignment.village_id == scoping.get_village(current_user, village_id).id)
    else:  # all villages: who answers today and who will
        query = query.where(sa.or_(Assignment.ends_on.is_(None), Assignment.ends_on >= today_vn()))
    page = paging.of_select(query, ASSIGNMENTS_PER_PAGE)
    return render_template("auth/assignments.html", form=form, rows=page.items, page=page, villages=villages,
                           village_id=village_id, end_form=EndForm(), today=today_vn())


@bp.post("/assignments/<int:assignment_id>/end")
@requires("assign")
def end_assignment(assignment_id: int):
    """Set the last day of an open assignment (kept in the history); 403 unless admin or
    commander, 404 outside the caller's area."""
    row = db.session.get(Assignment, assignment_id) or abort(404)
    scoping.get_village(current_user, row.village_id)
    form = EndForm()
    if not form.validate_on_submit() or row.ends_on is not None or form.ends_on.data < row.starts_on:
        abort(400, _("Give a last day on or after the first day of an open assignment."))
    row.ends_on = form.ends_on.data
    audit.record("assignment_end", "assignment", row.id, ends_on=row.ends_on.isoformat())
    db.session.commit()
    flash(_("Assignment ended."), "success")
    return redirect(url_for(".assignments", village=row.village_id))
