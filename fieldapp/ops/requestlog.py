"""One log line per request: its id, method, path, status, duration and who asked.

The id comes from the reverse proxy's `X-Request-ID` when it sends one (so the proxy's log
and ours name the same request), else a new one; it is answered in `X-Request-ID` and put on
error pages' log lines. The user is the signed-in account's id and name when the request
loaded it (the id alone when a commit has expired the name), else the id in the session
cookie, else "-" (never a query just to log)."""
from __future__ import annotations

import logging
import re
import time
import uuid

import sqlalchemy as sa
from flask import Flask, g, request, session

log = logging.getLogger("fieldapp.requests")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def request_id() -> str:
    return g.get("request_id", "-")


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _user() -> str:
    """From memory only. After the view's commit the account's attributes are expired, and
    reading them would load them again: a new transaction, which on SQLite waits for the write
    lock behind other phones' syncs and can turn a stored batch into a 500."""
    user = g.get("_login_user")  # set by Flask-Login once the request asked for it
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    if state is not None and state.identity:  # a signed-in account (the anonymous user is not mapped)
        name = state.dict.get("username")  # absent once expired: the id alone then
        return f"{state.identity[0]}:{name}" if name else str(state.identity[0])
    return str(session.get("_user_id", "-")) if session else "-"


def _finish(response):
    response.headers.setdefault("X-Request-ID", request_id())
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started else 0.0
    log.info("request id=%s method=%s path=%s status=%s ms=%.1f user=%s ip=%s",
             request_id(), request.method, request.path, response.status_code, duration,
             _user(), request.remote_addr or "-")
    return response


def init_app(app: Flask) -> None:
    app.logger.setLevel(app.config["LOG_LEVEL"].upper())  # "fieldapp", with Flask's stderr handler
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first, to time the rest
    app.after_request(_finish)
