"""A visit's record put right: correct it (a new record superseding it, with a reason) or
withdraw it (with a reason, after a confirmation page that needs no JavaScript); and the
visit as JSON. Its author or a commander may change a visit in force, any time while its
campaign is not closed; 404 for a visit outside the caller's area, 403 for anyone else,
409 for a visit no longer in force or of a closed campaign (with the reason)."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.permissions import requires
from ..extensions import db, reads_only
from ..timeutil import iso_utc
from . import corrections, services
from .forms import CorrectionForm, WithdrawForm
from .models import Visit, VisitWithdrawal

bp = Blueprint("visits", __name__)


def _changeable(visit_id: uuid.UUID):
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
    form = CorrectionForm(campaign=visit.campaign, team=services.village_team(visit.household.village_id, current_user))
    if not form.is_submitted():
        form.fill_from(visit)
    elif form.validate():
        newer = corrections.correct(visit, current_user, form.clean(), form.reason.data)
        db.session.commit()
        flash(_("Corrected: %(what)s.", what=services.recorded_text(newer)), "success")
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


@bp.get("/api/visits/<uuid:visit_id>", endpoint="api")
@reads_only
@requires("view_area")
def api_visit(visit_id: uuid.UUID):
    """The visit as JSON (design.md "Visit"); 404 JSON outside the caller's area."""
    visit = corrections.visit_in_area(current_user, visit_id)
    if visit is None:
        return jsonify(error="not_found", message=_("Not found, or outside your area.")), 404
    change = corrections.superseding([visit.id]).get(visit.id)
    newer = change if isinstance(change, Visit) else None
    withdrawal = change if isinstance(change, VisitWithdrawal) else None
    return jsonify({
        "id": str(visit.id), "household_id": str(visit.household_id), "campaign_id": visit.campaign_id,
        "outcome": visit.outcome, "recorded_at": iso_utc(visit.recorded_at), "received_at": iso_utc(visit.received_at),
        "by": [u.username for u in visit.people], "topics": visit.topics, "materials": visit.materials,
        "standard": visit.standard, "in_force": visit.in_force, "supersedes": str(visit.supersedes_id) if visit.supersedes_id else None,
        "reason": visit.reason,
        "superseded_by": str(newer.id) if newer else None,
        "withdrawn": {"by": withdrawal.user.username, "at": iso_utc(withdrawal.received_at),
                      "reason": withdrawal.reason} if withdrawal else None,
    })
