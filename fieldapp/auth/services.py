"""Accounts and assignments: the writes behind the auth CLI and admin pages."""
from __future__ import annotations

import functools
import secrets
import unicodedata
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..register.models import Village
from ..labels import ROLES
from .models import Assignment, User


def normalise_username(username: str | None) -> str | None:
    """The one form of a username that limits, lookups and new accounts use: NFC, trimmed,
    case-folded; None when it holds control or invisible format characters."""
    text = unicodedata.normalize("NFC", username or "").strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return None
    return text.casefold()


def find_user(username: str) -> User | None:
    name = normalise_username(username)
    return db.session.scalar(sa.select(User).where(User.username == name)) if name else None


@functools.cache
def _stand_in_hash() -> str:
    """A hash made the way real ones are, checked when there is no account to check."""
    return generate_password_hash(secrets.token_hex(16))


def password_matches(user: User | None, password: str) -> bool:
    """Whether `user` may sign in with `password`. An unknown or disabled account costs the
    same hashing as a real one, so the time taken tells nobody which usernames exist."""
    if user is None or not user.active:
        check_password_hash(user.password_hash if user else _stand_in_hash(), password)
        return False
    return user.check_password(password)


def create_user(username: str, password: str, role: str, *, full_name: str = "",
                commune_id: int | None = None, title: str = "", password_hash: str | None = None) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user = User(username=normalise_username(username) or "", role=role, full_name=full_name,
                commune_id=commune_id, title=title)
    if password_hash:
        user.password_hash = password_hash
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str, keep=None) -> int:
    """A new password; every session of the account ends (but `keep`, this browser's when a
    person changes their own). How many ended."""
    from . import sessions

    user.set_password(password)
    return sessions.end_all(user, "password", keep=keep)


def assign(user: User, village: Village, starts_on: date, ends_on: date | None = None,
           by: User | None = None) -> Assignment:
    """Give `user` the village from `starts_on`; an open assignment to it ends the day before.

    Past rows are kept as they are, so "who answered for this village on a date" stays
    answerable. Audited here, by `by` (default the signed-in user; "cli" outside a request).
    """
    open_rows = db.session.scalars(
        sa.select(Assignment).where(
            Assignment.user_id == user.id,
            Assignment.village_id == village.id,
            Assignment.ends_on.is_(None),
        )
    )
    for row in open_rows:
        if row.starts_on >= starts_on:
            raise ValueError("an open assignment starts on or after that date")
        row.ends_on = starts_on - timedelta(days=1)
    assignment = Assignment(user_id=user.id, village_id=village.id, starts_on=starts_on,
                            ends_on=ends_on, created_by_id=by.id if by else None)
    db.session.add(assignment)
    db.session.flush()
    from ..accountability import audit

    audit.record("assignment_create", "assignment", assignment.id, user=by, user_name=user.username,
                 village=village.code, starts_on=starts_on.isoformat(),
                 ends_on=ends_on.isoformat() if ends_on else None)
    return assignment


def home_url(user: User) -> str:
    """Where `/` sends the user (see `auth.routes.home`)."""
    from flask import url_for

    from . import scoping

    if user.role not in ("officer", "village_head"):
        return url_for("coverage.dashboard")
    ids = db.session.scalars(scoping.village_ids(user).order_by(Assignment.village_id).limit(2)).all()
    if user.role == "village_head":
        return url_for("coverage.village", village_id=ids[0]) if ids else url_for("coverage.dashboard")
    return url_for("villages.show", village_id=ids[0]) if len(ids) == 1 else url_for("villages.index")
