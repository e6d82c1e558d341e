"""Was this household warned by a given day, by whom, and who answered for its village?

The one place that computes it: the incident page, the incident list, its XLSX export and
`GET /api/households/<id>/warned` all call `assess` / `assess_many`.

**A visit is "in force by the end of day D"** (D a calendar day in Vietnam, UTC+7) when,
with `cutoff = end_of_day_utc(D)` (midnight at the end of D, Vietnam time, as UTC):

* the server had received it before the cutoff (`received_at < cutoff`) — its visit time
  (`Visit.visited_at`: the device's time, or the receipt time when the device's clock ran
  ahead of it) is then before the cutoff too — and
* it had not been replaced by then (`replaced_at IS NULL OR replaced_at >= cutoff`)
  (`Visit.in_force_by`):
  a correction or withdrawal received after D does not rewrite what was known on D, and a
  correction received by D counts instead of the visit it replaced.

Back-dated entries: a visit whose device time falls on or before D but that reached the server
only after D is **not** in force by D. For responsibility the question is what the record
showed at the time, so the server's clock (`received_at`) decides, never the device's; the
visit does count from the day it arrived.

Visits of every campaign count. The verdict over the visits in force:
``warned`` (some visit was `warned`), else ``attempted`` (some `nobody_home` / `refused`),
else ``moved_away`` (only visits that found the household gone), else ``not_visited``.
A household not warned by then may have been warned since: `later` is the first warning in
force today that was not in force by the day (so a verdict never says "never").

**Responsible** on a day: the users who record visits (the `record` permission: officers,
team members, commanders) whose assignment to the household's village covers that day
(`Assignment.covers`), from the assignment history; village heads are assigned for
reading only and are not listed.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import Assignment, User
from ..auth.permissions import roles_with
from ..extensions import db
from ..households.models import Household
from ..timeutil import end_of_day_utc, vn_date
from ..visits.models import Visit

ATTEMPTS = ("nobody_home", "refused")


@dataclass
class Verdict:
    household_id: uuid.UUID
    as_of: date  # visits in force by the end of this day
    assigned_on: date  # responsible users on this day
    visits: list[Visit] = field(default_factory=list)  # in force, oldest received first
    responsible: list[Assignment] = field(default_factory=list)
    later: Visit | None = None  # the first warning after the day, in force today
    trail: list[Visit] = field(default_factory=list)  # every visit, corrected ones too, by receipt

    @property
    def later_on(self) -> date | None:
        """The day of the later warning: its visit's day, or the day it reached the server when
        it was entered afterwards with an earlier time (it was not on record before)."""
        if self.later is None:
            return None
        moment = self.later.recorded_at if self.later.recorded_at >= end_of_day_utc(self.as_of) \
            else self.later.received_at
        return vn_date(moment)

    @property
    def warned_visits(self) -> list[Visit]:
        return [v for v in self.visits if v.outcome == "warned"]

    @property
    def attempts(self) -> list[Visit]:
        return [v for v in self.visits if v.outcome in ATTEMPTS]

    @property
    def status(self) -> str:
        if self.warned_visits:
            return "warned"
        if self.attempts:
            return "attempted"
        return "moved_away" if self.visits else "not_visited"

    @property
    def warned(self) -> bool:
        return self.status == "warned"


def assess(household: Household, as_of: date, assigned_on: date | None = None) -> Verdict:
    """The verdict for one household by the end of `as_of` (responsible on `assigned_on`)."""
    return assess_many([(household, as_of, assigned_on or as_of)])[0]


def assess_many(cases: list[tuple[Household, date, date]]) -> list[Verdict]:
    """Verdicts for (household, as_of, assigned_on) cases, in order, with three queries."""
    if not cases:
        return []
    visits = _visits({h.id for h, *_ in cases})
    assignments = _assignments({h.village_id for h, *_ in cases},
                               min(on for *_, on in cases), max(on for *_, on in cases))
    verdicts = []
    for household, as_of, assigned_on in cases:
        cutoff = end_of_day_utc(as_of)
        trail = visits[household.id]
        in_force = [v for v in trail if v.in_force_by(cutoff)]
        verdict = Verdict(household.id, as_of, assigned_on, visits=in_force, trail=trail,
                          responsible=[a for a in assignments[household.village_id] if a.covers(assigned_on)])
        if not verdict.warned:
            verdict.later = _first_warning_since(trail, in_force)
        verdicts.append(verdict)
    return verdicts


def _first_warning_since(trail: list[Visit], in_force_then: list[Visit]) -> Visit | None:
    since = [v for v in trail if v.outcome == "warned" and v.in_force and v not in in_force_then]
    return min(since, key=lambda v: (v.recorded_at, v.received_at), default=None)


def _visits(household_ids: set) -> dict[uuid.UUID, list[Visit]]:
    rows = db.session.scalars(
        sa.select(Visit)
        .where(Visit.household_id.in_(household_ids))
        .order_by(Visit.received_at, Visit.id)
        .options(selectinload(Visit.topic_rows), selectinload(Visit.companions),
                 joinedload(Visit.user))
    )
    grouped: dict[uuid.UUID, list[Visit]] = defaultdict(list)
    for visit in rows:
        grouped[visit.household_id].append(visit)
    return grouped


def _assignments(village_ids: set, first: date, last: date) -> dict[int, list[Assignment]]:
    rows = db.session.scalars(
        sa.select(Assignment)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.village_id.in_(village_ids), User.role.in_(roles_with("record")),
               Assignment.overlaps(first, last))
        .order_by(Assignment.starts_on, User.username)
        .options(joinedload(Assignment.user))
    )
    grouped: dict[int, list[Assignment]] = defaultdict(list)
    for row in rows:
        grouped[row.village_id].append(row)
    return grouped


def as_json(verdict: Verdict) -> dict:
    """The contract of `GET /api/households/<id>/warned` (design.md, "Accountability")."""
    from ..timeutil import iso_utc

    return {
        "household_id": str(verdict.household_id),
        "as_of": verdict.as_of.isoformat(),
        "warned": verdict.warned,
        "status": verdict.status,
        "visits": [{
            "id": str(v.id), "visited_at": iso_utc(v.visited_at), "received_at": iso_utc(v.received_at),
            "outcome": v.outcome, "by": [u.username for u in v.people], "topics": v.topics,
            "youth_reached": v.youth_reached, "people_reached": v.people_reached,
            "supersedes": str(v.supersedes_id) if v.supersedes_id else None, "reason": v.reason,
        } for v in verdict.visits],
        "warned_after": None if verdict.later is None else {
            "id": str(verdict.later.id), "visited_at": iso_utc(verdict.later.recorded_at),
            "received_at": iso_utc(verdict.later.received_at), "on": verdict.later_on.isoformat()},
        "responsible": [{
            "username": a.user.username, "name": a.user.display_name, "title": a.user.title,
            "from": a.starts_on.isoformat(), "to": a.ends_on.isoformat() if a.ends_on else None,
        } for a in verdict.responsible],
    }
