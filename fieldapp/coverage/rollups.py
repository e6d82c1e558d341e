"""Upkeep of the summary rows (`coverage.models`) in the same transaction as the change.

Every flush notes the households whose visits or register rows changed (`_note_flush`, an
ORM event, so no writer can forget it); the one place visits are inserted in bulk,
`visits.services.store_visits` (a web tap, a sync batch and its entry-by-entry fallback),
sends `visits.signals.visits_stored`, which notes their households (`_note_stored`); other
code that writes with bulk statements says so with `changed()`. Just before the transaction
commits, `settle()` recomputes the marks of exactly those households from their visits in
force, and moves the difference between their old and new marks into the village summaries.
A household whose only change is new visits in force (the usual sync batch) has its new mark
worked out from its old one and those visits, without reading its other visits
(`marks.add_new`); any other change, or a rollback (a savepoint's too) after visits were
noted, takes the full recompute. A village whose households changed has its register counts
recounted, and one whose verification sample was drawn or answered its sample counts
(`VillageCheckSummary`; the draw notes them with `changed(samples=…)`, an answer is seen by the
flush). Before it reads anything, an upkeep locks the villages it changes (`coverage.locks`:
two upkeeps of a household take turns, the second reading what the first wrote). Nothing
else is read, so the cost follows the size of the change, never the size of the province.
`rebuild()` recounts everything from scratch (the same marks query over all households): a
fresh database, a bulk load, or a check that nothing drifted.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..extensions import db
from ..households.models import Household
from ..proof.models import RESULTS, Verification, VerificationDraw
from ..visits.models import Visit
from ..visits.signals import visits_stored
from . import marks
from .locks import lock_villages
from .marks import DAYS, MARKS, STATUS, chunks, marks_query
from .models import VillageCheckSummary, VillageRegisterSummary

REGISTER, CHECKS = VillageRegisterSummary.__table__, VillageCheckSummary.__table__
HOUSEHOLDS_KEY, VILLAGES_KEY, SAMPLES_KEY = "rollup_households", "rollup_villages", "rollup_samples"
STORED_KEY = "rollup_stored"  # household id → [(campaign, outcome, recorded_at)] of new visits in force
KEYS = (HOUSEHOLDS_KEY, VILLAGES_KEY, SAMPLES_KEY, STORED_KEY)


def changed(household_ids: Iterable = (), village_ids: Iterable = (), samples: Iterable = ()) -> None:
    """Note households whose visits changed outside the ORM (bulk statements), villages
    whose register rows did, and (draw id, village id) of verification rows inserted in
    bulk; `settle()` brings their summaries up to date at commit."""
    db.session.info.setdefault(HOUSEHOLDS_KEY, set()).update(household_ids)
    db.session.info.setdefault(VILLAGES_KEY, set()).update(village_ids)
    db.session.info.setdefault(SAMPLES_KEY, set()).update(samples)


def settle(session: Session | None = None) -> None:
    """Bring the summaries of the noted households and villages up to date (in the session's
    transaction). Called before every commit; cheap when nothing was noted."""
    session = session or db.session
    households = session.info.pop(HOUSEHOLDS_KEY, set())
    villages = session.info.pop(VILLAGES_KEY, set())
    added = {h: rows for h, rows in session.info.pop(STORED_KEY, {}).items() if h not in households}
    samples = session.info.pop(SAMPLES_KEY, set())
    changing = villages | {village for _draw, village in samples}  # their summaries are recounted
    if households or added:  # the households' villages are locked with them (`marks.lock_homes`)
        homes = marks.lock_homes(session.connection(), sorted(households | set(added)), added, changing)
    else:
        lock_villages(session.connection(), changing)
    if households:
        marks.refresh(session.connection(), sorted(households))
    if added:
        marks.add_new(session.connection(), added, homes)
    if villages:
        _recount_register(session.connection(), sorted(villages))
    if samples:
        _recount_checks(session.connection(), samples)


def _register_counts(where) -> sa.Select:
    youth, inactive = Household.youth > 0, Household.status != "active"
    ones = lambda condition: sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)  # noqa: E731
    return (sa.select(Household.village_id, sa.func.count().label("households"), ones(youth).label("youth"),
                      ones(inactive).label("inactive"), ones(sa.and_(youth, inactive)).label("inactive_youth"))
            .where(where).group_by(Household.village_id))


def _recount_register(connection, village_ids: list[int]) -> None:
    """Recount the villages' households (a few hundred rows each), replacing their row (the
    villages' upkeep locked by `settle`)."""
    for part in chunks(village_ids):
        connection.execute(REGISTER.delete().where(REGISTER.c.village_id.in_(part)))
        rows = [row._asdict() for row in connection.execute(_register_counts(Household.village_id.in_(part)))]
        if rows:
            connection.execute(REGISTER.insert(), rows)


def _check_counts(where) -> sa.Select:
    """(campaign_id, village_id, result, households) of the verification sample: an answer
    outside RESULTS (none yet) counts as pending, as `proof.verification.Rate` has it."""
    answer = sa.case((Verification.result.in_(RESULTS), Verification.result), else_="pending")
    rows = (sa.select(VerificationDraw.campaign_id, Verification.village_id, answer.label("result"))
            .join(VerificationDraw, VerificationDraw.id == Verification.draw_id).where(where).subquery())
    return (sa.select(rows.c.campaign_id, rows.c.village_id, rows.c.result, sa.func.count().label("households"))
            .group_by(rows.c.campaign_id, rows.c.village_id, rows.c.result))


