"""Every route × every role gets the answer its view declares (`auth.permissions`): the login
page (401 under /api/) for nobody signed in, 403 for a role without the permission, and in
for the others. A route that declares nothing fails here, and the menu offers exactly the
pages a role is let into."""
from __future__ import annotations

import re
import uuid
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask, url_for

from fieldapp import nav
from fieldapp.auth import permissions, scoping
from fieldapp.labels import ROLES
from fieldapp.auth.services import create_user
from fieldapp.extensions import db
from fieldapp.jobs.services import beat
from fieldapp.models import Assignment, Campaign, Household, Incident, User, Village, Visit
from tests.conftest import Auth, csrf_from

ANONYMOUS = None
LOGIN, REFUSED, LET_IN = "login page", "403", "let in"


def undeclared(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()
                   if permissions.declared(app, rule.endpoint) is None})


def expected(app: Flask, endpoint: str, role: str | None) -> str:
    verb = permissions.declared(app, endpoint)
    if verb == permissions.PUBLIC:
        return LET_IN
    if role is ANONYMOUS:
        return LOGIN
    return LET_IN if role in permissions.roles_with(verb) else REFUSED


def answer(response) -> str:
    """What a response means: sent to sign in (a redirect to the login page saying where to go
    next, or 401 JSON), refused, or let in (anything else but a server error)."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    location = urlsplit(response.location or "")
    if (response.status_code == 401 and response.is_json) or (
            response.status_code == 302 and location.path == "/login" and "next=" in location.query):
        return LOGIN
    return REFUSED if response.status_code == 403 else LET_IN


def sample_user(role: str, t01: Village) -> User:
    """A user of `role` whose area holds T01 (so a let-in request reaches real rows), else any
    user of the role, else a new one: every role of `ROLES`, including ones added later."""
    users = db.session.scalars(sa.select(User).where(User.role == role, User.active).order_by(User.id)).all()
    for candidate in users:
        if t01.id in db.session.scalars(scoping.village_ids(candidate)).all():
            return candidate
    if users:
        return users[0]
    user = create_user(f"test_{role}", "demo1234", role, commune_id=None if role == "province" else t01.commune_id,
                       province_id=t01.commune.province_id if role == "province" else None)
    db.session.commit()
    return user


def url_values(db_session, t01: Village, officer: User) -> dict[str, object]:
    """A value for every URL variable of every route, from rows of T01 where there are some."""
    household = db_session.scalar(sa.select(Household).where(Household.village_id == t01.id)
                                  .order_by(Household.code))
    incident = Incident(household_id=household.id, occurred_on=date(2025, 11, 1), kind="scam",
                        created_by_id=officer.id)
    db_session.add(incident)
    db_session.commit()
    # A visit in force by the sample officer: its author may correct it (others get 403 there).
    visit = db_session.scalar(sa.select(Visit.id).join(Household, Household.id == Visit.household_id)
                              .where(Household.village_id == t01.id, Visit.user_id == officer.id, Visit.in_force)
                              .order_by(Visit.id).limit(1))
    return {
        "household_id": household.id, "village_id": t01.id, "incident_id": incident.id,
        "campaign_id": db_session.scalar(sa.select(sa.func.min(Campaign.id))),
        "user_id": officer.id, "run_id": 1, "entry_id": 1, "member_id": 1, "merge_id": 1, "change_id": 1, "download_id": 1,
        "kind": "moved", "decision": "accept", "visit_id": visit or uuid.uuid4(),
        "assignment_id": db_session.scalar(sa.select(sa.func.min(Assignment.id))
                                           .where(Assignment.village_id == t01.id)),
        "filename": "css/app.css", "point_id": 1, "item_id": 1, "z": 14, "x": 13141, "y": 7597, "ext": "png",
        "commune_id": t01.commune_id,
    }


# Routes whose row rule would answer 403 for a role the declaration lets in, with the shared
# values: a visit's photo is its recorder's alone (a commander may correct that visit, not
# send its photo), so these get a visit nobody holds (404 for every role let in).
ROW_NEUTRAL = {"photos.upload": {"visit_id": uuid.UUID(int=1)}}


def requests(app: Flask, values: dict) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every route and method (HEAD and OPTIONS aside)."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        missing = set(rule.arguments) - set(values)
        assert not missing, f"give tests/auth/test_permissions.py a value for {missing} ({rule.rule})"
        given = values | ROW_NEUTRAL.get(rule.endpoint, {})
        path = rule.build({name: given[name] for name in rule.arguments})[1]
        found += [(rule.endpoint, method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


class Caller:
    """One role's browser: signed in (again after a request that signs out), with its token."""

    def __init__(self, app: Flask, username: str | None):
        self.client, self.username = app.test_client(), username
        self.sign_in()

    def sign_in(self):
        if self.username:
            Auth(self.client).login(self.username)
        self.token = csrf_from(self.client.get("/login").get_data(as_text=True)) if not self.username \
            else self.client.get("/api/session").get_json()["csrf_token"]

    def send(self, method: str, path: str):
        data = {"csrf_token": self.token} if method != "GET" else None
        response = self.client.open(path, method=method, data=data, headers={"X-CSRFToken": self.token})
        response.close()  # files (sw.js) are streamed
        return response


def test_every_route_declares_who_may_use_it(app):
    assert undeclared(app) == []
    assert set(permissions.GRANTS) >= {getattr(v, "permission", permissions.PUBLIC)
                                       for v in app.view_functions.values()} - {permissions.PUBLIC}


def test_a_route_without_a_declaration_is_refused_to_everyone_and_named(make_app, db_session):
    app = make_app()

    @app.get("/forgotten")
    def forgotten():
        return "secret"

    assert undeclared(app) == ["forgotten"]
    caller = Caller(app, "quantri")
    assert caller.send("GET", "/forgotten").status_code == 403


def test_every_route_answers_every_role_as_declared(app, db_session):
    t01 = db_session.scalar(sa.select(Village).where(Village.code == "T01"))
    people = {role: sample_user(role, t01) for role in ROLES}
    values = url_values(db_session, t01, people["officer"])
    usernames = {role: u.username for role, u in people.items()}
    beat("test-worker", "localhost", 1, None)  # a worker is alive: /readyz answers 200, not 503
    wrong = []
    for role in (ANONYMOUS, *ROLES):
        caller = Caller(app, usernames.get(role))
        for endpoint, method, path in requests(app, values):
            got = answer(caller.send(method, path))
            if got != expected(app, endpoint, role):
                wrong.append(f"{method} {path} as {role or 'anonymous'}: {got}, "
                             f"declared {expected(app, endpoint, role)}")
            if endpoint in ("auth.logout", "account.end_sessions"):  # signed out: sign in again
                caller.sign_in()
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_offers_exactly_the_pages_a_role_is_let_into(app, db_session, role):
    t01 = db_session.scalar(sa.select(Village).where(Village.code == "T01"))
    caller = Caller(app, sample_user(role, t01).username)
    menu = caller.client.get("/villages/", follow_redirects=True).get_data(as_text=True).split('class="menu-panel"')[1]
    offered = set(re.findall(r'<a href="([^"]+)"', menu.split("</nav>")[0]))
    with app.test_request_context():
        entries = {url_for(item.endpoint): item.endpoint for item in nav._ITEMS}
    let_in = {url for url, endpoint in entries.items()
              if answer(caller.send("GET", url)) == LET_IN}
    assert offered == let_in
