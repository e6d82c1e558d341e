"""A household: details and history, the full visit form, one-tap actions, adding one;
and the register's corrections: edit, moved away, merge, likely duplicates.

Every view answers 404 for a household outside the caller's area, and 403 for roles the
view's permission leaves out (writes by roles that only read; register corrections for
anyone but commanders and admins). The register's URLs live under /register/ (a contract).
"""
from __future__ import annotations

import uuid
from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav, paging
from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import can, requires
from ..campaigns.services import active_campaign
from ..coverage.status import households_with_status
from ..extensions import db, htmx, reads_only, writing
from ..register import households as service
from ..register.models import Household
from ..register.validate import inside_vietnam
from ..visits import services as visits
from ..visits.forms import VisitForm
from ..labels import OUTCOMES
from ..visits.models import Visit
from .forms import HouseholdForm
from .services import add_household

bp = Blueprint("households", __name__)
DUPLICATES_PER_PAGE = 10
MAX_PAIRS = 5_000  # pairs listed (in pages) at most
MAX_SCAN = 20_000  # households compared in one request; beyond that, one village at a time
nav.add("households.duplicates", _l("Likely duplicates"), order=52)


def _campaign_or_409(household: Household):
    campaign = active_campaign(household.village.commune_id)
    if campaign is None:
        abort(409, _("There is no campaign to record visits in."))
    return campaign


def _row(household: Household):
    campaign = active_campaign(household.village.commune_id)
    return db.session.execute(
        households_with_status(campaign.id if campaign else None, Household.id == household.id)
    ).one()


@bp.get("/households/<uuid:household_id>")
@reads_only
@requires("view_area")
def show(household_id: uuid.UUID):
    """Details, visit history and the full visit form (for those who record visits)."""
    household = scoping.get_household(current_user, household_id)
    campaign = active_campaign(household.village.commune_id)
    form = VisitForm(campaign=campaign, team=visits.village_team(household.village_id, current_user))
    if not form.is_submitted():
        form.prefill(campaign)
    with writing():  # the reads hold no lock; the audit event takes it briefly
        audit.record("household_view", "household", household.id)
    return _render_show(household, form)


def _render_show(household, form, status=200):
    row = _row(household)
    candidates = (service.merge_candidates(household)
                  if can(current_user, "manage_register") and household.status == "active" else [])
    return render_template(
        "households/show.html", household=household, row=row, form=form,
        history=visits.history(household), may_record=can(current_user, "record"), candidates=candidates,
    ), status


@bp.post("/households/<uuid:household_id>/visits")
@requires("record")
def create_visit(household_id: uuid.UUID):
    """Record a visit from the full form; errors re-render the form (422) with messages."""
    household = scoping.get_household(current_user, household_id)
    campaign = _campaign_or_409(household)
    form = VisitForm(campaign=campaign, team=visits.village_team(household.village_id, current_user))
    if not form.validate():
        return _render_show(household, form, 422)
    visit = visits.record_visit(household, campaign, current_user, form.clean())
    household = _shown(household, visit)
    db.session.commit()
    flash(_("Visit saved."), "success")
    return redirect(url_for("households.show", household_id=household.id))


@bp.post("/households/<uuid:household_id>/quick")
@requires("record")
def quick(household_id: uuid.UUID):
    """One tap: the standard visit with `outcome` (warned or nobody_home), now, GPS if sent.

    htmx gets the household's row back with an undo button; a plain form post goes back
    to the village list.
    """
    household = scoping.get_household(current_user, household_id)
    campaign = _campaign_or_409(household)
    outcome = request.form.get("outcome")
    if outcome not in OUTCOMES:
        abort(400)
    visit = visits.record_visit(household, campaign, current_user,
                                visits.standard_values(campaign, outcome, _point()))
    household = _shown(household, visit)
    db.session.commit()
    if htmx:
        return render_template("villages/_household_row.html", row=_row(household),
                               may_record=True, undo=visit)
    flash(_("Saved: %(name)s — %(outcome)s.", name=household.head_name,
            outcome=_("Warned") if outcome == "warned" else _("Nobody home")), "success")
    return redirect(url_for("villages.show", village_id=household.village_id) + f"#h-{household.id}")


def _shown(household: Household, visit: Visit) -> Household:
    """The household to show after recording: the survivor a merged household's visit went
    to, when it lies in the caller's area; else the household addressed."""
    if visit.household_id == household.id:
        return household
    survivor = db.session.scalar(scoping.households(current_user).where(Household.id == visit.household_id))
    return survivor or household


def _point() -> dict:
    """GPS from the form when the phone gave one and it makes sense; else nothing."""
    try:
        lat, lon = float(request.form["lat"]), float(request.form["lon"])
        accuracy = float(request.form.get("accuracy_m") or 0) or None
    except (KeyError, ValueError):
        return {}
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return {}
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy}


