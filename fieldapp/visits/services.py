"""Recording visits: the one write path for the web form, the quick actions and sync.

`visit_rows` builds a visit's rows (checked by the caller beforehand), `store_visits` inserts
any number of them together and sends `visits_stored`; `record_visit` does both for one.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from ..accountability import audit
from ..auth.models import Assignment, User
from ..auth.permissions import roles_with
from ..campaigns.models import Campaign
from ..extensions import db
from ..households.queries import survivor
from ..households.models import Household
from ..timeutil import to_utc_naive, today_vn, utcnow
from .models import Visit, VisitMaterial, VisitTopic, visit_companions
from .signals import visits_stored


def refusal(campaign: Campaign, day: date) -> str | None:
    """Why a visit made on `day` (Vietnam) cannot be recorded in the campaign, or None: a
    closed campaign takes nothing more, and a visit must fall within the campaign's dates."""
    from flask_babel import gettext as _

    from ..i18n import vn_date

    if campaign.closed_at is not None:
        return _("The campaign “%(name)s” is closed: its record is final.", name=campaign.name)
    if not campaign.includes(day):
        return _("%(day)s is outside the campaign's dates (%(start)s – %(end)s).", day=vn_date(day),
                 start=vn_date(campaign.starts_on), end=vn_date(campaign.ends_on))
    return None


def village_teams(village_ids, exclude: User | None = None) -> dict[int, list[User]]:
    """Each village's team today (active officers and team members assigned on today's
    date), by username, `exclude` left out: who may go along on a visit. One query."""
    rows = db.session.execute(
        sa.select(Assignment.village_id, User)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.village_id.in_(village_ids), Assignment.covers(today_vn()),
               User.role.in_(roles_with("record")), User.active,
               sa.true() if exclude is None else User.id != exclude.id)
        .distinct().order_by(Assignment.village_id, User.username)
    )
    teams: dict[int, list[User]] = {village_id: [] for village_id in village_ids}
    for village_id, member in rows:
        teams[village_id].append(member)
    return teams


def village_team(village_id: int, exclude: User | None = None) -> list[User]:
    """People assigned to the village today (officers and team members), for companions."""
    return village_teams([village_id], exclude)[village_id]


def users_by_username(usernames: list[str]) -> list[User]:
    if not usernames:
        return []
    return list(db.session.scalars(sa.select(User).where(User.username.in_(usernames))))


@dataclass
class NewVisits:
    """Rows of visits about to be inserted together by `store_visits`: a web tap holds one,
    a sync batch up to 200."""

    visits: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)
    companions: list[dict] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)
    replaced: list[Visit] = field(default_factory=list)  # superseded, marked when stored

    def __bool__(self) -> bool:
        return bool(self.visits or self.audit)

    def mark(self) -> tuple[int, ...]:
        return tuple(len(rows) for rows in self._lists())

    def rewind(self, mark: tuple[int, ...]) -> None:
        """Forget what was added since `mark` (an entry refused after all)."""
        for rows, length in zip(self._lists(), mark):
            del rows[length:]

    def _lists(self) -> tuple[list, ...]:
        return self.visits, self.topics, self.materials, self.companions, self.audit, self.replaced


def record_visit(household: Household, campaign: Campaign, user: User, values: dict, *,
                 visit_id: uuid.UUID | None = None, recorded_at: datetime | None = None,
                 device_id: str = "web", seq: int | None = None, supersedes: Visit | None = None,
                 reason: str | None = None, audit_rows: list[dict] | None = None) -> Visit:
    """Add a visit (and its topics, materials, companions) and its `visit_create` audit
    event now (`visit_rows` then `store_visits`); flush, never commit. When `audit_rows` is
    given, the audit event is appended there for the caller to insert instead."""
    rows = NewVisits()
    new_id = visit_rows(household, campaign, user, values, rows, visit_id=visit_id, recorded_at=recorded_at,
                        device_id=device_id, seq=seq, supersedes=supersedes, reason=reason)
    if audit_rows is not None:
        audit_rows.extend(rows.audit)
        rows.audit = []
    store_visits(rows)
    return db.session.get(Visit, new_id)


