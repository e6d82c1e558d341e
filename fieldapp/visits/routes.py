"""Recording visits on a household's page: the full form, the one-tap actions, undo.

403 for roles that do not record visits; 404 for a household (or visit) outside the
caller's area; 409 when there is no campaign to record in, or an undo comes too late.
The URLs sit under /households/ (a contract): a visit is always to a household.
"""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import requires
from ..campaigns.services import active_campaign
from ..extensions import db, htmx
from ..households.models import Household
from ..households.queries import status_row
from ..households.routes import render_show
from ..labels import OUTCOMES
from ..photos import services as photos
from ..proof import checks
from . import services as visits
from .forms import VisitForm
from .models import Visit

bp = Blueprint("visits", __name__, url_prefix="/households")


def _campaign_or_409(household: Household):
    campaign = active_campaign(household.village.commune_id)
    if campaign is None:
        abort(409, _("There is no campaign to record visits in."))
    return campaign


@bp.post("/<uuid:household_id>/visits")
@requires("record")
def create(household_id: uuid.UUID):
    """Record a visit from the full form; errors re-render the form (422) with messages."""
    household = scoping.get_household(current_user, household_id)
    campaign = _campaign_or_409(household)
    form = VisitForm(campaign=campaign, team=visits.village_team(household.village_id, current_user))
    if not form.validate():
        return render_show(household, form, 422)
    visit = visits.record_visit(household, campaign, current_user, form.clean())
    checks.after_store([visit.id])
    household = _shown(household, visit)
    db.session.commit()
    flash(_("Visit saved."), "success")
    _photo_from_form(visit)
    return redirect(url_for("households.show", household_id=household.id))


@bp.post("/<uuid:household_id>/quick")
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
    checks.after_store([visit.id])
    household = _shown(household, visit)
    db.session.commit()
    if htmx:
        return render_template("villages/_household_row.html", row=status_row(household),
                               may_record=True, undo=visit)
    flash(_("Saved: %(name)s — %(outcome)s.", name=household.head_name,
            outcome=_("Warned") if outcome == "warned" else _("Nobody home")), "success")
    return redirect(url_for("villages.show", village_id=household.village_id) + f"#h-{household.id}")


def _photo_from_form(visit: Visit) -> None:
    """The commitment photo posted with the form (without JavaScript; with it the phone
    sends the shrunk photo after the visit). A refused photo is said, the visit stays."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return
    try:
        photos.store(visit, current_user, upload.read(current_app.config["PHOTO_MAX_BYTES"] + 1))
        db.session.commit()
    except photos.Refused as refused:
        db.session.rollback()
        flash(refused.message, "error")


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


@bp.post("/visits/<uuid:visit_id>/undo")
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
        return render_template("villages/_household_row.html", row=status_row(household), may_record=True)
    flash(_("Undone."), "info")
    return redirect(url_for("villages.show", village_id=household.village_id))
