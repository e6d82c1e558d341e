"""The signed-in person's own account: change the password, see where the account is signed
in, and sign out of every device (a lost phone). Every role; anonymous callers go to the login."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, logout_user

from .. import nav
from ..accountability import audit
from ..extensions import db
from ..forms import Form
from . import sessions
from .forms import PasswordChangeForm
from .permissions import requires
from .routes import bp
from .services import set_password

nav.add("auth.account", _l("My account"), order=90)


@bp.route("/account", methods=["GET", "POST"])
@requires("use_app")
def account():
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
            return redirect(url_for(".account"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form, end_form=Form(),
                           open_sessions=sessions.open_sessions(current_user)), status


@bp.post("/account/sessions/end")
@requires("use_app")
def end_my_sessions():
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
    return redirect(url_for(".login"))
