"""Checks on visits, computed by the server once a batch of visits is stored. They flag a
visit for the commander's review; they never refuse one.

- `far`: the fix lies more than CHECK_FAR_M + its accuracy from the household's point.
- `no_fix` / `poor_fix`: no point at all / a fix less exact than CHECK_POOR_FIX_M.
- `burst`: the recorder went faster than CHECK_WALK_KMH between this visit and the one before
  or after it (their points, or the households' when a visit has none; both accuracies are
  granted), or recorded more than CHECK_BURST_PER_MINUTE warnings within a minute.
- `late_entry`: received more than CHECK_LATE_HOURS after the visit's device time.
- `odd_hours`: the device time falls in CHECK_ODD_HOURS (e.g. "22-6"), Vietnam time.

A correction changes what was recorded, not where and when the door was knocked: it carries
the checks of the visit it supersedes (each with `carried_from`) instead of its own.

`flag(ids)` runs for a list of visits in a few queries (a 200-visit sync batch: four), then
lets households without a point learn one from a visit that is not part of a burst
(`points.learn`; that visit's own `far` cannot be judged, the next ones' can).
"""
from __future__ import annotations

import bisect
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from .. import labels
from ..extensions import db
from ..households.models import Household
from ..timeutil import VN
from ..visits.models import Visit
from .models import VisitCheck

CHECKS = tuple(labels.CHECKS)  # far, no_fix, poor_fix, burst, late_entry, odd_hours
NEIGHBOURS = timedelta(hours=1)  # visits further apart in time cannot show a walk too fast
BURST_WINDOW = timedelta(seconds=60)  # warnings counted together: `_most_in_a_minute`, and what `_around` reads
EARTH_M = 6_371_000


@dataclass
class Row:
    """What the checks read of one visit."""

    id: object
    user_id: int
    household_id: object
    outcome: str
    recorded_at: datetime
    received_at: datetime
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    supersedes_id: object
    home_lat: float | None
    home_lon: float | None

    @property
    def point(self) -> tuple[float, float, float] | None:
        """Where the visit happened, as (lat, lon, accuracy): its fix, else its house."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon, self.accuracy_m or 0.0
        if self.home_lat is not None and self.home_lon is not None:
            return self.home_lat, self.home_lon, 0.0
        return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def _columns():
    return (Visit.id, Visit.user_id, Visit.household_id, Visit.outcome, Visit.recorded_at, Visit.received_at,
            Visit.lat, Visit.lon, Visit.accuracy_m, Visit.supersedes_id,
            Household.lat.label("home_lat"), Household.lon.label("home_lon"))


def load(ids) -> list[Row]:
    ids = list(ids)
    rows = []
    for start in range(0, len(ids), 500):
        query = sa.select(*_columns()).join(Household, Household.id == Visit.household_id).where(
            Visit.id.in_(ids[start:start + 500]))
        rows += [Row(*r) for r in db.session.connection().execute(query)]
    return rows


def after_store(ids) -> None:
    """The one hook every write path calls once its visits are stored (the sync batch, the
    web form, the quick tap): flag them. A failure here is logged and never fails the visits."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return
    try:
        with db.session.begin_nested():
            flag(ids)
    except Exception:  # noqa: BLE001 - checks flag, they never refuse
        current_app.logger.exception("Checks failed for %d visits", len(ids))


def flag(ids) -> dict:
    """Compute and store the checks of the stored visits `ids`; {visit id: [(code, figures)]}."""
    from .points import learn

    rows = load(ids)
    if not rows:
        return {}
    fresh = [r for r in rows if r.supersedes_id is None]
    found = compute(fresh, _timelines(fresh)) if fresh else {}
    # A burst of taps at the station must not teach houses the station's point.
    learn([r for r in fresh if not any(code == "burst" for code, _figures in found[r.id])])
    found.update(_carried([r for r in rows if r.supersedes_id is not None], found))
    store(found)
    return found


def store(found: dict) -> None:
    rows = [{"visit_id": vid, "code": code, "figures": figures}
            for vid, checks in found.items() for code, figures in checks]
    if rows:
        db.session.connection().execute(VisitCheck.__table__.insert(), rows)