@bp.post("/households/visits/<uuid:visit_id>/undo")
@requires("record")
def undo(visit_id: uuid.UUID):
    """Withdraw a tap within the undo window; 404 outside the area, 409 when too late."""
    visit = db.session.get(Visit, visit_id) or abort(404)
    household = scoping.get_household(current_user, visit.household_id)
    if not visits.withdraw(visit, current_user, current_app.config["UNDO_SECONDS"]):
        abort(409, _("This visit can no longer be undone; record a correction instead."))
    audit.record("visit_withdraw", "visit", visit.id)
    db.session.commit()
    if htmx:
        return render_template("villages/_household_row.html", row=_row(household), may_record=True)
    flash(_("Undone."), "info")
    return redirect(url_for("villages.show", village_id=household.village_id))


@bp.route("/households/new", methods=["GET", "POST"])
@requires("record")
def new():
    """Add a household found in the field to one of my villages (`?village=`)."""
    village = scoping.get_village(current_user, request.args.get("village", type=int) or 0)
    form = HouseholdForm()
    if form.validate_on_submit():
        household = add_household(village, form.data, current_user)
        db.session.commit()
        flash(_("Household added."), "success")
        return redirect(url_for("households.show", household_id=household.id))
    status = 422 if form.is_submitted() else 200
    return render_template("households/new.html", form=form, village=village), status


def _back(household: Household):
    return redirect(url_for("households.show", household_id=household.id))


@bp.route("/register/households/<uuid:household_id>/edit", methods=["GET", "POST"])
@requires("manage_register")
def edit(household_id: uuid.UUID):
    """Edit a household with the same checks as adding one; the change is audited."""
    household = scoping.get_household(current_user, household_id)
    form = HouseholdForm(obj=household)
    form.lat.label.text, form.lon.label.text = _("Latitude"), _("Longitude")
    if form.validate_on_submit():
        if service.code_taken(household, (form.code.data or "").strip()):
            form.code.errors.append(_("Another household of this village has this code."))
        elif form.lat.data is not None and not inside_vietnam(form.lat.data, form.lon.data):
            form.lat.errors.append(_("The point (%(lat)s, %(lon)s) is outside Vietnam.",
                                     lat=form.lat.data, lon=form.lon.data))
        else:
            changed = service.edit(household, form.data)
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return _back(household)
    status = 422 if form.is_submitted() else 200
    return render_template("households/edit.html", form=form, household=household), status


@bp.post("/register/households/<uuid:household_id>/status")
@requires("manage_register")
def set_status(household_id: uuid.UUID):
    """Mark a household moved away (or living here again)."""
    household = scoping.get_household(current_user, household_id)
    try:
        service.set_status(household, request.form.get("status", ""))
    except ValueError:
        abort(400, _("This household's status cannot be changed here."))
    db.session.commit()
    flash(_("Marked as moved away.") if household.status == "moved" else _("Marked as living here."), "success")
    return _back(household)


@bp.post("/register/households/<uuid:household_id>/merge")
@requires("manage_register")
def merge(household_id: uuid.UUID):
    """Merge this household into the survivor `into` (both in my area, neither merged)."""
    duplicate = scoping.get_household(current_user, household_id)
    into = request.form.get("into") or ""
    if not into:
        abort(400, _("Choose the household to keep."))
    survivor = scoping.get_household(current_user, into)
    try:
        moved = service.merge(duplicate, survivor)
    except ValueError:
        abort(400, _("These two households cannot be merged."))
    db.session.commit()
    flash(_("Merged into %(name)s; %(n)s visits moved.", name=survivor.head_name, n=moved), "success")
    return _back(survivor)


@bp.get("/register/duplicates")
@requires("manage_register")
def duplicates():
    """Likely duplicates in my area (with the count per village), or in one village
    (`?village=`), 10 pairs a page.

    A village outside the area answers 404; a malformed `?page=` 400, one past the end 404."""
    village_id = request.args.get("village", type=int)
    villages = db.session.scalars(scoping.villages(current_user)).all()
    if village_id:
        village = scoping.get_village(current_user, village_id)
        where = Household.village_id == village.id
    else:
        where = Household.village_id.in_(scoping.village_ids(current_user))
    too_many = db.session.scalar(sa.select(sa.func.count(Household.id)).where(where)) > MAX_SCAN
    pairs = [] if too_many else service.likely_duplicates(where, limit=MAX_PAIRS)
    page = paging.of_list(pairs, DUPLICATES_PER_PAGE)
    audit.record("duplicates_view", "village", village_id or "", pairs=len(pairs))
    db.session.commit()
    per_village = Counter(a.village_id for a, _b, _why in pairs)
    return render_template("households/duplicates.html", pairs=page.items, page=page, villages=villages,
                           village_id=village_id, too_many=too_many, per_village=per_village)
