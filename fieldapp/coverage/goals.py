"""Where each village should be by now, and who is late: the dashboard's "who is behind".

A village's goal is its own target and deadline in the campaign (`campaigns.targets`),
else the dashboard's target and the campaign's last day. By a day, a village is expected to
have reached its target in proportion to the days gone from the campaign's start to its
deadline (all of it from the deadline on); it is **behind** when its coverage is under that.

An officer is listed in "Ai đang chậm" when idle (no visit received for `idle_days` days,
or none at all) or answering today for a village that is behind; each with his villages,
their coverage, his last visit as the server received it, and his phone.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from ..auth import scoping
from ..auth.models import Assignment, User
from ..campaigns.models import Campaign
from ..campaigns.targets import targets_of
from ..extensions import db
from ..text import natural_key
from ..timeutil import vn_date
from .activity import Activity
from .queries import Coverage


@dataclass(frozen=True)
class Goal:
    target: float  # 0–1
    due_on: date
    own: bool  # set for the village, not the default

    def expected(self, start: date, on: date) -> float:
        """The coverage the village should have by the end of `on`."""
        span = (self.due_on - start).days + 1
        done = (on - start).days + 1
        return self.target if span <= 0 or done >= span else self.target * max(done, 0) / span


def goals(campaign: Campaign, village_ids: sa.Select, default_pct: int) -> dict[int, Goal]:
    """{village id: its goal} for the villages that have their own; `default(...)` for the rest."""
    return {vid: Goal((t.target_pct or default_pct) / 100, t.due_on or campaign.ends_on, True)
            for vid, t in targets_of(campaign.id, village_ids).items()}


def goal_of(village_id: int, own: dict[int, Goal], campaign: Campaign | None, default_pct: int) -> Goal | None:
    if village_id in own:
        return own[village_id]
    return Goal(default_pct / 100, campaign.ends_on, False) if campaign else None


def behind(rows: list[Coverage], campaign: Campaign, on: date, own: dict[int, Goal],
           default_pct: int) -> list[tuple[Coverage, Goal, float]]:
    """(row, goal, expected by `on`) of the villages under their expected coverage, lowest first."""
    late = []
    for row in rows:
        goal = goal_of(row.village.id, own, campaign, default_pct)
        expected = goal.expected(campaign.starts_on, on)
        if row.base and (row.coverage or 0) < expected:
            late.append((row, goal, expected))
    return sorted(late, key=lambda t: ((t[0].coverage or 0) - t[2], t[0].village.code))


def responsible(village_ids: sa.Select, on: date) -> dict[int, list[User]]:
    """{village id: the officers assigned to it on `on`} (the village table's "phụ trách"); 1 query."""
    rows = db.session.execute(
        sa.select(Assignment.village_id, User).join(User, User.id == Assignment.user_id)
        .where(Assignment.village_id.in_(village_ids), Assignment.covers(on),
               User.role == "officer", User.active)
        .order_by(Assignment.village_id, User.username))
    found: dict[int, list[User]] = defaultdict(list)
    for village_id, user in rows:
        if user not in found[village_id]:
            found[village_id].append(user)
    return found


@dataclass
class Laggard:
    user: User
    villages: list[Coverage] = field(default_factory=list)
    late: list[Coverage] = field(default_factory=list)  # of his villages, those behind
    last_received: datetime | None = None
    idle_days: int | None = None  # None: no visit yet

    @property
    def coverage(self) -> float | None:
        base = sum(v.base for v in self.villages)
        return sum(v.counts["warned"] for v in self.villages) / base if base else None

    idle_after: int = 3  # days without a visit received

    @property
    def idle(self) -> bool:
        return self.idle_days is None or self.idle_days >= self.idle_after


def laggards(rows: list[Coverage], late: list[tuple[Coverage, Goal, float]], who: dict[int, list[User]],
             activity: list[Activity], on: date, idle_days: int) -> list[Laggard]:
    """Officers idle for `idle_days` or answering for a village that is behind: the idle
    longest first, then the lowest coverage."""
    by_village = {r.village.id: r for r in rows}
    late_ids = {r.village.id for r, *_ in late}
    people: dict[int, Laggard] = {}
    for village_id, users in who.items():
        for user in users:
            entry = people.setdefault(user.id, Laggard(user, idle_after=idle_days))
            if village_id in by_village:
                entry.villages.append(by_village[village_id])
                if village_id in late_ids:
                    entry.late.append(by_village[village_id])
    for act in activity:
        if act.user.id in people and act.last_received is not None:
            people[act.user.id].last_received = act.last_received
            people[act.user.id].idle_days = (on - vn_date(act.last_received)).days
    listed = [p for p in people.values() if p.idle or p.late]
    never = 10**6
    return sorted(listed, key=lambda p: (not p.idle, -(never if p.idle_days is None else p.idle_days) if p.idle else 0,
                                         p.coverage or 0, natural_key(p.user.username)))
