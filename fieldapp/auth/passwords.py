"""The password rule, in one place: the account forms, the admin's reset and the CLI read it.

At least 10 characters, not only spaces, not one of the common passwords that attackers try
first (the 30,000 of the maintained `zxcvbn` package's list), and not containing the
username. The demo accounts' `demo1234` is seeded as a hash, outside this rule.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 200


def _common() -> dict[str, int]:
    from zxcvbn.matching import RANKED_DICTIONARIES

    return RANKED_DICTIONARIES["passwords"]


def problem(password: str, username: str = "") -> object | None:
    """Why `password` may not be used (a message for a person), or None when it may."""
    if len(password) < MIN_LENGTH:
        return _l("At least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("At most %(n)d characters.", n=MAX_LENGTH)
    if not password.strip():
        return _l("A password cannot be only spaces.")
    if password.casefold() in _common():
        return _l("This password is one of the most common ones; choose another.")
    name = (username or "").strip().casefold()
    if name and name in password.casefold():
        return _l("The password must not contain the username.")
    return None


class PasswordRule:
    """WTForms validator for the rule above. The username is the form's `username` field, or
    the form's `account_username` (a form about an existing account)."""

    def __call__(self, form, field):
        if not field.data:
            return
        username = form.username.data if "username" in form else getattr(form, "account_username", "")
        message = problem(field.data, username or "")
        if message is not None:
            raise ValidationError(str(message))
