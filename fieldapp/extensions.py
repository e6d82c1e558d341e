"""Extension objects, created unbound and attached to the app in `init_app`."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
import sqlalchemy as sa
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = HTMX()
compress = Compress()


BUSY_TIMEOUT_MS = 5000  # how long a SQLite writer waits for the lock before "database is locked"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL for concurrent readers, enforced foreign keys, and patience with writers."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "connect")
def _postgresql_session(dbapi_connection, _record) -> None:
    """A backend whose client died (a killed worker in the middle of an import) notices within
    seconds and rolls back, instead of holding its row locks while it waits on another lock."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        with dbapi_connection.cursor() as cur:
            cur.execute("SET client_connection_check_interval = '5s'")
        dbapi_connection.commit()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    # In a request, IMMEDIATE: a request that reads and then writes (most do: audit events)
    # takes the write lock up front and waits its turn (busy_timeout). A deferred BEGIN fails
    # at once with "database is locked" when another request committed between its first
    # read and its write. Commands and migrations keep the deferred BEGIN, and so do views
    # marked `reads_only` (between their `writing()` blocks) and an error page drawn after
    # the lock timed out (`g.read_only`). A view marked `waits_at_most` waits less for the
    # lock (then answers 503 with Retry-After: errors.py).
    if conn.dialect.name == "sqlite":
        in_request = has_request_context()
        wait = g.get("lock_wait_ms") if in_request else None
        if conn.info.get("lock_wait_ms") != wait:  # the pooled connection remembers its setting
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait or BUSY_TIMEOUT_MS)}")
            conn.info["lock_wait_ms"] = wait
        immediate = in_request and not g.get("read_only")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def reads_only(view):
    """Mark a view that never writes (no audit event either): on SQLite its transaction
    begins deferred, so it reads its WAL snapshot at once instead of queueing behind writers
    for the write lock (a busy morning of syncs answered these with 503 after the timeout).
    Put it directly under the route decorator."""
    view.reads_only = True
    return view


def waits_at_most(milliseconds: int):
    """Mark a view that waits at most this long for SQLite's write lock (a sync during a
    register import): longer, and it answers 503 with Retry-After instead of holding the
    phone. Put it directly under the route decorator."""
    def mark(view):
        view.lock_wait_ms = milliseconds
        return view
    return mark


@contextmanager
def writing():
    """In a `reads_only` view that ends with a short write (an audit event): end the read
    snapshot, write in a transaction of its own (on SQLite it takes the write lock only
    now), commit, and read on without the lock. Long reads never hold up the writers."""
    db.session.commit()  # nothing written yet: this only ends the read transaction
    g.read_only = False
    try:
        yield
        db.session.commit()
    finally:
        g.read_only = True


def _mark_read_only() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "reads_only", False):
        g.read_only = True
    if wait := getattr(view, "lock_wait_ms", None):
        g.lock_wait_ms = wait


def on_this_database(obj, _name, _type, _reflected, _compare_to) -> bool:
    """Alembic's autogenerate compares only what this database has: an index made on one
    dialect only (`ddl_if`, e.g. PostgreSQL's covering index) is not missing elsewhere."""
    only = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
    return only is None or db.engine.dialect.name in ((only,) if isinstance(only, str) else only)


def init_app(app: Flask) -> None:
    from . import ROOT

    app.before_request(_mark_read_only)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, include_object=on_this_database)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)


LOADED_TABLES = ("households", "visits", "visit_topics")


def refresh_statistics(tables: tuple[str, ...] = LOADED_TABLES) -> None:
    """After a bulk load (call before its commit), let PostgreSQL's planner see the new rows
    at once: stale statistics right after a load turned the coverage query from 60 ms into
    1.3 s, and autovacuum comes later. ANALYZE counts the transaction's own new rows. Only
    the `tables` the load wrote (of LOADED_TABLES): on a province, each one is a second."""
    if db.engine.dialect.name == "postgresql" and tables:
        db.session.execute(sa.text("ANALYZE " + ", ".join(t for t in LOADED_TABLES if t in tables)))
