"""Who may do what: named permission verbs, granted to roles, declared on each view.

Every view says who may use it, right above its body::

    @bp.get("/")
    @requires("view_area")
    def index(): ...

or `@public` for pages anyone may open. One check before every request (`init_app`) reads
that declaration: nobody signed in → the login page (401 JSON under /api/); signed in
without the verb → 403; a view that declares nothing → 403 for everyone (and
tests/auth/test_permissions.py fails), so a check cannot be forgotten. The menu offers
an entry to those its view would let in, and templates ask `can("verb")`.

Which records a permitted user may see is the other half, answered by `auth.scoping`
(outside the area → 404).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user

from ..labels import ROLES

EVERYONE = ROLES

# verb → the roles granted it (a callable for a verb that a setting decides)
GRANTS: dict[str, tuple[str, ...] | Callable[[], tuple[str, ...]]] = {
    "use_app": EVERYONE,  # sign out, language, session, offline shell, own sync receipts
    "view_area": EVERYONE,  # villages, households, coverage, map and exports of one's area
    "record": ("officer", "commander"),  # log visits, add households found in the field
    "correct_any": ("commander",),  # correct or withdraw any visit of the area, not only one's own
    "see_personal": lambda: current_app.config["PERSONAL_DATA_ROLES"],  # names on lists, map, exports
    "see_activity": ("village_head", "commander", "admin"),  # per-officer pace, who is idle
    "report": ("village_head", "commander", "province", "admin"),  # the campaign results report
    "review_village": ("village_head",),  # state that one reviewed one's village
    "report_changes": ("village_head",),  # report new, moved, duplicate households and wrong details
    "view_campaigns": ("commander", "admin"),  # campaigns, their topics, re-warning lists
    "set_targets": ("commander", "admin"),  # each village's target and deadline in a campaign
    "manage_campaigns": ("admin",),  # create campaigns and topics, order them
    "run_campaign": ("commander", "admin"),  # its standard package, closing it (their commune's)
    "order_route": ("village_head", "commander", "admin"),  # a village's own walking route
    "manage_register": ("commander", "admin"),  # import, edit, move, merge households
    "undo_merge": ("admin",),  # bring back a merged household within 30 days
    "assign": ("commander", "admin"),  # give people villages
    "manage_users": ("admin",),  # accounts and roles
    "manage_communes": ("admin",),  # add communes by official code, their commander and villages
    "configure": ("admin",),  # server settings (told what is missing)
    "review_entries": ("commander", "admin"),  # sync entries the server refused
    "incidents": ("commander", "admin"),  # record and judge incidents
    "personal_data": ("commander", "admin"),  # a household's data held and who accessed it
    "read_audit": ("commander", "admin"),  # the access log
    "see_checks": ("officer", "commander", "admin"),  # flagged visits (an officer: his own)
    "review_checks": ("commander", "admin"),  # mark flags, decide learnt points, draw the sample
    "verify": ("village_head", "commander", "admin"),  # check the sampled households' warnings
}

PUBLIC = "public"
# Flask's own view, which cannot carry an attribute.
PUBLIC_ENDPOINTS = frozenset({"static"})


def roles_with(verb: str) -> tuple[str, ...]:
    granted = GRANTS[verb]
    return tuple(granted() if callable(granted) else granted)


def can(user, verb: str) -> bool:
    """Whether `user` (signed in) holds the permission `verb`."""
    return getattr(user, "is_authenticated", False) and user.role in roles_with(verb)


def requires(verb: str):
    """Declare the permission a view needs (the check itself runs before the request)."""
    if verb not in GRANTS:
        raise KeyError(f"unknown permission {verb!r}")

    def declare(view):
        view.permission = verb
        return view

    return declare


def public(view):
    """Declare a view that anyone may open, signed in or not."""
    view.permission = PUBLIC
    return view


def declared(app: Flask, endpoint: str) -> str | None:
    """The permission `endpoint` declares (`PUBLIC` for anyone), None when it declares none."""
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    return getattr(app.view_functions.get(endpoint), "permission", None)


def may_open(user, endpoint: str) -> bool:
    """Whether `user` would be let into `endpoint` (the menu asks this)."""
    verb = declared(current_app, endpoint)
    return verb == PUBLIC or (verb is not None and can(user, verb))


def _gate():
    """Before every request: the login page or 403 unless the view's declaration lets in."""
    if request.endpoint is None:  # no route: routing answers 404 / 405
        return None
    verb = declared(current_app, request.endpoint)
    if verb == PUBLIC:
        return None
    if verb is None:
        current_app.logger.error("View %s declares no permission: refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not can(current_user, verb):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_gate)
    app.jinja_env.globals["can"] = lambda verb: can(current_user, verb)
