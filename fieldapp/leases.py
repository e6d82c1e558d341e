"""Leases: a named lock that one holder keeps only while it renews it (a heartbeat).

The app's one lock mechanism. A job is leased by the worker running it (`job:<id>`, see
`jobs.services`); a register import holds its commune (`import:<commune id>`, held by its
run `run:<id>`, see `register.runs`), taken by the worker that runs it or by the command
line. A holder that dies stops renewing, so its leases expire after `LEASE_SECONDS` and the
next one takes over: the job is run again or failed, the commune is free for the next
import. Nothing stays locked for ever.

    taken = leases.acquire(name, holder)      # a Taken, or the name of the live holder
    with leases.heartbeat(name, holder):       # renews every third of the lease in a thread
        ...                                    # the work
    leases.release(holder)                     # in the transaction that commits the work

`acquire` commits at once (a lock must be visible to others before the work starts);
`grant` and `release` only add to the caller's transaction. A worker keeps one `Heartbeat`
for its life and holds in it the lease of the job it runs and any the job takes.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
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
    """The lease is ours; `previous` is another holder whose lease had expired, if any."""

    previous: str | None = None


def ttl() -> timedelta:
    return timedelta(seconds=current_app.config["LEASE_SECONDS"])


def named(prefix: str, key) -> sa.ColumnElement:
    """The SQL expression of the lease name `prefix` + key (a column): `named("job:", Job.id)`."""
    return sa.literal(prefix) + sa.cast(key, sa.String)


def live(name, now: datetime | None = None) -> sa.Exists:
    """A clause: the lease `name` (a string or an expression) is held and not expired."""
    return sa.exists().where(Lease.name == name, Lease.expires_at >= (now or utcnow()))


def acquire(name: str, holder: str) -> Taken | str:
    """Take the lease (a `Taken`), or the name of its live holder. Commits. A holder may take
    again a lease it holds (a job's next attempt, after the worker of the last one died)."""
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
    if current.expires_at > now and current.holder != holder:
        return current.holder
    taken = db.session.execute(sa.update(Lease).where(
        Lease.name == name, Lease.holder == current.holder, Lease.expires_at == current.expires_at,
    ).values(holder=holder, acquired_at=now, expires_at=now + ttl())).rowcount
    db.session.commit()
    if not taken:
        return _holder(name) or holder
    return Taken(previous=current.holder if current.holder != holder else None)


def _holder(name: str) -> str | None:
    found = db.session.scalar(sa.select(Lease.holder).where(Lease.name == name))
    db.session.rollback()
    return found


def holder_of(name: str) -> str | None:
    """Who holds the lease now (None when it is free or expired)."""
    return db.session.scalar(sa.select(Lease.holder).where(Lease.name == name, Lease.expires_at > utcnow()))


def grant(name: str, holder: str) -> None:
    """Give `holder` the lease in the caller's transaction, whoever had it: for a thing the
    caller has just claimed for itself (a queued job), whose last lease died with its holder."""
    db.session.execute(sa.delete(Lease).where(Lease.name == name))
    now = utcnow()
    db.session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=now + ttl()))
    db.session.flush()


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


class Heartbeat:
    """A thread that renews every lease held in it each third of `LEASE_SECONDS`, and calls
    `also()` at each beat (a worker's "still alive"), while a `with` block runs.

    On SQLite a renewal waits while the work itself holds the write lock; nobody else can take
    the lease then either (taking it is a write), so a missed beat is only tried again."""

    def __init__(self, app: Flask, also: Callable[[], None] | None = None):
        self.app, self.also = app, also
        self.every = app.config["LEASE_SECONDS"] / 3
        self._held: dict[str, str] = {}
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, name: str, holder: str) -> None:
        with self._mutex:
            self._held[name] = holder

    def drop(self, name: str | None = None) -> list[tuple[str, str]]:
        """Stop renewing `name` (or every lease); returns the (name, holder) pairs dropped."""
        with self._mutex:
            names = list(self._held) if name is None else [name] if name in self._held else []
            return [(n, self._held.pop(n)) for n in names]

    def beat(self) -> None:
        """Renew now; a lease that is no longer ours is dropped (and logged)."""
        with self._mutex:
            held = list(self._held.items())
        for name, holder in held:
            try:
                if not renew(name, holder):
                    current_app.logger.warning("%s lost the lease %s", holder, name)
                    self.drop(name)
            except SQLAlchemyError as exc:  # SQLite busy behind the work, or the database away
                db.session.rollback()
                current_app.logger.warning("lease %s not renewed: %s", name, exc)
        if self.also is not None:
            self.also()

    def __enter__(self) -> Heartbeat:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="lease-heartbeat", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(self.every + 10)

    def _run(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(self.every):
                self.beat()
            db.session.remove()


@contextmanager
def heartbeat(name: str, holder: str):
    """Hold and renew one lease (already acquired) while the block runs."""
    with Heartbeat(current_app._get_current_object()) as beats:
        beats.hold(name, holder)
        yield beats
