"""Upkeeps of the same village's summaries take turns (PostgreSQL).

Two transactions that change the marks of one household (two sync batches visiting it, a
correction, a register edit moving it to another village) must not both work from the mark as
it was before either: the second must wait for the first to commit, then read what it wrote
(READ COMMITTED: each statement after the wait sees the first one's commit). Every upkeep
(`rollups.settle`) therefore takes, before it reads anything, a transaction-level advisory lock
on each village whose summaries it changes: the villages of its households (as they are once
locked: a household moved meanwhile brings its new village in, see `marks.lock_homes`) and the
villages whose register or verification sample changed. A household moving between villages
is noted with both, so its mark is never written without the lock of the village it is in.

An advisory lock is kept in the server's lock table, not in the rows: nothing is written to
the households' or villages' pages (a `SELECT … FOR UPDATE` of 200 households writes a lock
into 200 random heap pages, and conflicts with the `FOR KEY SHARE` that foreign-key checks of
the same batch take on them). A transaction holds one lock per village it changes (a sync batch
a few; an import a commune's villages), well within `max_locks_per_transaction` × connections.
Villages are locked in ascending order, in one statement, so two upkeeps never deadlock; only a
household moved while an upkeep waited adds a village out of order (PostgreSQL then detects any
deadlock, and the batch is answered 503 and sent again). SQLite writers are serial: no lock.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

UPKEEP = 0x5C0E  # the first key of `pg_advisory_xact_lock(int, int)`: this module's locks; the second is a village id
# One round trip; `unnest` gives the ids in the array's order, and each row takes its lock in turn.
LOCK = sa.text("SELECT pg_advisory_xact_lock(:upkeep, village) FROM unnest(CAST(:ids AS integer[])) AS village")


def lock_villages(connection, village_ids: Iterable[int]) -> None:
    """PostgreSQL: wait for and hold, until the transaction ends, the upkeep lock of each
    village, in ascending order. Nothing on SQLite."""
    ids = sorted(set(village_ids))
    if connection.dialect.name != "postgresql" or not ids:
        return
    connection.execute(LOCK, {"upkeep": UPKEEP, "ids": ids}).all()
