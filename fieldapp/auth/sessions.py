"""Server-side sign-in sessions: the one place that says whether a cookie still signs someone in.

At sign-in `begin` empties the Flask session (nothing from before the sign-in survives: the
session id changes) and keeps a random `sid` in it; the `UserSession` row stores only the
sid's SHA-256. Before every request `load` finds the row by that hash and refuses it when it
has ended, the account is disabled, it has been idle longer than the role allows
(`SESSION_IDLE_MINUTES`, `ADMIN_SESSION_IDLE_MINUTES`) or is older than `SESSION_MAX_DAYS`.
So a cookie copied before a logout, a password change or a disable signs nobody in.

"Stay signed in" adds a remember cookie: another random token, hashed on the same row, that
signs the browser in again after it dropped its session cookie. Each use replaces both tokens,
and it dies with its row. Flask-Login's own remember cookie (a signed user id that nothing
could revoke) is never set nor honoured.

A row ended on purpose to lock a device out ("sign out of every device", a disabled account)
answers `session_ended`: the offline client then wipes the phone's offline data as at logout.
An idle or expired one answers `session_expired`: the client keeps its unsent entries and asks
the officer to sign in again.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import login_user
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..text import strip_controls
from ..timeutil import utcnow
from .models import User, UserSession

SID = "sid"
REMEMBER_COOKIE = "tn_remember"
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often
WIPING_ENDS = ("revoked", "disabled")  # the device must forget what it holds
EXPIRED_ENDS = ("idle", "expired", "password")  # sign in again; unsent entries stay
QUIET_ENDPOINTS = ("static",)  # never need to know who asks


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit(user: User) -> timedelta:
    key = "ADMIN_SESSION_IDLE_MINUTES" if user.role == "admin" else "SESSION_IDLE_MINUTES"
    return timedelta(minutes=current_app.config[key])


def problem(row: UserSession | None, now: datetime) -> str | None:
    """Why the row signs nobody in any more, or None while it does."""
    if row is None:
        return "unknown"
    if row.ended_at is not None:
        return row.end_reason or "ended"
    if not row.user.active:
        return "disabled"
    if now >= row.expires_at:
        return "expired"
    if now - row.last_seen_at > idle_limit(row.user):
        return "idle"
    return None


def begin(user: User, remember: bool) -> UserSession:
    """Sign `user` in on this browser: a new Flask session, a new row, new tokens."""
    session.clear()
    sid, now = secrets.token_urlsafe(32), utcnow()
    row = UserSession(user_id=user.id, sid_hash=_digest(sid), created_at=now, last_seen_at=now,
                      expires_at=now + timedelta(days=current_app.config["SESSION_MAX_DAYS"]),
                      user_agent=strip_controls(request.user_agent.string or "")[:200],
                      ip=(request.remote_addr or "")[:45])
    g.remember_cookie = ""  # a remember cookie of an earlier sign-in goes
    if remember:
        token = secrets.token_urlsafe(32)
        row.remember_hash = _digest(token)
        g.remember_cookie = token
    db.session.add(row)
    db.session.flush()
    session[SID] = sid
    login_user(user)
    g.user_session = row
    return row


def end_current(reason: str = "logout") -> None:
    """End this browser's row (logout); the caller commits."""
    row = g.get("user_session")
    if row is not None:
        _end(UserSession.id == row.id, reason)
    g.remember_cookie = ""


def end_all(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every open row of `user` (but `keep`); how many. The caller commits."""
    where = UserSession.user_id == user.id
    if keep is not None:
        where = sa.and_(where, UserSession.id != keep.id)
    return _end(where, reason)


def renew_current() -> None:
    """A new sid for this browser's row (after a password change it stays signed in)."""
    row = g.get("user_session")
    if row is None:
        return
    sid = secrets.token_urlsafe(32)
    row.sid_hash = _digest(sid)
    session[SID] = sid


def _end(where, reason: str) -> int:
    statement = (sa.update(UserSession).where(where, UserSession.ended_at.is_(None))
                 .values(ended_at=utcnow(), end_reason=reason).execution_options(synchronize_session=False))
    return db.session.execute(statement).rowcount


def open_sessions(user: User) -> list[UserSession]:
    """The rows that still sign `user` in somewhere, most recently used first."""
    now = utcnow()
    rows = db.session.scalars(sa.select(UserSession).options(joinedload(UserSession.user))
                              .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                              .order_by(UserSession.last_seen_at.desc())).all()
    return [r for r in rows if problem(r, now) is None]


def _find(where) -> UserSession | None:
    return db.session.scalar(sa.select(UserSession).options(joinedload(UserSession.user)).where(where))


def load() -> None:
    """Before each request: the row this browser is signed in with (`g.user_session`), or
    why it is not (`g.session_ended`)."""
    g.user_session = g.session_ended = None
    if request.endpoint in QUIET_ENDPOINTS:
        return
    now = utcnow()
    if sid := session.get(SID):
        row = _find(UserSession.sid_hash == _digest(str(sid)))
        reason = problem(row, now)
        if reason is None:
            g.user_session = row
            if now - row.last_seen_at >= TOUCH_EVERY:
                _write(sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
            return
        _refuse(row, reason)
    if token := request.cookies.get(REMEMBER_COOKIE):
        _revive(str(token), now)


def _refuse(row: UserSession | None, reason: str) -> None:
    """Sign nobody in with this cookie; a row found dead for the first time is ended."""
    g.session_ended = reason
    for key in ("_user_id", "_fresh", "_id"):
        session.pop(key, None)
    if row is None:
        session.pop(SID, None)
    elif row.ended_at is None:
        _write(sa.update(UserSession).where(UserSession.id == row.id).values(ended_at=utcnow(), end_reason=reason))
    if row is not None and request.cookies.get(REMEMBER_COOKIE):
        g.remember_cookie = ""


def _revive(token: str, now: datetime) -> None:
    """Sign in again with a remember token, replacing it and the sid. An unknown token (one
    a request racing this one has just replaced) is left alone."""
    row = _find(UserSession.remember_hash == _digest(token))
    if row is None:
        return
    reason = problem(row, now)
    if reason is not None:
        _refuse(row, reason)
        return
    sid, fresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    user_id = row.user_id
    _write(sa.update(UserSession).where(UserSession.id == row.id).values(
        sid_hash=_digest(sid), remember_hash=_digest(fresh), last_seen_at=now))
    session.clear()
    session.update({SID: sid, "_user_id": str(user_id), "_fresh": False})
    g.user_session, g.remember_cookie = _find(UserSession.id == row.id), fresh


def _write(statement) -> None:
    """A short write of its own before the view runs: on SQLite it takes the write lock now,
    even in a `reads_only` view, whose read transaction then begins afresh."""
    db.session.commit()  # ends the read this request has done so far
    was = g.get("read_only")
    g.read_only = False
    try:
        db.session.execute(statement.execution_options(synchronize_session=False))
        db.session.commit()
    finally:
        g.read_only = was


def user_for(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of this request's live row, else nobody."""
    row = g.get("user_session")
    if row is not None and str(row.user_id) == str(user_id):
        return row.user
    return None


def set_cookies(response):
    """After each request: write or delete the remember cookie when it changed."""
    token = g.get("remember_cookie")
    if token is None:
        return response
    config = current_app.config
    if token:
        response.set_cookie(REMEMBER_COOKIE, token, max_age=int(timedelta(days=config["SESSION_MAX_DAYS"]).total_seconds()),
                            secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    else:
        response.delete_cookie(REMEMBER_COOKIE, secure=config["SESSION_COOKIE_SECURE"], httponly=True,
                               samesite="Lax")
    return response
