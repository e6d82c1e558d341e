"""EXPLAIN ANALYZE of every SELECT one province page runs, on a bench province database:

    source scripts/ensure-postgres.sh && .venv/bin/python -m bench.province_explain \\
        province5m_bench ['/coverage/?campaign=1'] [--plans]

Migrates the database, signs in as `pa05`, requests the page once (warm-up), then again while recording its
statements, and prints for each SELECT its execution time, the rows it touched, and whether
a plan node reads `households` or `visits` (the dashboard must read summary rows only);
--plans prints the whole plans.
"""
from __future__ import annotations

import os
import sys

import sqlalchemy as sa

from .common import login

BIG = ("households", "visits", "summary_marks")


def statements(app, url: str) -> list[tuple[str, object]]:
    """(SQL, parameters) of each statement the page runs, in order."""
    from fieldapp.extensions import db

    client = app.test_client()
    login(client, "pa05")
    assert client.get(url).status_code == 200, url
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def explain(app, url: str, plans: bool = False) -> None:
    from flask_migrate import upgrade

    from fieldapp.extensions import db

    with app.app_context():
        upgrade()  # as `b_province` does: the database at the app's schema
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            total = 0.0
            for n, (statement, parameters) in enumerate(statements(app, url), 1):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + statement, parameters)
                lines = [row[0] for row in cursor.fetchall()]
                took = float(lines[-1].split(":")[1].split()[0])
                total += took
                big = sorted({t for t in BIG for line in lines if f" on {t} " in f"{line} "})
                print(f"-- {n}: {took:8.2f} ms  reads {', '.join(big) or 'summaries/units only'}\n   "
                      f"{' '.join(statement.split())[:160]}")
                if plans or big:
                    print("\n".join("   | " + line for line in lines))
            print(f"== {url}: {total:.1f} ms in the database")
        finally:
            raw.close()


if __name__ == "__main__":
    from fieldapp import create_app

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    name, url = args[0], (args[1] if len(args) > 1 else "/coverage/")
    server = os.environ["FIELDAPP_TEST_PG"]
    explain(create_app({"SQLALCHEMY_DATABASE_URI": server.rsplit("/", 1)[0] + "/" + name, "SECRET_KEY": "bench",
                        "LOGIN_RATE_LIMIT": "100000 per minute"}), url, "--plans" in sys.argv)
