"""Leases: a named lock that one holder keeps only while it renews it (a heartbeat).

A worker that dies stops renewing, so its lease expires after `LEASE_SECONDS` and the next
one takes it over: nothing stays locked for ever. Register imports hold one per commune
(`import:<commune id>`); the job runner can hold its own with the same four calls.

    taken = leases.acquire(name, holder)      # None when someone else holds it (their name)
    with leases.heartbeat(name, holder):       # renews every third of the lease in a thread
        ...                                    # the work
    leases.release(holder)                     # in the transaction that commits the work

`acquire` commits at once (a lock must be visible to others before the work starts);
`release` only adds to the caller's transaction, so the work and the unlock land together.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import utcnow


class Lease(db.Model):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(80))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


@dataclass(frozen=True)
class Taken:
    """The lease is ours; `previous` is the holder whose lease had expired, if any."""

    previous: str | None = None


def ttl() -> timedelta:
    return timedelta(seconds=current_app.config["LEASE_SECONDS"])


def acquire(name: str, holder: str) -> Taken | str:
    """Take the lease (a `Taken`), or the name of its live holder. Commits."""
    now = utcnow()
    current = db.session.execute(sa.select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
    db.session.rollback()  # end the read before writing (SQLite)
    if current is None:
        try:
            db.session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=now + ttl()))
            db.session.commit()
            return Taken()
        except IntegrityError:  # taken between our look and our insert
            db.session.rollback()
            return _holder(name) or holder
    if current.expires_at > now:
        return current.holder
    taken = db.session.execute(sa.update(Lease).where(
        Lease.name == name, Lease.holder == current.holder, Lease.expires_at == current.expires_at,
    ).values(holder=holder, acquired_at=now, expires_at=now + ttl())).rowcount
    db.session.commit()
    return Taken(previous=current.holder) if taken else (_holder(name) or holder)


def _holder(name: str) -> str | None:
    found = db.session.scalar(sa.select(Lease.holder).where(Lease.name == name))
    db.session.rollback()
    return found


def renew(name: str, holder: str) -> bool:
    """Push the expiry on; False when the lease is no longer ours. Commits."""
    renewed = db.session.execute(sa.update(Lease).where(Lease.name == name, Lease.holder == holder)
                                 .values(expires_at=utcnow() + ttl())).rowcount
    db.session.commit()
    return renewed == 1


def release(holder: str, name: str | None = None) -> None:
    """Give up the holder's lease (`name`, or any), in the caller's transaction: the caller
    commits it with the work, so the work and the unlock land together."""
    where = Lease.holder == holder if name is None else sa.and_(Lease.holder == holder, Lease.name == name)
    db.session.execute(sa.delete(Lease).where(where))


@contextmanager
def heartbeat(name: str, holder: str):
    """Renew the lease every third of its length from a thread of its own while the block runs.
    On SQLite a renewal waits while the work itself holds the write lock; nobody else can take
    the lease then either (taking it is a write), so a missed beat is only tried again."""
    app, stop = current_app._get_current_object(), threading.Event()
    every = ttl().total_seconds() / 3

    def beat():
        with app.app_context():
            while not stop.wait(every):
                try:
                    renew(name, holder)
                except OperationalError:
                    db.session.rollback()
            db.session.remove()

    thread = threading.Thread(target=beat, name=f"lease-{name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(every + 10)