def compute(rows: list[Row], timelines: dict) -> dict:
    """{visit id: [(code, figures)]} for rows, with each recorder's visits around them."""
    settings = _settings()
    return {r.id: [c for c in (_far(r, settings), _fix(r, settings), _burst(r, timelines[r.user_id], settings),
                               _late(r, settings), _odd(r, settings)) if c]
            for r in rows}


def _settings() -> dict:
    config = current_app.config
    start, _dash, end = str(config["CHECK_ODD_HOURS"]).partition("-")
    return {"far": config["CHECK_FAR_M"], "poor": config["CHECK_POOR_FIX_M"],
            "walk": config["CHECK_WALK_KMH"], "per_minute": config["CHECK_BURST_PER_MINUTE"],
            "late": config["CHECK_LATE_HOURS"], "odd": (int(start or 22), int(end or 6))}


def _far(r: Row, s: dict):
    if r.lat is None or r.lon is None or r.home_lat is None or r.home_lon is None:
        return None
    gap = distance_m(r.lat, r.lon, r.home_lat, r.home_lon)
    limit = s["far"] + (r.accuracy_m or 0)
    if gap <= limit:
        return None
    return "far", {"distance_m": round(gap, 1), "accuracy_m": r.accuracy_m, "limit_m": round(limit, 1)}


def _fix(r: Row, s: dict):
    if r.lat is None or r.lon is None:
        return "no_fix", {}
    if r.accuracy_m is not None and r.accuracy_m > s["poor"]:
        return "poor_fix", {"accuracy_m": r.accuracy_m, "limit_m": s["poor"]}
    return None


def _late(r: Row, s: dict):
    hours = (r.received_at - r.recorded_at).total_seconds() / 3600
    if hours <= s["late"]:
        return None
    return "late_entry", {"hours": round(hours, 1), "limit_h": s["late"]}


def _odd(r: Row, s: dict):
    local = r.recorded_at.replace(tzinfo=timezone.utc).astimezone(VN)
    start, end = s["odd"]
    hour = local.hour
    odd = (start <= hour or hour < end) if start > end else (start <= hour < end)
    return ("odd_hours", {"local_time": local.strftime("%H:%M")}) if odd else None


# --- burst ---------------------------------------------------------------------------


class Timeline:
    """One recorder's visits in force around the checked ones, in device-time order: their
    (time, id, outcome) only; the full rows of the checked visits and of their neighbours
    (`neighbours`) are in `rows`, filled by `_timelines`."""

    def __init__(self, rows: list[Row] = (), entries: list[tuple] | None = None):
        """From all the full `rows`, or from (time, id, outcome) `entries` (then `rows` is
        filled later)."""
        if entries is None:
            entries = [(r.recorded_at, r.id, r.outcome) for r in rows]
        # Device time, then id (UUIDs order as their numbers, as their text does).
        entries = sorted(entries, key=lambda e: (e[0], e[1].int if isinstance(e[1], uuid.UUID) else e[1]))
        self.ids = [vid for _at, vid, _outcome in entries]
        self.position = {vid: n for n, vid in enumerate(self.ids)}
        self.warned = [at for at, _vid, outcome in entries if outcome == "warned"]  # sorted already
        self.rows: dict = {r.id: r for r in rows}  # id → Row
        self.most: dict[datetime, int] = {}  # moment → most warnings in a minute around it

    def neighbours(self, visit_id) -> list:
        """The ids of the visits just before and just after this one (none when it is absent)."""
        n = self.position.get(visit_id)
        return [] if n is None else self.ids[max(0, n - 1):n] + self.ids[n + 1:n + 2]

    def most_in_a_minute(self, moment: datetime) -> int:
        if moment not in self.most:  # a batch holds many visits of the same minute
            self.most[moment] = _most_in_a_minute(moment, self.warned)
        return self.most[moment]


def _timelines(rows: list[Row]) -> dict[int, Timeline]:
    """Each recorder's visits in force around the checked ones: those within a minute of them
    (what `most_in_a_minute` counts) and, on each side of that stretch, the nearest one within
    NEIGHBOURS (a checked visit's neighbour when it has none nearer): their times and outcomes
    in one query (`ix_visits_user_recorded`), then the full rows of the checked visits'
    neighbours that are not checked themselves in another. The neighbours and the counts are
    those of the whole timeline within NEIGHBOURS, without reading it (thousands of visits, in
    a busy hour)."""
    users = {r.user_id for r in rows}
    first = min(r.recorded_at for r in rows)
    last = max(r.recorded_at for r in rows)
    by_user: dict[int, list[tuple]] = defaultdict(list)
    for user_id, *entry in db.session.connection().execute(_around(users, first, last)):
        by_user[user_id].append(tuple(entry))
    lines = {user: Timeline(entries=by_user[user]) for user in users}
    known = {r.id: r for r in rows}
    wanted = {vid for r in rows for vid in lines[r.user_id].neighbours(r.id)} - known.keys()
    known.update((r.id, r) for r in load(wanted))
    for line in lines.values():
        line.rows = known
    return lines


