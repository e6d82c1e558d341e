"""A household's mark (its status and day in a campaign, from its visits in force, by the
rule of `coverage.status`) and what the marks add to the village summaries.

`refresh()` recomputes the marks of some households from all their visits; `add_new()` works
out the marks of households whose only change is new visits in force from their marks now and
those visits alone (the usual sync batch); both move the difference between old and new marks
into the status and day summaries (`_apply`). `coverage.rollups` decides which to call, and when.
"""
from __future__ import annotations

from collections import Counter
from functools import cache
from types import SimpleNamespace

import sqlalchemy as sa

from ..households.models import Household
from ..labels import OUTCOMES
from ..timeutil import vn_date as vn_day_of
from ..visits.models import Visit
from .locks import lock_villages
from .models import HouseholdMark, VillageDaySummary, VillageStatusSummary
from .sqlfuncs import vn_date
from .status import RANK, RULE
from .upserts import upsert_rows

MARKS, STATUS, DAYS = (m.__table__ for m in (HouseholdMark, VillageStatusSummary, VillageDaySummary))
CHUNK = 500  # ids per IN (…): well under every driver's parameter limit
# A mark's status by the best (lowest) `RANK` of the household's visits in force: the clauses
# of `RULE` on the best rank.
STATUS_OF_RANK = {clause["best"]: clause["status"] for clause in RULE["clauses"] if "best" in clause}
RANK_OF_STATUS = {status: rank for rank, status in STATUS_OF_RANK.items()}


def marks_query(where=None) -> sa.Select:
    """(campaign_id, household_id, village_id, status, day, youth, inactive) of every household
    with a visit in force, by the status rules of `coverage.status`; `where` narrows the visits."""
    seen = {name: sa.func.min(sa.case((condition, Visit.recorded_at))).label(name) for name, condition in (
        ("warned", Visit.outcome == "warned"), ("tried", Visit.outcome.in_(("nobody_home", "refused"))),
        ("moved", Visit.outcome == "moved_away"))}
    per = (sa.select(Visit.campaign_id, Visit.household_id, *seen.values())
           .where(Visit.in_force, Visit.outcome.in_(OUTCOMES), sa.true() if where is None else where)
           .group_by(Visit.campaign_id, Visit.household_id).subquery())
    status = sa.case((per.c.warned.is_not(None), "warned"), (per.c.tried.is_not(None), "revisit"), else_="excluded")
    return (sa.select(per.c.campaign_id, per.c.household_id, Household.village_id, status.label("status"),
                      vn_date(sa.func.coalesce(per.c.warned, per.c.tried, per.c.moved)).label("day"),
                      (Household.youth > 0).label("youth"), (Household.status != "active").label("inactive"))
            .join(Household, Household.id == per.c.household_id))


def chunks(ids: list):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


@cache
def _statements() -> tuple[sa.Select, sa.Select, sa.Select]:
    """The reads of an upkeep, built once (a sync batch runs them on every commit): the
    households (what a mark takes from them), their marks now, their marks as the visits say."""
    ids = sa.bindparam("ids", expanding=True)
    homes = (sa.select(Household.id, Household.village_id, (Household.youth > 0).label("youth"),
                       (Household.status != "active").label("inactive"))
             .where(Household.id.in_(ids)))
    return homes, sa.select(*MARKS.c).where(MARKS.c.household_id.in_(ids)), marks_query(Visit.household_id.in_(ids))


def lock_homes(connection, ids: list, wanted, villages=()) -> dict:
    """Lock the upkeep of the households' villages and of `villages` (`locks.lock_villages`):
    their villages read first, then read again once locked (a household moved meanwhile brings
    its new village in), so that two upkeeps of a household take turns and the second reads
    what the first wrote. The `wanted` ones' rows (as read under the lock), by id. SQLite
    writers are serial: no lock, and only the wanted rows are read."""
    if connection.dialect.name != "postgresql":
        return _homes(connection, sorted(wanted))
    found, locked = _homes(connection, ids), set()
    while need := ({*villages, *(home.village_id for home in found.values())} - locked):
        lock_villages(connection, need)
        locked |= need
        found = _homes(connection, ids)
    return {h: found[h] for h in wanted if h in found}


def _homes(connection, ids: list) -> dict:
    homes, _marked, _marks = _statements()
    found = {}
    for part in chunks(ids):
        found.update((home.id, home) for home in connection.execute(homes, {"ids": part}))
    return found


def refresh(connection, ids: list) -> None:
    old, new = [], []
    _homes, marked, marks = _statements()
    for part in chunks(ids):
        old += connection.execute(marked, {"ids": part}).all()
        new += connection.execute(marks, {"ids": part}).all()
    if sorted(map(tuple, old)) == sorted(map(tuple, new)):
        return
    counts = _delta(old, -1)
    counts.update(_delta(new, +1))  # not `+`: a Counter sum drops the negative differences
    _apply(connection, counts)
    for part in chunks(ids):
        connection.execute(MARKS.delete().where(MARKS.c.household_id.in_(part)))
    if new:
        connection.execute(MARKS.insert(), [row._asdict() for row in new])