def _recount_checks(connection, samples: set[tuple[int, int]]) -> None:
    """Recount the sample counts of the (draw, village) pairs' campaigns and villages (a few
    dozen rows each); the villages' upkeep locked by `settle`."""
    draws = dict(connection.execute(sa.select(VerificationDraw.id, VerificationDraw.campaign_id)
                                    .where(VerificationDraw.id.in_({d for d, _ in samples}))).all())
    villages: dict[int, set[int]] = {}
    for draw_id, village_id in samples:
        villages.setdefault(draws[draw_id], set()).add(village_id)
    for campaign_id, ids in sorted(villages.items()):
        for part in chunks(sorted(ids)):
            connection.execute(CHECKS.delete().where(CHECKS.c.campaign_id == campaign_id,
                                                     CHECKS.c.village_id.in_(part)))
            connection.execute(CHECKS.insert().from_select([c.name for c in CHECKS.c], _check_counts(sa.and_(
                VerificationDraw.campaign_id == campaign_id, Verification.village_id.in_(part)))))


def rebuild(connection=None) -> None:
    """Recount every summary from households and visits, in the session's transaction (or on
    `connection`, as the migration does); never commits."""
    if connection is None:
        db.session.flush()
        for key in KEYS:
            db.session.info.pop(key, None)
        connection = db.session.connection()
    for table in (DAYS, STATUS, MARKS, REGISTER):
        connection.execute(table.delete())
    connection.execute(MARKS.insert().from_select([c.name for c in MARKS.c], marks_query()))
    connection.execute(REGISTER.insert().from_select([c.name for c in REGISTER.c], _register_counts(sa.true())))
    ones = lambda condition: sa.func.sum(sa.case((condition, 1), else_=0))  # noqa: E731
    m = MARKS.c
    connection.execute(STATUS.insert().from_select(
        ["campaign_id", "village_id", "status", "households", "youth", "inactive", "inactive_youth"],
        sa.select(m.campaign_id, m.village_id, m.status, sa.func.count(), ones(m.youth), ones(m.inactive),
                  ones(sa.and_(m.youth, m.inactive))).group_by(m.campaign_id, m.village_id, m.status)))
    connection.execute(DAYS.insert().from_select(
        ["campaign_id", "village_id", "day", "warned", "youth_warned"],
        sa.select(m.campaign_id, m.village_id, m.day, sa.func.count(), ones(m.youth))
        .where(m.status == "warned").group_by(m.campaign_id, m.village_id, m.day)))
    if sa.inspect(connection).has_table(CHECKS.name):  # not yet when an older migration rebuilds
        connection.execute(CHECKS.delete())
        connection.execute(CHECKS.insert().from_select([c.name for c in CHECKS.c], _check_counts(sa.true())))


def _note_flush(session: Session, _context) -> None:
    """After each flush: the households whose visits were added or changed, and the
    households (and their villages, before and after) that were added or changed."""
    households, villages, samples = set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Visit):
            households.update(_values(obj, "household_id"))
        elif isinstance(obj, Household):
            households.add(obj.id)
            villages.update(_values(obj, "village_id"))
        elif isinstance(obj, Verification):
            samples.update((obj.draw_id, village) for village in _values(obj, "village_id"))
    if households or villages or samples:
        session.info.setdefault(HOUSEHOLDS_KEY, set()).update(households - {None})
        session.info.setdefault(VILLAGES_KEY, set()).update(villages - {None})
        session.info.setdefault(SAMPLES_KEY, set()).update(s for s in samples if None not in s)


def _values(obj, attribute: str) -> set:
    """The attribute's value now and any it had before this flush."""
    history = sa.inspect(obj).attrs[attribute].history
    return {getattr(obj, attribute), *history.deleted}


def _note_stored(_sender, visits: list[dict], **_extra) -> None:
    """Visits inserted in bulk (no flush sees them): their households' summaries are settled
    at the commit. New visits in force (not corrections) are kept by household, so that a
    household changed in no other way has its mark brought up to date from them alone
    (`marks.add_new`); the others are noted for a full recompute."""
    stored = db.session.info.setdefault(STORED_KEY, {})
    for row in visits:
        if row.get("supersedes_id") is None and row.get("replaced_at") is None and row["outcome"] in marks.RANK:
            stored.setdefault(row["household_id"], []).append((row["campaign_id"], row["outcome"], row["recorded_at"]))
        else:
            changed(household_ids=[row["household_id"]])


def _distrust_stored(session: Session, _transaction) -> None:
    """A rollback (a savepoint's too) may have undone visits noted as new: their households
    fall back to the full recompute, which reads what the database holds."""
    if stored := session.info.pop(STORED_KEY, None):
        session.info.setdefault(HOUSEHOLDS_KEY, set()).update(stored)


def _settle_before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer commit settles
        return
    session.flush()  # the commit's own flush comes after this event: note its changes first
    if any(session.info.get(key) for key in KEYS):
        settle(session)


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: nothing noted is left to do
        for key in KEYS:
            session.info.pop(key, None)


visits_stored.connect(_note_stored)
sa.event.listen(Session, "after_flush", _note_flush)
sa.event.listen(Session, "before_commit", _settle_before_commit)
sa.event.listen(Session, "after_soft_rollback", _distrust_stored)
sa.event.listen(Session, "after_transaction_end", _forget)
