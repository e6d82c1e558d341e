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
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
        # A job's worker renews its lease every third of this; a lease left to expire means
        # the worker died, and the job is queued again (or failed after its last attempt).
        JOB_LEASE_SECONDS=float(os.environ.get("JOB_LEASE_SECONDS", "30")),
        WORKER_POLL_SECONDS=float(os.environ.get("WORKER_POLL_SECONDS", "1")),
        MAP_TILE_URL=os.environ.get("MAP_TILE_URL", ""),
        MAP_TILE_ATTRIBUTION=os.environ.get("MAP_TILE_ATTRIBUTION", ""),
        # The province's base map as one MBTiles file, served at /tiles/{z}/{x}/{y}; phones keep
        # the tiles over their villages at these zoom levels, within this many megabytes.
        MAP_TILES_FILE=os.environ.get("MAP_TILES_FILE", ""),
        MAP_TILES_OFFLINE_ZOOM=os.environ.get("MAP_TILES_OFFLINE_ZOOM", "14-18"),
        MAP_TILES_OFFLINE_MB=int(os.environ.get("MAP_TILES_OFFLINE_MB", "60")),
        COVERAGE_TARGET_PCT=int(os.environ.get("COVERAGE_TARGET_PCT", "80")),
        RETENTION_DAYS=int(os.environ.get("RETENTION_DAYS", "1825")),
        # Roles that see residents' names, addresses, phones and youth counts on coverage pages,
        # walk lists, the map and exports; the others see house numbers and figures only.
        PERSONAL_DATA_ROLES=tuple(r.strip() for r in os.environ.get(
            "PERSONAL_DATA_ROLES", "officer,village_head,commander,admin").split(",") if r.strip()),
        # Checks on every visit (fieldapp.proof.checks): they flag, never refuse.
        CHECK_FAR_M=float(os.environ.get("CHECK_FAR_M", "150")),
        CHECK_POOR_FIX_M=float(os.environ.get("CHECK_POOR_FIX_M", "100")),
        CHECK_WALK_KMH=float(os.environ.get("CHECK_WALK_KMH", "6")),
        CHECK_BURST_PER_MINUTE=int(os.environ.get("CHECK_BURST_PER_MINUTE", "3")),
        CHECK_LATE_HOURS=float(os.environ.get("CHECK_LATE_HOURS", "48")),
        CHECK_ODD_HOURS=os.environ.get("CHECK_ODD_HOURS", "22-6"),
        LEARN_POINT_ACCURACY_M=float(os.environ.get("LEARN_POINT_ACCURACY_M", "30")),
        # The weekly verification sample: per officer, the larger of a count and a share.
        VERIFY_SAMPLE_MIN=int(os.environ.get("VERIFY_SAMPLE_MIN", "3")),
        VERIFY_SAMPLE_PCT=float(os.environ.get("VERIFY_SAMPLE_PCT", "5")),
        PHOTO_MAX_BYTES=int(os.environ.get("PHOTO_MAX_BYTES", str(2 * 1024 * 1024))),
        # Personal fields of households idle this long are blanked by `flask purge`.
        PERSONAL_DATA_RETENTION_DAYS=int(os.environ.get(
            "PERSONAL_DATA_RETENTION_DAYS", os.environ.get("RETENTION_DAYS", "1825"))),
    )
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
