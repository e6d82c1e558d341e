"""A province database for the cluster bench: created, migrated and generated when empty."""
from __future__ import annotations

import time

import sqlalchemy as sa


def _admin(server: str):
    return sa.create_engine(server, isolation_level="AUTOCOMMIT")


def prepare(server: str, url: str) -> None:
    """Create the database if missing, migrate it, and generate the province when it has no
    households (`bench.province_data`: 1 M households, ~2 M visits; minutes)."""
    name = url.rsplit("/", 1)[1]
    admin = _admin(server)
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    from flask_migrate import upgrade

    from fieldapp import create_app
    from fieldapp.extensions import db
    from fieldapp.timeutil import today_vn

    from .province_data import generate, vacuum

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-cluster"})
    with app.app_context():
        upgrade()
        if not db.session.scalar(sa.text("SELECT count(*) FROM (SELECT 1 FROM households LIMIT 1) h")):
            start = time.perf_counter()
            generate(today_vn())
            vacuum()
            print(f"   province generated in {time.perf_counter() - start:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()


def dropper(server: str, url: str):
    def drop() -> None:
        admin = _admin(server)
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
        admin.dispose()
    return drop
