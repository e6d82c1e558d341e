"""The statements of one 200-visit sync batch on a bench province database, timed one by one,
those of the summary upkeep (`rollups.settle`) apart:

    source scripts/ensure-postgres.sh && .venv/bin/python -m bench.upkeep_statements \\
        province5m_bench [first|again] [--explain] [--all] [--batches N] | --bench

Sends N (default 1) batches of 200 visits by a commune's commander, as
`bench.province_summaries` does (first visits: households with no mark yet; again: households
already warned; `upkeep_homes`), and prints for each the request's time, the upkeep's, and
every statement of the upkeep with its time. --explain runs the upkeep's reads and its marks
upsert (which writes the same rows when run twice) as EXPLAIN (ANALYZE, BUFFERS, WAL) first and
prints the plans (the statement itself then runs on warm pages: time it without --explain);
--all times the request's other statements too. --bench prints the upkeep figures of
`b_province` alone (six batches of each kind: `province_summaries._upkeep`), without its pages
and recount. The database is migrated first (`upgrade()`), as `b_province` does.
"""
from __future__ import annotations

import logging
import sys
import time

import sqlalchemy as sa

EXPLAINED = ("SELECT", "WITH", "INSERT INTO summary_marks")


class Recorder:
    """Statement timings (and, with `explain`, plans) of what runs inside `rollups.settle`."""

    def __init__(self, explain: bool, everything: bool):
        self.explain, self.everything, self.inside, self.rows = explain, everything, False, []
        self.request_statements = 0

    def before(self, conn, cursor, statement, parameters, context, _many):
        self.request_statements += 1
        if self.inside and self.explain and statement.lstrip().startswith(EXPLAINED):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, WAL) " + statement, parameters)
            self.rows.append(("plan", "\n".join(r[0] for r in cursor.fetchall())))
        context._upkeep_start = time.perf_counter()

    def after(self, _conn, _cursor, statement, _parameters, context, _many):
        if self.inside or self.everything:
            took = (time.perf_counter() - context._upkeep_start) * 1000
            where = "upkeep" if self.inside else "      "
            self.rows.append(("statement", f"{where} {took:7.1f} ms  {' '.join(statement.split())[:100]}"))


def send(app, session: tuple, campaign: int, homes: list[str], explain: bool, everything: bool) -> None:
    from fieldapp.coverage import rollups
    from fieldapp.extensions import db

    from .province_summaries import _batch, _send

    recorder, settle = Recorder(explain, everything), rollups.settle
    spent = []

    def recorded_settle(*args, **kwargs):
        recorder.inside, start = True, time.perf_counter()
        try:
            return settle(*args, **kwargs)
        finally:
            recorder.inside = False
            spent.append((time.perf_counter() - start) * 1000)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", recorder.before)
    sa.event.listen(engine, "after_cursor_execute", recorder.after)
    rollups.settle = recorded_settle
    try:
        total = _send(*session, _batch(homes, campaign))
    finally:
        rollups.settle = settle
        sa.event.remove(engine, "before_cursor_execute", recorder.before)
        sa.event.remove(engine, "after_cursor_execute", recorder.after)
    print(f"batch {total:.0f} ms ({recorder.request_statements} statements), upkeep {sum(spent):.1f} ms "
          f"= {sum(spent) / (total - sum(spent)) * 100:.1f} % of the rest")
    for kind, text in recorder.rows:
        print(("    " + text.replace("\n", "\n    ")) if kind == "plan" else text)


def main(argv: list[str]) -> None:
    import os

    from flask_migrate import upgrade

    from .b_province import _app
    from .province_data import ids as bench_ids
    from .province_summaries import _commander, _upkeep, upkeep_homes

    name, kind = argv[0], (argv[1] if len(argv) > 1 and not argv[1].startswith("--") else "first")
    batches = int(argv[argv.index("--batches") + 1]) if "--batches" in argv else 1
    app = _app(os.environ["FIELDAPP_TEST_PG"].rsplit("/", 1)[0] + "/" + name)
    with app.app_context():
        upgrade()
        ids = bench_ids()
    if "--bench" in argv:  # the bench's own figures (`b_province` runs the same), without its pages
        for result in _upkeep(app, ids):
            print(f"   {result.name:<70} {result.value:>8.1f} {result.unit:<3} {result.note}")
        return
    commune, homes = upkeep_homes(app, ids, kind, 200 * batches)
    session = _commander(app, commune)
    for n in range(batches):
        send(app, session, ids["province_campaign"], homes[n * 200:(n + 1) * 200], "--explain" in argv, "--all" in argv)


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    main(sys.argv[1:])
