"""Recording visits on a household's page: the full form, the one-tap actions, undo; and
putting a visit's record right: correct it (a new record superseding it, with a reason) or
withdraw it (with a reason, after a confirmation page that needs no JavaScript).

403 for roles that do not record visits, and for a visit neither one's own nor in a
commander's area; 404 for a household (or visit) outside the caller's area; 409 when no
campaign takes a visit now (with the reason), an undo comes too late, or the visit is no
longer in force. The URLs sit under /households/ (a contract): a visit is always to a household.
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import requires
from ..campaigns.services import current_campaign
from ..coverage.queries import village_coverage
from ..coverage.walk import next_to_visit
from ..extensions import db, htmx
from ..households.models import Household
from ..households.queries import status_row
from ..households.routes import render_show
from ..labels import OUTCOMES
from ..photos import services as photos
from ..proof import checks
from ..security import large_body
from ..timeutil import today_vn
from ..villages.services import household_rows
from . import corrections, services as visits
from .forms import CorrectionForm, VisitForm, WithdrawForm
from .models import Visit

bp = Blueprint("visits", __name__, url_prefix="/households")


def _campaign_or_409(household: Household):
    """The campaign a visit made now goes to; 409 with the reason when none takes it."""
    campaign = current_campaign(commune_id=household.village.commune_id)
    if campaign is None:
        abort(409, _("There is no campaign to record visits in."))
    if reason := visits.refusal(campaign, today_vn()):
        abort(409, reason)
    return campaign


@bp.post("/<uuid:household_id>/visits")
@requires("record")
@large_body("PHOTO_MAX_BYTES")
def create(household_id: uuid.UUID):
    """Record a visit from the full form (with a commitment photo of up to PHOTO_MAX_BYTES),
    then back to the list at the next house; errors re-render the form (422) with messages."""
    household = scoping.get_household(current_user, household_id)
    campaign = _campaign_or_409(household)
    form = VisitForm(campaign=campaign, team=visits.village_team(household.village_id, current_user))
    if not form.validate():
        return render_show(household, form, 422)
    visit = visits.record_visit(household, campaign, current_user, form.clean())
    checks.after_store([visit.id])
    household = _shown(household, visit)
    db.session.commit()
    flash(_("Visit saved: %(name)s — %(what)s.", name=household.head_name, what=visits.recorded_text(visit)), "success")
    _photo_from_form(visit)
    return redirect(_next_house_url(household, campaign))


@bp.post("/<uuid:household_id>/quick")
@requires("record")
def quick(household_id: uuid.UUID):
    """One tap: the standard visit with `outcome` (the campaign's standard package when
    warned, nothing otherwise), now, GPS if sent.

    htmx gets the household's row back with an undo button and what it recorded, and the
    village's counters; a plain form post goes back to the list at the next house.
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
    if htmx:  # the row with its undo, and the village's counters out of band
        [figures] = village_coverage(campaign.id, sa.select(sa.literal(household.village_id)))
        return (render_template("villages/_household_row.html", row=status_row(household), may_record=True,
                                undo=visit, recorded=visits.recorded_text(visit))
                + render_template("villages/_counters.html", village=household.village, counts=figures.counts,
                                  status="", oob=True))
    flash(_("Saved: %(name)s — %(what)s.", name=household.head_name, what=visits.recorded_text(visit)), "success")
    return redirect(_next_house_url(household, campaign))


def _next_house_url(household: Household, campaign) -> str:
    """Back to the village's list, at the next house to visit after this one."""
    following = next_to_visit(household_rows(household.village_id, campaign), household.id)
    return url_for("villages.show", village_id=household.village_id) + f"#h-{(following or household).id}"


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
    if not corrections.undo(visit, current_user, current_app.config["UNDO_SECONDS"]):
        abort(409, _("This visit can no longer be undone; record a correction instead."))
    db.session.commit()
    if htmx:
        return render_template("villages/_household_row.html", row=status_row(household), may_record=True)
    flash(_("Undone."), "info")
    return redirect(url_for("villages.show", village_id=household.village_id))


def _changeable(visit_id: uuid.UUID) -> Visit:
    visit = corrections.visit_in_area(current_user, visit_id) or abort(404)
    refused = corrections.refusal(visit, current_user)
    if refused:
        abort(403 if refused[0] == "visit_id" and visit.in_force else 409, refused[1])
    return visit


@bp.route("/visits/<uuid:visit_id>/correct", methods=["GET", "POST"])
@requires("record")
def correct(visit_id: uuid.UUID):
    """The visit's form filled with its record; saving adds the corrected record (422 with
    the form's messages when invalid)."""
    visit = _changeable(visit_id)
    form = CorrectionForm(campaign=visit.campaign, team=visits.village_team(visit.household.village_id, current_user))
    if not form.is_submitted():
        form.fill_from(visit)
    elif form.validate():
        newer = corrections.correct(visit, current_user, form.clean(), form.reason.data)
        checks.after_store([newer.id])
        db.session.commit()
        flash(_("Corrected: %(what)s.", what=visits.recorded_text(newer)), "success")
        _photo_from_form(newer)
        return redirect(url_for("households.show", household_id=newer.household_id) + "#history")
    return render_template("visits/correct.html", visit=visit, form=form), 422 if form.errors else 200


@bp.route("/visits/<uuid:visit_id>/withdraw", methods=["GET", "POST"])
@requires("record")
def withdraw(visit_id: uuid.UUID):
    """Ask for the reason and a confirmation, then withdraw (422 without a reason)."""
    visit = _changeable(visit_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        corrections.withdraw(visit, current_user, form.reason.data)
        db.session.commit()
        flash(_("Visit withdrawn; it stays in the history."), "success")
        return redirect(url_for("households.show", household_id=visit.household_id) + "#history")
    return render_template("visits/withdraw.html", visit=visit, form=form), 422 if form.errors else 200
