"""What /readyz checks: the database answers, its schema is the code's, a worker is alive."""
from __future__ import annotations

from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from ..extensions import db
from ..jobs.services import last_seen
from ..timeutil import utcnow

WORKER_SEEN_WITHIN = timedelta(minutes=1)


@cache
def _heads(directory: str) -> frozenset[str]:
    config = current_app.extensions["migrate"].migrate.get_config(directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database() -> str | None:
    db.session.execute(sa.text("SELECT 1"))
    return None


def migrations() -> str | None:
    current = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    expected = _heads(current_app.extensions["migrate"].directory)
    if current != expected:
        return f"database at {sorted(current) or 'no revision'}, code expects {sorted(expected)}"
    return None


def worker() -> str | None:
    seen = last_seen()
    if seen is None:
        return "no worker has run against this database"
    if utcnow() - seen > WORKER_SEEN_WITHIN:
        return f"no worker seen for {int((utcnow() - seen).total_seconds())} s"
    return None


CHECKS = {"database": database, "migrations": migrations, "worker": worker}


def report() -> dict[str, str]:
    """{check: "ok" or the reason it failed}; later checks are skipped once the database fails."""
    results = {}
    for name, check in CHECKS.items():
        if results.get("database", "ok") != "ok":
            results[name] = "not checked"
            continue
        try:
            results[name] = check() or "ok"
        except sa.exc.SQLAlchemyError as exc:
            db.session.rollback()
            results[name] = str(exc.orig if hasattr(exc, "orig") else exc).strip().splitlines()[0]
    return results
