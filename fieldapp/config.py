"""Settings from the environment: DATABASE_URL, SECRET_KEY, PORT and a few tunables."""
from __future__ import annotations

import os
import secrets
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
        # Behind an HTTPS reverse proxy: trust its X-Forwarded-* headers (one hop) and send
        # every cookie (session, remember) with Secure unless SESSION_COOKIE_SECURE=0 says not.
        BEHIND_PROXY=os.environ.get("BEHIND_PROXY") == "1",
        SESSION_COOKIE_SECURE=os.environ.get(
            "SESSION_COOKIE_SECURE", os.environ.get("BEHIND_PROXY", "0")) == "1",
        PREFERRED_URL_SCHEME="https" if os.environ.get("BEHIND_PROXY") == "1" else "http",
        # Sign-in sessions (auth.sessions): idle timeouts by role and an absolute lifetime.
        SESSION_IDLE_MINUTES=int(os.environ.get("SESSION_IDLE_MINUTES", "480")),
        ADMIN_SESSION_IDLE_MINUTES=int(os.environ.get("ADMIN_SESSION_IDLE_MINUTES", "60")),
        SESSION_MAX_DAYS=int(os.environ.get("SESSION_MAX_DAYS", "30")),
        WTF_CSRF_TIME_LIMIT=None,  # offline outboxes send hours later; the session bounds it
        WTF_CSRF_HEADERS=["X-CSRFToken", "X-CSRF-Token"],
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        LANGUAGES=("vi", "en"),
        # Failed sign-ins, counted in the database (auth.throttle): per account, per address.
        LOGIN_RATE_LIMIT=os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour"),
        LOGIN_ADDRESS_RATE_LIMIT=os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute;200 per hour"),
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
        # Sync entries the server refuses are kept for review: at most this many per person in
        # any 24 hours (then the batch answers 429), each at most this large.
        QUARANTINE_PER_DAY=int(os.environ.get("QUARANTINE_PER_DAY", "500")),
        QUARANTINE_ENTRY_BYTES=int(os.environ.get("QUARANTINE_ENTRY_BYTES", "16384")),
        # Request bodies: at most this much anywhere, chunked or not; uploads of register files
        # up to IMPORT_MAX_BYTES (checked, then bounded in rows, before anything is written).
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        IMPORT_MAX_BYTES=int(os.environ.get("IMPORT_MAX_BYTES", str(50 * 1024 * 1024))),
        IMPORT_MAX_ROWS=int(os.environ.get("IMPORT_MAX_ROWS", "200000")),
        # Leases (fieldapp.leases): a job's, and an import's lock on its commune. Their holder
        # renews them every third of this; one left to expire means the holder died: its job
        # is queued again (or failed after its last attempt) and its commune is free.
        LEASE_SECONDS=float(os.environ.get("LEASE_SECONDS", os.environ.get("JOB_LEASE_SECONDS", "30"))),
        WORKER_POLL_SECONDS=float(os.environ.get("WORKER_POLL_SECONDS", "1")),
        # A person's export of more rows than this is built by a worker (a page follows it);
        # scripts and smaller exports get the file at once. Built files are kept this long.
        EXPORT_JOB_ROWS=int(os.environ.get("EXPORT_JOB_ROWS", "5000")),
        EXPORT_KEEP_HOURS=int(os.environ.get("EXPORT_KEEP_HOURS", "24")),
        # Phones keep the entries the server acknowledged this many days (cleared at logout),
        # to send again what a restore from a backup lost.
        SYNC_KEEP_SENT_DAYS=int(os.environ.get("SYNC_KEEP_SENT_DAYS", "30")),
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
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A database host that drops packets must fail in seconds (503), not hang a worker.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options.setdefault("connect_args", {}).setdefault("connect_timeout", 5)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