def _around(users: set[int], first: datetime, last: datetime) -> sa.Select:
    """(user_id, recorded_at, id, outcome) of the recorders' visits in force within a minute of
    [first, last], and of each one's nearest visit before and after that within NEIGHBOURS."""
    minute = BURST_WINDOW
    columns = (Visit.user_id, Visit.recorded_at, Visit.id, Visit.outcome)
    near = sa.select(*columns).where(Visit.user_id.in_(users), Visit.in_force,
                                     Visit.recorded_at >= first - minute, Visit.recorded_at <= last + minute)
    parts = [near]
    for user in users:
        before = (sa.select(*columns).where(Visit.user_id == user, Visit.in_force, Visit.recorded_at < first - minute,
                                            Visit.recorded_at >= first - NEIGHBOURS)
                  .order_by(Visit.recorded_at.desc(), Visit.id.desc()).limit(1))
        after = (sa.select(*columns).where(Visit.user_id == user, Visit.in_force, Visit.recorded_at > last + minute,
                                           Visit.recorded_at <= last + NEIGHBOURS)
                 .order_by(Visit.recorded_at, Visit.id).limit(1))
        parts += [before.subquery().select(), after.subquery().select()]
    return sa.union_all(*parts)


def _burst(r: Row, line: Timeline, s: dict):
    figures = {}
    fastest = _fastest_neighbour(r, line)
    if fastest and fastest["speed_kmh"] > s["walk"]:
        figures.update(fastest)
    if r.outcome == "warned":
        most = line.most_in_a_minute(r.recorded_at)
        if most > s["per_minute"]:
            figures["per_minute"] = most
    return ("burst", figures) if figures else None


def _fastest_neighbour(r: Row, line: Timeline) -> dict | None:
    """Speed to the visit just before and just after this one (device time, then id)."""
    here = r.point
    if here is None:
        return None
    best = None
    for other in (line.rows[vid] for vid in line.neighbours(r.id)):
        there = other.point
        if there is None:
            continue
        gap = distance_m(here[0], here[1], there[0], there[1])
        granted = max(0.0, gap - here[2] - there[2])
        seconds = abs((other.recorded_at - r.recorded_at).total_seconds())
        speed = granted / max(seconds, 1.0) * 3.6
        if best is None or speed > best["speed_kmh"]:
            best = {"speed_kmh": round(speed, 1), "distance_m": round(gap, 1), "seconds": round(seconds),
                    "other_visit": str(other.id)}
    return best


def _most_in_a_minute(moment: datetime, warned: list[datetime]) -> int:
    """The most warnings in any 60-second window that holds `moment` (`warned` sorted)."""
    minute = BURST_WINDOW
    starts = sorted(set(warned[bisect.bisect_left(warned, moment - minute):bisect.bisect_right(warned, moment)]))
    return max((bisect.bisect_left(warned, start + minute) - bisect.bisect_left(warned, start)
                for start in starts), default=0)


# --- corrections ------------------------------------------------------------------------


def _carried(rows: list[Row], fresh: dict) -> dict:
    """A correction's checks: those of the visit it supersedes (checked in this same run, or
    stored before); one query."""
    if not rows:
        return {}
    originals = defaultdict(list, {key: list(found) for key, found in fresh.items()})
    query = sa.select(VisitCheck).where(VisitCheck.visit_id.in_({r.supersedes_id for r in rows} - set(fresh)))
    for check in db.session.scalars(query):
        originals[check.visit_id].append((check.code, check.figures or {}))
    return {r.id: [(code, {**{k: v for k, v in figures.items() if k != "carried_from"},
                           "carried_from": str(figures.get("carried_from") or r.supersedes_id)})
                   for code, figures in originals[r.supersedes_id]] for r in rows}
