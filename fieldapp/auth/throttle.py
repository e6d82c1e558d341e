"""Failed sign-ins, counted in the database so every worker and every server sees the same
count: per account (LOGIN_RATE_LIMIT) and per address (LOGIN_ADDRESS_RATE_LIMIT), each a
list of "N per minute;M per hour" windows. One row per failure; rows older than the longest
window are deleted by the hourly `auth_upkeep` job (`sweep`), not by the sign-in that fails."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from limits import parse_many
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class SignInFailure(db.Model):
    __tablename__ = "sign_in_failures"
    __table_args__ = (sa.Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


SETTINGS = ("LOGIN_RATE_LIMIT", "LOGIN_ADDRESS_RATE_LIMIT")  # the account's limit, the address's


def keys(username: str, address: str) -> dict[str, str]:
    """{key: setting}: the account's and the address's counters."""
    return dict(zip((f"user:{username}"[:100], f"addr:{address}"[:100]), SETTINGS))


def _windows(setting: str) -> list[tuple[int, int]]:
    """[(attempts, seconds)] of a setting such as "5 per minute;20 per hour"."""
    return [(item.amount, item.get_expiry()) for item in parse_many(current_app.config[setting])]


def wait_seconds(counters: dict[str, str]) -> int | None:
    """Seconds until a sign-in may be tried again, or None when every counter is under its limits."""
    now, waits = utcnow(), []
    for key, setting in counters.items():
        for attempts, seconds in _windows(setting):
            recent = db.session.scalars(
                sa.select(SignInFailure.at).where(SignInFailure.key == key, SignInFailure.at > now - timedelta(seconds=seconds))
                .order_by(SignInFailure.at.desc()).limit(attempts)).all()
            if len(recent) >= attempts:  # the oldest of them must leave the window first
                waits.append(int((recent[-1] + timedelta(seconds=seconds) - now).total_seconds()) + 1)
    return max(waits) if waits else None


def failed(counters: dict[str, str]) -> None:
    """Count a failed sign-in on every counter (the caller commits)."""
    now = utcnow()
    db.session.execute(sa.insert(SignInFailure), [{"key": key, "at": now} for key in counters])


def sweep(now: datetime | None = None) -> int:
    """Delete failures older than the longest window of any limit (they count no more);
    how many went. The caller commits."""
    longest = max(seconds for setting in SETTINGS for _n, seconds in _windows(setting))
    before = (now or utcnow()) - timedelta(seconds=longest)
    return db.session.execute(sa.delete(SignInFailure).where(SignInFailure.at < before)).rowcount


def succeeded(username_key: str) -> None:
    """A right password clears the account's count (not the address's)."""
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.key == username_key))
