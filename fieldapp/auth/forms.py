"""Login form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ..forms import Form
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Stay signed in on this phone"), default=True)
