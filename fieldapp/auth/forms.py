"""Login form, the form a person changes their own password with, and the forms of the users
and assignments pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from ..forms import Form, VnDateField
from ..labels import ROLES
from ..timeutil import today_vn
from .passwords import PasswordRule


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Stay signed in on this phone"), default=True)


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password.")),
                                                                 Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password.")),
                                                                 PasswordRule()])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(_l("Enter the new password again.")),
        EqualTo("new_password", message=_l("The two new passwords differ."))])

    def __init__(self, *args, account_username: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_username = account_username


class UserForm(Form):
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("Role"), choices=ROLES.choices)
    active = BooleanField(_l("Active (may sign in)"))
    new_password = PasswordField(_l("New password (leave empty to keep)"), validators=[Optional(), PasswordRule()])

    def __init__(self, *args, account_username: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_username = account_username


class NewUserForm(Form):
    username = StringField(_l("Username"), validators=[
        DataRequired(_l("Enter a username.")), Length(min=3, max=40, message=_l("3 to 40 characters.")),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters without diacritics, digits, . _ - only."))])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("Role"), choices=ROLES.choices)
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password.")), PasswordRule()])


class AssignForm(Form):
    user = SelectField(_l("Person"), coerce=int)
    village = SelectField(_l("Village"), coerce=int)
    starts_on = VnDateField(_l("From"), default=today_vn, validators=[InputRequired(_l("Enter the first day."))])
    ends_on = VnDateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, villages=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.village.choices = [(v.id, f"{v.code} · {v.name}") for v in villages]
        self.user.choices = [(p.id, f"{p.username} · {p.display_name}") for p in people]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day is before the first day."))


class EndForm(Form):
    ends_on = VnDateField(_l("Last day"), validators=[InputRequired(_l("Enter the last day."))])