def add_new(connection, added: dict, homes: dict) -> None:
    """The marks of households whose only change is new visits in force, from their marks now
    and those visits, without reading their other visits: a new visit of a better kind sets
    the status and its day, one of the same kind can only make the day earlier (the Vietnam
    day of the earliest such visit: `vn_date` keeps the order of times), a lesser one changes
    nothing. Exactly what `marks_query` gives over all their visits in force."""
    best: dict[tuple, tuple[int, object]] = {}  # (campaign, household) → (best rank, its earliest time) among the new
    for household_id, visits in added.items():
        for campaign_id, outcome, recorded_at in visits:
            key, rank = (campaign_id, household_id), RANK[outcome]
            if key not in best or (rank, recorded_at) < best[key]:
                best[key] = rank, recorded_at
    old = _marks_in(connection, sorted(added), sorted({campaign for campaign, _household in best}))
    new = {key: mark for key, (rank, moment) in best.items()
           if (mark := _better(old.get(key), homes[key[1]], key[0], rank, moment)) is not None}
    if not new:
        return
    counts = _delta([old[key] for key in new if key in old], -1)
    counts.update(_delta([SimpleNamespace(**mark) for mark in new.values()], +1))
    _apply(connection, counts)
    _write_marks(connection, [new[key] for key in sorted(new, key=lambda key: (key[0], str(key[1])))])


def _marks_in(connection, ids: list, campaigns: list) -> dict:
    """The households' marks in those campaigns, by (campaign, household): on the key alone
    for the usual first visit (no mark yet), not their marks of other campaigns."""
    _homes, marked, _marks = _statements()
    marked = marked.where(MARKS.c.campaign_id.in_(campaigns))
    old = {}
    for part in chunks(ids):
        old.update(((m.campaign_id, m.household_id), m) for m in connection.execute(marked, {"ids": part}))
    return old


def _better(old, home, campaign_id: int, rank: int, moment) -> dict | None:
    """The household's new mark (as a row) once visits of best `rank`, the earliest at
    `moment`, are added to its mark `old` (None: none yet); None when the mark stays."""
    day = vn_day_of(moment)  # the day `sqlfuncs.vn_date` gives in SQL
    if old is not None:
        old_rank = RANK_OF_STATUS[old.status]
        if rank > old_rank or (rank == old_rank and day >= old.day):
            if (old.village_id, old.youth, old.inactive) == (home.village_id, home.youth, home.inactive):
                return None
            rank, day = old_rank, min(old.day, day) if rank == old_rank else old.day
    return dict(campaign_id=campaign_id, household_id=home.id, village_id=home.village_id, status=STATUS_OF_RANK[rank],
                day=day, youth=home.youth, inactive=home.inactive)


def _write_marks(connection, marks: list[dict]) -> None:
    """Put the marks in place of those of their (campaign, household), if any: one upsert."""
    upsert_rows(connection, MARKS, ("campaign_id", "household_id"), marks, adding=False)


def _delta(marks, sign: int) -> Counter:
    """What `marks` add to the summaries (times `sign`), keyed by (table, key)."""
    counts: Counter = Counter()
    for m in marks:
        key = ("status", m.campaign_id, m.village_id, m.status)
        counts[key + ("households",)] += sign
        counts[key + ("youth",)] += sign * m.youth
        counts[key + ("inactive",)] += sign * m.inactive
        counts[key + ("inactive_youth",)] += sign * (m.youth and m.inactive)
        if m.status == "warned":
            day = ("days", m.campaign_id, m.village_id, m.day)
            counts[day + ("warned",)] += sign
            counts[day + ("youth_warned",)] += sign * m.youth
    return counts


def _apply(connection, counts: Counter) -> None:
    rows: dict[tuple, dict] = {}
    for (table, *key, column), n in counts.items():
        rows.setdefault((table, *key), {})[column] = n
    for table, names in ((STATUS, ("campaign_id", "village_id", "status")), (DAYS, ("campaign_id", "village_id", "day"))):
        kind = "status" if table is STATUS else "days"
        batch = [dict(zip(names, key), **values) for (which, *key), values in sorted(rows.items(), key=_order)
                 if which == kind and any(values.values())]
        if batch:
            _add_rows(connection, table, names, batch)
    campaigns, villages = {key[1] for key in rows}, {key[2] for key in rows}
    # A row can only have come to nothing where a count went down (a summary row holds at
    # least one household, or it is not there).
    fewer = {which for (which, *_key, column), n in counts.items() if n < 0 and column in ("households", "warned")}
    for kind, table, empty in (("status", STATUS, STATUS.c.households == 0), ("days", DAYS, DAYS.c.warned == 0)):
        if kind in fewer:
            connection.execute(table.delete().where(table.c.campaign_id.in_(campaigns),
                                                    table.c.village_id.in_(villages), empty))


def _order(item):
    (which, *key), _ = item
    return (which, *map(str, key))


def _add_rows(connection, table: sa.Table, keys: tuple[str, ...], rows: list[dict]) -> None:
    """Add the rows' figures to the existing ones (insert when absent): an upsert that adds,
    in the key order, so concurrent upkeeps never deadlock."""
    upsert_rows(connection, table, keys, rows, adding=True)
