"""Where an account is signed in, on a blueprint of its own (registered by `auth.routes`).

A person's own page (/account): change the password, see one's sessions, sign out of every
device (a lost phone). An admin on a user's page: sign that account out of every device.
Anonymous callers go to the login (the permission check before every request)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, logout_user

from .. import nav
from ..accountability import audit
from ..extensions import db
from ..forms import Form
from . import sessions
from .forms import PasswordChangeForm
from .models import User
from .permissions import requires
from .services import set_password

bp = Blueprint("account", __name__)
nav.add("account.index", _l("My account"), order=90)


@bp.route("/account", methods=["GET", "POST"])
@requires("use_app")
def index():
    """Change my password (the current one first); my other sessions end, this one stays."""
    form = PasswordChangeForm(account_username=current_user.username)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            ended = set_password(current_user, form.new_password.data, keep=g.user_session)
            sessions.renew_current()
            audit.record("password_change", "user", current_user.id, sessions=ended)
            db.session.commit()
            flash(_("Your password has been changed; your other devices were signed out."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form, end_form=Form(),
                           open_sessions=sessions.open_sessions(current_user)), status


@bp.post("/account/sessions/end")
@requires("use_app")
def end_sessions():
    """Sign out of every device, this one included; the page has sent what it could and wiped
    this phone's offline data first (as at logout), the others do at their next request."""
    if not Form().validate_on_submit():
        abort(400)
    ended = sessions.end_all(current_user, "revoked", keep=g.user_session)
    sessions.end_current("logout")
    audit.record("sessions_end", "user", current_user.id, sessions=ended + 1)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been signed out of every device."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/users/<int:user_id>/sessions/end")
@requires("manage_users")
def end_user_sessions(user_id: int):
    """Sign an account out of every device (a lost phone): each of its sessions ends, and each
    device wipes its offline data at its next request. 403 unless admin; 404 for an unknown
    account."""
    account = db.session.get(User, user_id) or abort(404)
    if not Form().validate_on_submit():
        abort(400)
    ended = sessions.end_all(account, "revoked")
    audit.record("sessions_end", "user", account.id, sessions=ended)
    db.session.commit()
    if account.id == current_user.id:
        return redirect(url_for("auth.login"))
    flash(_("%(name)s has been signed out of every device (%(n)s sessions).", name=account.username, n=ended), "success")
    return redirect(url_for("auth.user", user_id=account.id))
