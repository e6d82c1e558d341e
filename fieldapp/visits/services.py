"""Recording visits: the one write path for the web form, the quick actions and sync."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from ..accountability import audit
from ..auth.models import Assignment, User
from ..auth.permissions import roles_with
from ..campaigns.models import Campaign
from ..extensions import db
from ..households.queries import survivor
from ..households.models import Household
from ..timeutil import to_utc_naive, today_vn, utcnow
from .models import Visit, VisitMaterial, VisitTopic


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


def record_visit(household: Household, campaign: Campaign, user: User, values: dict, *,
                 visit_id: uuid.UUID | None = None, recorded_at: datetime | None = None,
                 device_id: str = "web", seq: int | None = None, supersedes: Visit | None = None,
                 reason: str | None = None, audit_rows: list[dict] | None = None) -> Visit:
    """Add a visit (and its topics, materials, companions) and its `visit_create` audit
    event; flush, never commit.

    `recorded_at` is the device's aware time; without one the server's clock is used.
    A visit that supersedes another (a correction, with its `reason`) marks the old one
    replaced; the old row stays. A visit recording exactly the campaign's standard package
    for its outcome is marked `standard`, the others detailed.
    A visit addressed to a merged household (a stale page, an old offline pack) is recorded
    on its survivor, following `merged_into_id` through every hop; the audit event's detail
    keeps the household addressed as `merged_from`.
    The audit event is added to the session, or, when `audit_rows` is given (the sync
    batch), appended there as a row for the caller to insert with its neighbours'.
    """
    addressed, household = household, survivor(household)
    now = utcnow()
    moment = recorded_at or datetime.now(timezone.utc).astimezone()
    offset = moment.utcoffset() or timedelta(0)
    visit = Visit(
        id=visit_id or uuid.uuid4(), household_id=household.id, campaign_id=campaign.id,
        user_id=user.id, outcome=values["outcome"],
        recorded_at=to_utc_naive(moment), recorded_offset_min=int(offset.total_seconds() // 60),
        received_at=now, device_id=device_id, seq=seq,
        people_reached=values.get("people_reached") or 0,
        youth_reached=values.get("youth_reached") or 0,
        commitment_signed=bool(values.get("commitment_signed")),
        note=values.get("note") or "",
        lat=values.get("lat"), lon=values.get("lon"), accuracy_m=values.get("accuracy_m"),
        supersedes_id=supersedes.id if supersedes else None, reason=reason,
        standard=is_standard(campaign, values),
    )
    companions = [u for u in users_by_username(values.get("companions") or []) if u.id != user.id]
    if companions:  # an untouched relationship costs the flush nothing
        visit.companions = companions
    if supersedes is not None and supersedes.in_force:
        supersedes.replaced_at, supersedes.replaced_reason = now, "corrected"
    db.session.add(visit)
    db.session.flush()
    # Topic and material rows in two plain INSERTs: sync applies 200 visits per request.
    topics = [{"visit_id": visit.id, "topic_code": c} for c in dict.fromkeys(values.get("topics") or [])]
    materials = [{"visit_id": visit.id, "code": c} for c in dict.fromkeys(values.get("materials") or [])]
    connection = db.session.connection()
    if topics:
        connection.execute(VisitTopic.__table__.insert(), topics)
    if materials:
        connection.execute(VisitMaterial.__table__.insert(), materials)
    detail = {"household": str(household.id), "campaign": campaign.id, "outcome": visit.outcome}
    if addressed.id != household.id:
        detail["merged_from"] = str(addressed.id)
    if supersedes is not None:
        detail["supersedes"] = str(supersedes.id)
    if audit_rows is None:
        audit.record("visit_create", "visit", visit.id, user=user, **detail)
    else:
        audit_rows.append(audit.row("visit_create", "visit", visit.id, user, **detail))
    return visit


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


def is_standard(campaign: Campaign, values: dict) -> bool:
    """The visit records the standard package for its outcome: the same topics and materials,
    no signed commitment (more than that is a detailed visit)."""
    package = standard_values(campaign, values["outcome"])
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
