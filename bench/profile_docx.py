"""Where a report .docx spends its time, on a province database kept by `b_province`
(BENCH_PROVINCE_DB): each SQL statement's time, then the Python profile of the request.

    BENCH_PROVINCE_DB=<name> .venv/bin/python -m bench.profile_docx [URL] [USERNAME]
"""
from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time

import sqlalchemy as sa


def main(argv: list[str]) -> None:
    from fieldapp import create_app
    from fieldapp.extensions import db

    from .common import login
    from .province_data import ids

    server, name = os.environ["FIELDAPP_TEST_PG"], os.environ["BENCH_PROVINCE_DB"]
    app = create_app({"SQLALCHEMY_DATABASE_URI": server.rsplit("/", 1)[0] + "/" + name, "SECRET_KEY": "bench"})
    with app.app_context():
        known = ids()
        engine = db.engine
    url = argv[0] if argv else f"/reports/campaigns/{known['province_campaign']}.docx"
    username = argv[1] if len(argv) > 1 else f"chihuy{known['commune']}"
    client = app.test_client()
    login(client, username)
    spent: list[tuple[float, str]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info["t"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _end(conn, cursor, statement, parameters, context, executemany):
        spent.append(((time.perf_counter() - conn.info.pop("t")) * 1000, " ".join(statement.split())[:160]))

    client.get(url)  # warm-up
    spent.clear()
    start = time.perf_counter()
    answer = client.get(url)
    total = (time.perf_counter() - start) * 1000
    print(f"{url} as {username}: {answer.status_code}, {total:.0f} ms, {len(spent)} statements, "
          f"{sum(s for s, _ in spent):.0f} ms in SQL")
    for ms, statement in sorted(spent, reverse=True)[:12]:
        print(f"  {ms:8.1f} ms  {statement}")
    profile = cProfile.Profile()
    profile.runcall(client.get, url)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main(sys.argv[1:])
