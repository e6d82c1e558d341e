"""People and where they work: users with a role, and dated village assignments."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[str] = mapped_column(sa.String(20))
    # Team members of Tổ bảo vệ ANTT are officers in role; `title` says which they are.
    title: Mapped[str] = mapped_column(sa.String(60), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(15))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communes.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="user", foreign_keys="Assignment.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Assignment(db.Model):
    """A user answers for a village from `starts_on` to `ends_on` (inclusive; open if None).

    Rows are never rewritten: a change closes the open row and adds a new one.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_order"),
        sa.Index("ix_assignments_village_dates", "village_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="assignments", foreign_keys=[user_id])
    village = relationship("Village")

    @hybrid_method
    def covers(self, day: date) -> bool:
        """The assignment covers the day `day` (Python, and SQL on the class)."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @covers.expression
    @classmethod
    def _covers(cls, day: date):
        return sa.and_(cls.starts_on <= day, sa.or_(cls.ends_on.is_(None), cls.ends_on >= day))

    @hybrid_method
    def overlaps(self, first: date, last: date) -> bool:
        """The assignment covers some day from `first` to `last`."""
        return self.starts_on <= last and (self.ends_on is None or self.ends_on >= first)

    @overlaps.expression
    @classmethod
    def _overlaps(cls, first: date, last: date):
        return sa.and_(cls.starts_on <= last, sa.or_(cls.ends_on.is_(None), cls.ends_on >= first))


class UserSession(db.Model):
    """One signed-in browser or phone: the server's half of a sign-in (see `auth.sessions`).

    The cookie carries random tokens; this row holds only their SHA-256. A row never comes
    back to life: once `ended_at` is set (logout, "sign out of every device", a password
    change, a disabled account, idle or too old) its cookie and remember token are dead.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")

    user: Mapped[User] = relationship()
