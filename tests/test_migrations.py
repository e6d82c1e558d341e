"""Models and migrations agree: on a database upgraded to the head revision, Alembic's
autogenerate (with the settings `flask db migrate` uses) finds nothing to add, drop or change,
on SQLite and on PostgreSQL. A model changed without its revision fails here."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fieldapp.extensions import db


def differences(app) -> list:
    settings = app.extensions["migrate"].configure_args
    options = {k: settings[k] for k in ("compare_type", "include_object", "render_as_batch")}
    with app.app_context(), db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)


def test_autogenerate_finds_no_difference(app):
    assert differences(app) == []


def test_a_schema_that_lags_the_models_is_found(app):
    """The check can fail: this test's database loses an index the models declare."""
    with app.app_context():
        db.session.execute(sa.text("DROP INDEX ix_assignments_village_dates"))
        db.session.commit()
    found = differences(app)
    assert [(kind, index.name) for kind, index in found] == [("add_index", "ix_assignments_village_dates")]
