"""Migrations: upgrade from an empty database, downgrade to base, upgrade again, on both backends;
the schema they build is the one the models declare."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from fieldapp.extensions import db
from tests.conftest import _config, _new_app


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _built_here(obj, _name, type_, _reflected, _compare_to) -> bool:
    """Leave out what the models build on the other backend only (`Index.ddl_if(dialect=…)`)."""
    condition = getattr(obj, "_ddl_if", None) if type_ == "index" else None
    return condition is None or condition.dialect in (None, db.engine.dialect.name)


def _differences() -> list:
    """What autogenerate would still add or drop: nothing, when migrations match the models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _built_here})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade(empty_db_url):
    app = _new_app(_config(empty_db_url))
    with app.app_context():
        upgrade()
        built = _tables()
        assert {"households", "visits", "jobs", "workers"} <= built
        assert _differences() == []
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _tables() == built
        assert _differences() == []
        db.session.remove()
        db.engine.dispose()
