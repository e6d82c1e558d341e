"""A denser province for `b_province`: a copy of a generated 1 M-household database with every
household (and its visits, topics, materials, companions) repeated FACTOR times in the SAME
100 communes and 3,000 villages, so 5× the households and visits behind exactly the same
units. That is the strict test of "the province's figures do not scale with households":
only the number of households per village changes, never the number of rows the dashboard
should read.

    source scripts/ensure-postgres.sh && .venv/bin/python -m bench.province_dense \\
        [SOURCE=province_bench1m] [TARGET=province5m_bench] [FACTOR=5]

then measure it with
    BENCH_HOUSEHOLDS=5000000 BENCH_PROVINCE_DB=province5m_bench BENCH=b_province make bench

All in SQL on the server: CREATE DATABASE … TEMPLATE (a file copy of the source, which must
have no open connection), the app's migrations, then INSERT … SELECT … generate_series with
ids derived from the originals (md5 of the id and the copy number, so a visit's copy points
at its household's copy), secondary indexes dropped during the load and rebuilt after; the
summaries recounted by `coverage.rollups.rebuild()`, VACUUM ANALYZE, and the summaries
checked against a full recount of households and visits (`province_summaries.recount`).
"""
from __future__ import annotations

import os
import sys
import time

import sqlalchemy as sa

# table → {column: expression over the original row and the copy number k}
COPIES = {
    "households": {"id": "md5(id::text || ':' || k)::uuid", "code": "code || '-' || k",
                   "merged_into_id": "md5(merged_into_id::text || ':' || k)::uuid",
                   "search_key": "search_key || ' ' || k"},
    "visits": {"id": "md5(id::text || ':' || k)::uuid",
               "household_id": "md5(household_id::text || ':' || k)::uuid",
               "supersedes_id": "md5(supersedes_id::text || ':' || k)::uuid"},
    "visit_topics": {"visit_id": "md5(visit_id::text || ':' || k)::uuid"},
    "visit_materials": {"visit_id": "md5(visit_id::text || ':' || k)::uuid"},
    "visit_companions": {"visit_id": "md5(visit_id::text || ':' || k)::uuid"},
}
SUMMARIES = ("summary_village_days", "summary_village_status", "summary_marks", "summary_village_register")


def _log(message: str, start: float) -> None:
    print(f"   {time.perf_counter() - start:7.0f} s  {message}", flush=True)


def _columns(conn, table: str) -> list[str]:
    return list(conn.scalars(sa.text(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = :t ORDER BY ordinal_position"), {"t": table}))


def _secondary_indexes(conn, tables) -> list[tuple[str, str]]:
    """(name, definition) of the indexes that back no constraint (rebuilt after the load)."""
    return list(conn.execute(sa.text(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
        "AND i.tablename = ANY(:t) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"),
        {"t": list(tables)}))


def _multiply(conn, factor: int, start: float) -> list[tuple[str, str]]:
    """Add factor - 1 copies of every household and its visits; returns the secondary indexes
    it dropped (rebuilt by `_reindex` once the summaries are recounted)."""
    conn.exec_driver_sql("SET synchronous_commit = off")
    conn.exec_driver_sql("SET work_mem = '256MB'")
    conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
    indexes = _secondary_indexes(conn, list(COPIES) + list(SUMMARIES))
    for name, _ in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    for table in SUMMARIES:  # recounted below; emptied first so the load does not carry them
        conn.exec_driver_sql(f"DELETE FROM {table}")
    _log(f"{len(indexes)} secondary indexes dropped, summaries emptied", start)
    for table, replaced in COPIES.items():
        columns = _columns(conn, table)
        values = ", ".join(replaced.get(c, c) for c in columns)
        count = conn.execute(sa.text(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} "
            f"CROSS JOIN generate_series(1, :copies) AS k"), {"copies": factor - 1}).rowcount
        conn.commit()
        _log(f"{table}: {count:,} rows added", start)
    return indexes


def _reindex(conn, indexes, start: float) -> None:
    conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
    for name, definition in indexes:
        conn.exec_driver_sql(definition)
        conn.commit()
        _log(f"index {name} rebuilt", start)


def build(server: str, source: str = "province_bench1m", target: str = "province5m_bench", factor: int = 5) -> None:
    start = time.perf_counter()
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target}):
            sys.exit(f"{target} exists: drop it first (DROP DATABASE {target} WITH (FORCE))")
        conn.exec_driver_sql(f"CREATE DATABASE {target} TEMPLATE {source} STRATEGY = FILE_COPY")
    admin.dispose()
    _log(f"{target} copied from {source}", start)
    from flask_migrate import upgrade

    from fieldapp import create_app
    from fieldapp.coverage import rollups
    from fieldapp.extensions import db

    from .province_summaries import recount

    app = create_app({"SQLALCHEMY_DATABASE_URI": server.rsplit("/", 1)[0] + "/" + target, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        _log("migrated", start)
        with db.engine.connect() as conn:
            indexes = _multiply(conn, factor, start)
        db.session.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        rollups.rebuild()
        db.session.commit()
        _log("summaries rebuilt (rollups.rebuild)", start)
        with db.engine.connect() as conn:
            _reindex(conn, indexes, start)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
            counts = {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                      for t in ("households", "visits", "summary_marks", "summary_village_status",
                                "summary_village_days", "summary_village_register")}
            size = conn.scalar(sa.text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
        _log(f"VACUUM ANALYZE; {size}; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), start)
        campaign = db.session.scalar(sa.text("SELECT min(id) FROM campaigns WHERE commune_id IS NULL"))
        db.session.remove()
    print("   " + recount(app, campaign).note, flush=True)
    _log("summaries equal a full recount", start)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    pg = os.environ.get("FIELDAPP_TEST_PG")
    if not pg:
        sys.exit("FIELDAPP_TEST_PG unset: source scripts/ensure-postgres.sh first")
    args = sys.argv[1:]
    build(pg, *args[:2], *(int(a) for a in args[2:3]))
