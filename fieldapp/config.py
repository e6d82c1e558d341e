"""Settings from the environment: DATABASE_URL, SECRET_KEY, PORT and a few tunables."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(app: Flask, overrides: dict | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'fieldapp.sqlite3'}"
        ),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_DURATION=timedelta(days=30),
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        WTF_CSRF_TIME_LIMIT=None,  # offline outboxes send hours later; the session bounds it
        WTF_CSRF_HEADERS=["X-CSRFToken", "X-CSRF-Token"],
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        LANGUAGES=("vi", "en"),
        LOGIN_RATE_LIMIT=os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=True,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIMETYPES=[
            "text/html", "text/css", "text/csv", "application/javascript", "text/javascript",
            "application/json", "application/geo+json", "image/svg+xml",
            "application/manifest+json",
        ],
        COMPRESS_MIN_SIZE=500,
        COMPRESS_STREAMS=False,
        UNDO_SECONDS=8,
        # Phones keep the entries the server acknowledged this many days (cleared at logout),
        # to send again what a restore from a backup lost.
        SYNC_KEEP_SENT_DAYS=int(os.environ.get("SYNC_KEEP_SENT_DAYS", "30")),
        MAP_TILE_URL=os.environ.get("MAP_TILE_URL", ""),
        MAP_TILE_ATTRIBUTION=os.environ.get("MAP_TILE_ATTRIBUTION", ""),
        COVERAGE_TARGET_PCT=int(os.environ.get("COVERAGE_TARGET_PCT", "80")),
        RETENTION_DAYS=int(os.environ.get("RETENTION_DAYS", "1825")),
        # Roles that see residents' names, addresses, phones and youth counts on coverage pages,
        # walk lists, the map and exports; the others see house numbers and figures only.
        PERSONAL_DATA_ROLES=tuple(r.strip() for r in os.environ.get(
            "PERSONAL_DATA_ROLES", "officer,village_head,commander,admin").split(",") if r.strip()),
        # Personal fields of households idle this long are blanked by `flask purge`.
        PERSONAL_DATA_RETENTION_DAYS=int(os.environ.get(
            "PERSONAL_DATA_RETENTION_DAYS", os.environ.get("RETENTION_DAYS", "1825"))),
    )
    if overrides:
        app.config.update(overrides)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database host that drops packets must fail in seconds (503), not hang a worker.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options.setdefault("connect_args", {}).setdefault("connect_timeout", 5)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
