"""Small lookups shared by tests (rows are read through the app's own models)."""
from __future__ import annotations

import sqlalchemy as sa

from fieldapp.extensions import db
from fieldapp.models import Household, User, Village, Visit


def village(code: str) -> Village:
    return db.session.scalar(sa.select(Village).where(Village.code == code))


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def households_of(code: str) -> list[Household]:
    return list(db.session.scalars(
        sa.select(Household).join(Village).where(Village.code == code).order_by(Household.code)))


def unvisited_household(code: str) -> Household:
    """A household of the village with no visit at all."""
    visited = sa.select(Visit.household_id)
    return db.session.scalar(
        sa.select(Household).join(Village)
        .where(Village.code == code, Household.id.not_in(visited)).order_by(Household.code))


def visits_of(household_id) -> list[Visit]:
    """Visits as the database has them now (ends the test's read snapshot first)."""
    db.session.rollback()
    return list(db.session.scalars(sa.select(Visit).where(Visit.household_id == household_id)))