def visit_rows(household: Household, campaign: Campaign, user: User, values: dict, into: NewVisits, *,
               visit_id: uuid.UUID | None = None, recorded_at: datetime | None = None,
               device_id: str = "web", seq: int | None = None, supersedes: Visit | None = None,
               reason: str | None = None, package: dict | None = None) -> uuid.UUID:
    """The rows of a new visit, added to `into` (nothing written yet); its id.

    `recorded_at` is the device's aware time; without one the server's clock is used.
    A visit that supersedes another (a correction, with its `reason`) marks the old one
    replaced; the old row stays. A visit recording exactly the campaign's standard package
    for its outcome is marked `standard`, the others detailed.
    A visit addressed to a merged household (a stale page, an old offline pack) is recorded
    on its survivor, following `merged_into_id` through every hop; the audit event's detail
    keeps the household addressed as `merged_from`.
    """
    addressed, household = household, survivor(household)
    now = utcnow()
    moment = recorded_at or datetime.now(timezone.utc).astimezone()
    offset = moment.utcoffset() or timedelta(0)
    new_id = visit_id or uuid.uuid4()
    into.visits.append(dict(
        id=new_id, household_id=household.id, campaign_id=campaign.id, user_id=user.id,
        outcome=values["outcome"], recorded_at=to_utc_naive(moment),
        recorded_offset_min=int(offset.total_seconds() // 60), received_at=now, device_id=device_id, seq=seq,
        people_reached=values.get("people_reached") or 0, youth_reached=values.get("youth_reached") or 0,
        commitment_signed=bool(values.get("commitment_signed")), note=values.get("note") or "",
        lat=values.get("lat"), lon=values.get("lon"), accuracy_m=values.get("accuracy_m"),
        supersedes_id=supersedes.id if supersedes else None, replaced_at=None, replaced_reason=None,
        reason=reason, standard=is_standard(campaign, values, package),
    ))
    into.topics += [{"visit_id": new_id, "topic_code": c} for c in dict.fromkeys(values.get("topics") or [])]
    into.materials += [{"visit_id": new_id, "code": c} for c in dict.fromkeys(values.get("materials") or [])]
    into.companions += [{"visit_id": new_id, "user_id": u.id}
                        for u in users_by_username(values.get("companions") or []) if u.id != user.id]
    if supersedes is not None:
        into.replaced.append(supersedes)
    detail = {"household": str(household.id), "campaign": campaign.id, "outcome": values["outcome"]}
    if addressed.id != household.id:
        detail["merged_from"] = str(addressed.id)
    if supersedes is not None:
        detail["supersedes"] = str(supersedes.id)
    into.audit.append(audit.row("visit_create", "visit", new_id, user, **detail))
    return new_id


def store_visits(rows: NewVisits) -> None:
    """Insert the collected visits with their topics, materials, companions and audit events,
    a few statements whatever their number, mark the visits they supersede, and tell
    `visits_stored`. Flushes, never commits."""
    connection = db.session.connection()
    for table, values in ((Visit.__table__, rows.visits), (VisitTopic.__table__, rows.topics),
                          (VisitMaterial.__table__, rows.materials), (visit_companions, rows.companions)):
        if values:
            connection.execute(table.insert(), values)
    audit.insert_rows(rows.audit)
    now = utcnow()
    for old in rows.replaced:
        if old.in_force:
            old.replaced_at, old.replaced_reason = now, "corrected"
    if rows.replaced:
        db.session.flush()
    if rows.visits:
        visits_stored.send(current_app._get_current_object(), visits=rows.visits)


def standard_values(campaign: Campaign, outcome: str, point: dict | None = None) -> dict:
    """The one-tap visit: the campaign's standard package when warned, nothing at all for
    the other outcomes. The phone builds the same from the pack (`TN.standardVisit`)."""
    warned, package = outcome == "warned", campaign.standard
    return {
        "outcome": outcome, "topics": package["topics"] if warned else [],
        "materials": package["materials"] if warned else [], "people_reached": 1 if warned else 0,
        "youth_reached": 0, "commitment_signed": False, "companions": [], "note": "",
        **(point or {}),
    }


def is_standard(campaign: Campaign, values: dict, package: dict | None = None) -> bool:
    """The visit records the standard package for its outcome: the same topics and materials,
    no signed commitment (more than that is a detailed visit). `package`: the campaign's
    `standard_values` for the outcome, when the caller has them already (a sync batch)."""
    package = package or standard_values(campaign, values["outcome"])
    return (set(values.get("topics") or []) == set(package["topics"])
            and set(values.get("materials") or []) == set(package["materials"])
            and not values.get("commitment_signed"))


def recorded_text(visit: Visit) -> str:
    """What a visit recorded, in words: "Đã cảnh báo · 12 nội dung · Tờ rơi"."""
    from flask_babel import ngettext

    from ..labels import MATERIALS, OUTCOMES

    parts = [OUTCOMES.label(visit.outcome)]
    if visit.topics:
        parts.append(ngettext("%(num)d topic", "%(num)d topics", len(visit.topics)))
    parts += [str(label) for code, label in MATERIALS.items() if code in visit.materials]
    return " · ".join(parts)


def history(household: Household) -> list[Visit]:
    """All visits of a household, newest received first (never ordered by device time)."""
    return list(db.session.scalars(
        sa.select(Visit).where(Visit.household_id == household.id)
        .order_by(Visit.received_at.desc())
        .options(sa.orm.selectinload(Visit.topic_rows), sa.orm.selectinload(Visit.material_rows),
                 sa.orm.selectinload(Visit.companions), sa.orm.joinedload(Visit.user),
                 sa.orm.joinedload(Visit.campaign))
    ))
