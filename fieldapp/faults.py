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

# Why a request cannot be done now, by kind: "busy" (locked, deadlocked, too many
# connections: retry in seconds), "storage" (disk full, read-only, I/O error: an operator
# must act), "database" (it cannot be reached). Phones wait Retry-After, then send again.
RETRY_AFTER = {"busy": 2, "database": 30, "storage": 60}  # seconds
# SQLite result codes (the low byte of an extended code).
SQLITE_CODES = {5: ("busy", "busy"), 6: ("locked", "busy"), 8: ("readonly", "storage"),
                10: ("ioerr", "storage"), 13: ("full", "storage"), 14: ("cantopen", "database"),
                15: ("protocol", "busy")}
# PostgreSQL SQLSTATE prefixes, most specific first: too many connections, statement or lock
# timeouts, serialisation failures and deadlocks (busy); a read-only transaction, a full disk,
# system errors (storage); connection exceptions and shutdowns (database).
PG_STATES = (("53300", "busy"), ("57014", "busy"), ("55P03", "busy"), ("55006", "busy"), ("40", "busy"),
             ("25006", "storage"), ("53", "storage"), ("58", "storage"), ("57", "database"), ("08", "database"))
SQLITE_TEXTS = {"locked": "busy", "full": "storage", "readonly": "storage", "disk i/o": "storage",
                "unable to open": "database"}  # errors raised without a result code
OS_ERRNOS = {errno.ENOSPC: "storage", errno.EDQUOT: "storage", errno.EROFS: "storage", errno.EIO: "storage"}

WINDOW_S = 60
_logged: dict[str, list] = {}  # kind → [monotonic time of the last traceback, failures since]
_lock = threading.Lock()


def _orig(exc: BaseException) -> BaseException:
    return getattr(exc, "orig", None) or exc


def kind(exc: BaseException) -> str:
    """A short name for the failure in the log: SQLSTATE, SQLite code name, errno, or the class."""
    orig = _orig(exc)
    if isinstance(orig, sqlite3.Error) and getattr(orig, "sqlite_errorcode", None) is not None:
        return SQLITE_CODES.get(orig.sqlite_errorcode & 0xFF, (f"sqlite{orig.sqlite_errorcode}",))[0]
    if sqlstate := getattr(orig, "sqlstate", None):
        return sqlstate
    if isinstance(orig, OSError) and orig.errno:
        return errno.errorcode.get(orig.errno, str(orig.errno))
    return type(orig).__name__


def unavailable(exc: BaseException) -> str | None:
    """Why the request cannot be done now ("busy", "storage", "database"), or None when
    trying the same request again cannot help (a bug, a refused value)."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection free in time
        return "busy"
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return "database"
    orig = _orig(exc)
    if isinstance(orig, sqlite3.Error):
        return _sqlite(orig)
    if type(orig).__module__.startswith("psycopg"):
        return _postgresql(orig)
    return OS_ERRNOS.get(orig.errno) if isinstance(orig, OSError) else None


def _sqlite(orig: sqlite3.Error) -> str | None:
    code = getattr(orig, "sqlite_errorcode", None)
    if code is None:
        return next((why for text, why in SQLITE_TEXTS.items() if text in str(orig).lower()), None)
    return SQLITE_CODES.get(code & 0xFF, (None, None))[1]


def _postgresql(orig: BaseException) -> str | None:
    import psycopg

    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:  # refused, reset or timed out before the server said anything
        return "database" if isinstance(orig, (psycopg.OperationalError, psycopg.InterfaceError)) else None
    return next((why for prefix, why in PG_STATES if sqlstate.startswith(prefix)), None)


def is_transient(exc: BaseException) -> bool:
    """True when trying the same request again later can succeed."""
    return unavailable(exc) is not None


def retry_after(exc: BaseException) -> int:
    """Seconds to wait: a few after contention, half a minute when the database is away, a
    minute when its disk needs an operator."""
    return RETRY_AFTER.get(unavailable(exc) or "database", 30)


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
