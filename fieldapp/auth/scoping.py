"""Area scoping: the one place that answers "may this user see X?".

Officers see the villages they are assigned to today, village heads their village,
commanders their commune, admins everything. Every query of villages, households and
visits starts here; an object outside the caller's area answers 404, never 403, so a
guessed id reveals nothing. (Which pages a role may open at all: `auth.permissions`.)
"""
from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from flask import abort
from werkzeug.routing import IntegerConverter

from ..extensions import db
from ..households.models import Household
from ..register.models import Village
from ..timeutil import today_vn
from .models import Assignment, User

MAX_ID = 2**31 - 1  # integer primary keys


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: an id the databases cannot hold (PostgreSQL's integer ends
    at MAX_ID, SQLite's at 2**63) matches no route, so it answers 404 rather than 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def village_ids(user: User, on: date | None = None) -> sa.Select:
    """A SELECT of the ids of the villages `user` may see (on the day `on`, default today)."""
    if user.role == "admin":
        return sa.select(Village.id)
    if user.role == "commander":
        return sa.select(Village.id).where(Village.commune_id == user.commune_id)
    on = on or today_vn()
    return sa.select(Assignment.village_id).where(
        Assignment.user_id == user.id, Assignment.covers(on)
    )


def villages(user: User) -> sa.Select:
    """The user's villages, ordered by code."""
    return (
        sa.select(Village)
        .where(Village.id.in_(village_ids(user)))
        .order_by(Village.code)
    )


def households(user: User) -> sa.Select:
    """The households in the user's villages (every status)."""
    return sa.select(Household).where(Household.village_id.in_(village_ids(user)))


def user_ids(user: User) -> sa.Select:
    """A SELECT of the ids of the users whose work `user` oversees (commune or everyone)."""
    if user.role == "admin":
        return sa.select(User.id)
    if user.role == "commander":
        return sa.select(User.id).where(User.commune_id == user.commune_id)
    return sa.select(User.id).where(User.id == user.id)


def get_village(user: User, village_id: int) -> Village:
    """The village, or 404 when it does not exist or lies outside the user's area."""
    if not 0 < village_id <= MAX_ID:  # form and query-string ids: PostgreSQL fails out of range
        abort(404)
    village = db.session.scalar(villages(user).where(Village.id == village_id))
    if village is None:
        abort(404)
    return village


def get_household(user: User, household_id: uuid.UUID | str) -> Household:
    """The household, or 404 when missing, malformed or outside the user's area."""
    try:
        key = household_id if isinstance(household_id, uuid.UUID) else uuid.UUID(household_id)
    except (ValueError, AttributeError, TypeError):
        abort(404)
    household = db.session.scalar(households(user).where(Household.id == key))
    if household is None:
        abort(404)
    return household


def covers_commune(user: User, commune_id: int | None) -> bool:
    """Whether the user's area holds every village of the commune (`None`: of every
    commune): admins everywhere, commanders their own commune."""
    if user.role == "admin":
        return True
    return user.role == "commander" and commune_id is not None and user.commune_id == commune_id


def campaigns(user: User) -> sa.Select:
    """Campaigns the user may look at: their commune's and national ones (admins: all)."""
    from ..campaigns.models import Campaign

    query = sa.select(Campaign)
    if user.role != "admin":
        query = query.where(sa.or_(Campaign.commune_id == user.commune_id, Campaign.commune_id.is_(None)))
    return query


def get_campaign(user: User, campaign_id: int):
    """The campaign, or 404 when missing or another commune's. The id comes bounded (`<int:>`
    routes, `coverage.params.int_arg`)."""
    from ..campaigns.models import Campaign

    campaign = db.session.scalar(campaigns(user).where(Campaign.id == campaign_id))
    if campaign is None:
        abort(404)
    return campaign


def import_runs(user: User) -> sa.Select:
    """Import runs the user may open (previews hold names and phones): admins all, others those
    started by the users of their commune."""
    from ..register.models import ImportRun

    query = sa.select(ImportRun)
    if user.role == "admin":
        return query
    return query.where(ImportRun.user_id.in_(user_ids(user)))


def get_import_run(user: User, run_id: int):
    """The import run, or 404 when missing or started in another commune."""
    from ..register.models import ImportRun

    run = db.session.scalar(import_runs(user).where(ImportRun.id == run_id))
    if run is None:
        abort(404)
    return run


def audit_events(user: User) -> sa.Select:
    """Audit events the user may read: admins all; commanders those done by their commune's
    users, and failed sign-ins to their commune's accounts (nobody was signed in: the event
    names the account). Failed sign-ins with unknown usernames and other communes' events
    are the admins'. Other roles none."""
    from ..accountability.models import AuditEvent

    query = sa.select(AuditEvent)
    if user.role == "admin":
        return query
    if user.role == "commander":
        accounts = sa.select(sa.cast(User.id, sa.String)).where(User.commune_id == user.commune_id)
        tried = sa.and_(AuditEvent.user_id.is_(None), AuditEvent.object_type == "user",
                        AuditEvent.object_id.in_(accounts))
        return query.where(sa.or_(AuditEvent.user_id.in_(user_ids(user)), tried))
    return query.where(sa.false())
