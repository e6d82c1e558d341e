"""Upserts of many rows in one statement, for the summary upkeep (`rollups`)."""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa


def upsert_rows(connection, table: sa.Table, keys: tuple[str, ...], rows: list[dict], adding: bool) -> None:
    """Insert the rows, or on a row with their `keys` add their figures to it (`adding`) or
    take their values. PostgreSQL: one statement over arrays of the rows' values, in their
    order (an executemany is a round trip per row); SQLite, in process: row by row."""
    postgres = connection.dialect.name == "postgresql"
    statement = _upsert(table, keys, postgres, adding)
    if postgres:
        connection.execute(statement, {c.name: [row[c.name] for row in rows] for c in table.c})
    else:
        connection.execute(statement, rows)


@cache
def _upsert(table: sa.Table, keys: tuple[str, ...], postgres: bool, adding: bool):
    if postgres:
        from sqlalchemy.dialects.postgresql import ARRAY, insert

        rows = sa.select(*(sa.func.unnest(sa.bindparam(c.name, type_=ARRAY(c.type))).label(c.name) for c in table.c))
        statement = insert(table).from_select([c.name for c in table.c], rows)
    else:
        from sqlalchemy.dialects.sqlite import insert

        statement = insert(table)
    others = [c.name for c in table.c if c.name not in keys]
    return statement.on_conflict_do_update(index_elements=list(keys), set_={
        name: (table.c[name] + statement.excluded[name]) if adding else statement.excluded[name] for name in others})
