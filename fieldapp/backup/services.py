"""Copy the live database to a file, and load such a file into an empty database.

SQLite: SQLite's online backup API copies every page in one read transaction, so the copy
is one consistent moment even while phones sync (a plain `cp` of a live WAL database can
be torn); the copy must pass `PRAGMA integrity_check` before it takes the file's name.
PostgreSQL: `pg_dump --format=custom` (one snapshot), loaded by `pg_restore` in one
transaction. Either way a restore then upgrades the schema and starts a new restore epoch.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_migrate import upgrade
from sqlalchemy.engine import URL

from ..extensions import db
from . import epoch


class BackupError(Exception):
    """The backup or restore did not happen; the message says why (Vietnamese)."""


def backup(target: Path) -> None:
    """Write a backup of the configured database to `target` (replaced only when complete)."""
    url, partial = db.engine.url, target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(url.database), partial)
        _check_sqlite(partial)
    else:
        _pg("pg_dump", url, "--format=custom", f"--file={partial}")
    partial.replace(target)


def restore(source: Path) -> str:
    """Load the backup `source` into the configured database, which must hold no tables;
    upgrade it to the current schema and start a new restore epoch (returned)."""
    if not source.is_file():
        raise BackupError(_("No backup file at %(path)s.", path=source))
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _check_sqlite(source)
        _require_empty_sqlite(Path(url.database))
        _sqlite_copy(source, Path(url.database))
    else:
        _require_empty()
        _pg("pg_restore", url, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(source))
    db.engine.dispose()  # connections opened before the load saw an empty database
    upgrade()
    value = epoch.begin(f"restored from {source.name}")
    db.session.commit()
    return value


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, writers carry on (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (the app sets WAL again)
    finally:
        dst.close()
        src.close()


def _check_sqlite(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    if verdict != "ok":
        raise BackupError(_("The copy %(path)s is damaged (%(reason)s); it was not kept.", path=path.name, reason=verdict))


def _require_empty_sqlite(path: Path) -> None:
    if path.exists() and path.stat().st_size:
        conn = sqlite3.connect(path)
        try:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            conn.close()
        if tables:
            raise BackupError(_("The database %(name)s is not empty: restore into a new, empty one.", name=path.name))
    for suffix in ("-wal", "-shm"):  # leftovers of an empty file must not be replayed over the copy
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _require_empty() -> None:
    tables = db.session.scalar(sa.text(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"))
    db.session.rollback()
    if tables:
        raise BackupError(_("The database %(name)s is not empty: restore into a new, empty one.",
                            name=db.engine.url.database))


def _pg(program: str, url: URL, *args: str) -> None:
    """Run pg_dump or pg_restore against `url` (the password in the environment, not argv)."""
    command = [_pg_binary(program), f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}",
               f"--username={url.username}", f"--dbname={url.database}", *args]
    env = {**os.environ, "PGPASSWORD": url.password or "", "PGCONNECT_TIMEOUT": "10"}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(_("%(program)s failed: %(reason)s", program=program, reason=done.stderr.strip()[-500:]))


def _pg_binary(program: str) -> str:
    """The program on PATH, else the newest Debian cluster's (/usr/lib/postgresql/N/bin)."""
    found = shutil.which(program)
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"), key=lambda p: int(p.parts[-3]))
    if versions:
        return str(versions[-1])
    if found:
        return found
    raise BackupError(_("%(program)s is not installed (Debian: apt install postgresql-client).", program=program))
