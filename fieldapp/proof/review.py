"""Reading the checks: a visit's flags, the flagged visits of an area (grouped by officer and
flag, filtered, paged) and the commander's marks on them. Visits in force only: a replaced
visit's checks stay in its history, and a correction carries them (see checks.py)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..accountability import audit
from ..auth import scoping
from ..auth.models import User
from ..auth.permissions import roles_with
from ..extensions import db
from ..households.models import Household
from ..register.models import Village
from ..timeutil import end_of_day_utc
from ..visits.models import Visit
from .checks import CHECKS
from .models import CheckReview, VisitCheck


def checks_of(visit_ids) -> dict:
    """{visit id: [(code, figures)]} in CHECKS order, for every id asked (empty lists too)."""
    found = defaultdict(list)
    ids = list(visit_ids)
    if ids:
        for check in db.session.scalars(sa.select(VisitCheck).where(VisitCheck.visit_id.in_(ids))):
            found[check.visit_id].append((check.code, check.figures or {}))
    return {vid: sorted(found[vid], key=lambda c: CHECKS.index(c[0]) if c[0] in CHECKS else 99) for vid in ids}


@dataclass
class Filters:
    village_id: int | None = None
    officer: str | None = None
    flag: str | None = None
    state: str = "open"  # open (not reviewed) | fine | problem | all
    date_from: date | None = None
    date_to: date | None = None


def _latest_marks() -> sa.Select:
    """Ids of the latest CheckReview of each visit."""
    return sa.select(sa.func.max(CheckReview.id)).group_by(CheckReview.visit_id)


def _where(user: User, f: Filters, *, with_group: bool = True) -> list:
    """Conditions on (Visit, Household, User) for the caller's flagged visits in force."""
    flagged = sa.select(VisitCheck.visit_id)
    if with_group and f.flag:
        flagged = flagged.where(VisitCheck.code == f.flag)
    where = [Visit.in_force, Visit.id.in_(flagged),
             Household.village_id.in_(scoping.village_ids(user))]
    if user.role == "officer":  # officers see their own flags
        where.append(Visit.user_id == user.id)
    if f.village_id:
        where.append(Household.village_id == f.village_id)
    if with_group and f.officer:
        where.append(User.username == f.officer)
    if f.date_from:
        where.append(Visit.recorded_at >= end_of_day_utc(f.date_from - timedelta(days=1)))
    if f.date_to:
        where.append(Visit.recorded_at < end_of_day_utc(f.date_to))
    marked = sa.select(CheckReview.visit_id)
    if f.state == "open":
        where.append(Visit.id.not_in(marked))
    elif f.state in ("fine", "problem"):
        where.append(Visit.id.in_(marked.where(CheckReview.id.in_(_latest_marks()),
                                               CheckReview.verdict == f.state)))
    return where


def flagged(user: User, f: Filters) -> sa.Select:
    """SELECT (Visit, Household, Village, User) of the flagged visits, by officer then newest."""
    return (sa.select(Visit, Household, Village, User)
            .join(Household, Household.id == Visit.household_id)
            .join(Village, Village.id == Household.village_id)
            .join(User, User.id == Visit.user_id)
            .where(*_where(user, f))
            .order_by(User.username, Visit.recorded_at.desc(), Visit.id))


def groups(user: User, f: Filters) -> list[tuple[User, dict[str, int]]]:
    """Each officer with the number of flagged visits per check (village, date and review
    filters applied, not the officer and check ones); two queries."""
    query = (sa.select(Visit.user_id, VisitCheck.code, sa.func.count())
             .select_from(Visit)
             .join(VisitCheck, VisitCheck.visit_id == Visit.id)
             .join(Household, Household.id == Visit.household_id)
             .where(*_where(user, f, with_group=False))
             .group_by(Visit.user_id, VisitCheck.code))
    counts: dict[int, dict[str, int]] = {}
    for user_id, code, n in db.session.execute(query):
        counts.setdefault(user_id, dict.fromkeys(CHECKS, 0))[code] = n
    people = db.session.scalars(sa.select(User).where(User.id.in_(counts)).order_by(User.username)) if counts else []
    return [(person, counts[person.id]) for person in people]


def marks_of(visit_ids) -> dict:
    """{visit id: latest CheckReview} for the visits that have one; one query."""
    ids = list(visit_ids)
    if not ids:
        return {}
    query = (sa.select(CheckReview).where(CheckReview.id.in_(_latest_marks().where(CheckReview.visit_id.in_(ids))))
             .options(sa.orm.joinedload(CheckReview.user)))
    return {m.visit_id: m for m in db.session.scalars(query)}


def officers(user: User) -> list[User]:
    """Whose flags the caller may filter by: the commune's field users (an officer: himself)."""
    if user.role == "officer":
        return [user]
    return list(db.session.scalars(sa.select(User).where(
        User.id.in_(scoping.user_ids(user)), User.role.in_(roles_with("record"))).order_by(User.username)))


def mark(visit: Visit, user: User, verdict: str, note: str) -> CheckReview:
    """Record the commander's reading of a flagged visit (rows are only added)."""
    review = CheckReview(visit_id=visit.id, user_id=user.id, verdict=verdict, note=note.strip())
    db.session.add(review)
    audit.record("check_review", "visit", visit.id, verdict=verdict)
    db.session.flush()
    return review
