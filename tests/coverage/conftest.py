"""Count the SQL statements a request runs (for the no-N+1 checks)."""
from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa


@pytest.fixture
def count_queries(app):
    """`with count_queries() as n: ...` → n[0] statements sent to the database inside."""
    from fieldapp.extensions import db

    @contextlib.contextmanager
    def counting():
        seen = [0]

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")):
                seen[0] += 1

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting
