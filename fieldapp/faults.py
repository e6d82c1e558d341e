"""Failures that pass: which errors are transient, how long to wait, and logging them sparingly.

A transient failure (a deadlock, a serialisation failure, a lock wait that timed out, a full
disk, a database that cannot be reached or written) is never a final answer: the request
answers 503 with `Retry-After` and keeps nothing, so the phone sends the same entries again.
Only content the server will never accept is refused (`quarantined`).

While the database is down every request fails the same way; one traceback per kind of
failure per minute is enough for whoever reads the log (`log_failure`).
"""
from __future__ import annotations

import errno
import sqlite3
import threading
import time
from logging import Logger

from sqlalchemy import exc as sa_exc

# SQLite result codes (the low byte of an extended code) that pass or need an operator,
# never a change of the request: busy, locked, read-only file, I/O error, disk full,
# cannot open, lock protocol.
SQLITE_TRANSIENT = {5: "busy", 6: "locked", 8: "readonly", 10: "ioerr", 13: "full", 14: "cantopen",
                    15: "protocol"}
# PostgreSQL SQLSTATE classes and codes of the same kind: connection exceptions (08),
# transaction rollback — serialisation failure, deadlock — (40), insufficient resources
# such as a full disk (53), operator intervention — shutdown, cancelled by timeout — (57),
# system errors (58), and lock_not_available (55P03, a lock_timeout).
PG_TRANSIENT_CLASSES = ("08", "40", "53", "57", "58")
PG_TRANSIENT_CODES = ("55P03", "55006")
OS_TRANSIENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
QUICK = {"40001", "40P01", "55P03", "55006", "busy", "locked"}  # contention: retry in seconds

WINDOW_S = 60
_logged: dict[str, list] = {}  # kind → [monotonic time of the last traceback, failures since]
_lock = threading.Lock()


def _orig(exc: BaseException) -> BaseException:
    return getattr(exc, "orig", None) or exc


def kind(exc: BaseException) -> str:
    """A short name for the failure: SQLSTATE, SQLite code name, errno, or the class."""
    orig = _orig(exc)
    if isinstance(orig, sqlite3.Error) and getattr(orig, "sqlite_errorcode", None) is not None:
        return SQLITE_TRANSIENT.get(orig.sqlite_errorcode & 0xFF, f"sqlite{orig.sqlite_errorcode}")
    if sqlstate := getattr(orig, "sqlstate", None):
        return sqlstate
    if isinstance(orig, OSError) and orig.errno:
        return errno.errorcode.get(orig.errno, str(orig.errno))
    return type(orig).__name__


def is_transient(exc: BaseException) -> bool:
    """True when trying the same request again later can succeed."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection free in time
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    orig = _orig(exc)
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in SQLITE_TRANSIENT
    if type(orig).__module__.startswith("psycopg"):
        return _pg_transient(orig)
    return isinstance(orig, OSError) and orig.errno in OS_TRANSIENT


def _pg_transient(orig: BaseException) -> bool:
    import psycopg

    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:  # refused, reset or timed out before the server said anything
        return isinstance(orig, (psycopg.OperationalError, psycopg.InterfaceError))
    return sqlstate.startswith(PG_TRANSIENT_CLASSES) or sqlstate in PG_TRANSIENT_CODES


def retry_after(exc: BaseException) -> int:
    """Seconds to wait: a few after contention, half a minute when the database is away."""
    return 2 if kind(exc) in QUICK else 30


def log_failure(logger: Logger, exc: BaseException, message: str) -> None:
    """Log `message` with its traceback once per kind of failure per minute; the same failure
    again within the minute is counted and named in the next traceback of its kind."""
    key, now = f"{type(_orig(exc)).__name__}:{kind(exc)}", time.monotonic()
    with _lock:
        last = _logged.setdefault(key, [float("-inf"), 0])
        if now - last[0] < WINDOW_S:
            last[1] += 1
            return
        repeats, last[:] = last[1], [now, 0]
    suffix = f" (and {repeats} more like it in the last minute)" if repeats else ""
    logger.error("%s [%s]%s", message, kind(exc), suffix, exc_info=exc)
