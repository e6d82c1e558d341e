"""Dialect-specific SQL behind dialect-neutral names (SQLite and PostgreSQL)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class vn_day(FunctionElement):  # noqa: N801 (used like a SQL function)
    """The Vietnam (UTC+7) calendar day of a naive-UTC timestamp, as 'YYYY-MM-DD' text."""

    type = sa.String()
    name = "vn_day"
    inherit_cache = True


class vn_date(FunctionElement):  # noqa: N801 (used like a SQL function)
    """The Vietnam (UTC+7) calendar day of a naive-UTC timestamp, as a DATE (SQLite: the
    'YYYY-MM-DD' text its Date columns hold)."""

    type = sa.Date()
    name = "vn_date"
    inherit_cache = True


@compiles(vn_day, "sqlite")
@compiles(vn_date, "sqlite")  # SQLite's dates are that text too
def _vn_day_sqlite(element, compiler, **kw):
    return "date(%s, '+7 hours')" % compiler.process(element.clauses, **kw)


@compiles(vn_day, "postgresql")
def _vn_day_pg(element, compiler, **kw):
    return "to_char(%s + interval '7 hours', 'YYYY-MM-DD')" % compiler.process(element.clauses, **kw)


@compiles(vn_date, "postgresql")
def _vn_date_pg(element, compiler, **kw):
    return "CAST(%s + interval '7 hours' AS DATE)" % compiler.process(element.clauses, **kw)
