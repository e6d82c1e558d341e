"""Register changes: a village head reports, the commander decides.

The village head reports on a household of his village (`/households/<id>/report/<kind>`:
moved, duplicate, wrong_info) or a new one (`/villages/<id>/report-new`); a household or
village outside his village answers 404, an unknown kind 404, a report without a note 422.
The commander's queue is `/register/changes`, each report accepted or rejected with a
comment (`/register/changes/<id>/accept|reject`); a report outside his area answers 404,
one already decided or no longer applicable 409 with the reason.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import confirm, nav, paging
from ..auth import scoping
from ..auth.permissions import can, requires
from ..extensions import db
from ..households.models import Household
from ..labels import CHANGE_KINDS, CHANGE_STATUSES
from . import services
from .forms import DecisionForm, DetailsForm, DuplicateForm, NoteForm
from .models import RegisterChange

bp = Blueprint("changes", __name__)
PER_PAGE = 20
nav.add("changes.queue", _l("Reported register changes"), order=51)


def _others(household: Household) -> list[Household]:
    return db.session.scalars(scoping.households(current_user).where(
        Household.village_id == household.village_id, Household.id != household.id,
        Household.status == "active").order_by(Household.code)).all()


def _form(kind: str, household: Household):
    if kind == "duplicate":
        return DuplicateForm(others=_others(household), personal=can(current_user, "see_personal"))
    if kind == "wrong_info":
        return DetailsForm(obj=household)
    return NoteForm()


@bp.route("/households/<uuid:household_id>/report/<kind>", methods=["GET", "POST"])
@requires("report_changes")
def report(household_id, kind: str):
    """Report that a household of my village moved away, repeats another, or has wrong
    details, with a note; the commander decides. 404 outside my village or for another kind;
    403 for wrong details when PERSONAL_DATA_ROLES leaves village heads out (the form shows
    what the register holds)."""
    if kind not in ("moved", "duplicate", "wrong_info"):
        abort(404)
    if kind == "wrong_info" and not can(current_user, "see_personal"):
        abort(403)
    household = scoping.get_household(current_user, household_id)
    form = _form(kind, household)
    if form.validate_on_submit():
        other = scoping.get_household(current_user, form.other.data) if kind == "duplicate" else None
        proposed = services.differences(household, form.data) if kind == "wrong_info" else None
        if kind == "wrong_info" and not proposed:
            form.note.errors = [*form.note.errors, _("Nothing differs from the register: change a detail.")]
        else:
            services.report(kind, household.village, current_user, form.note.data, household, other, proposed)
            db.session.commit()
            flash(_("Reported to the commune police: they will check it."), "success")
            return redirect(url_for("coverage.village", village_id=household.village_id))
    status = 422 if form.is_submitted() else 200
    return render_template("changes/report.html", form=form, kind=kind, household=household,
                           village=household.village), status


@bp.route("/villages/<int:village_id>/report-new", methods=["GET", "POST"])
@requires("report_changes")
def report_new(village_id: int):
    """Report a household living in my village that the register lacks; 404 outside it."""
    village = scoping.get_village(current_user, village_id)
    form = DetailsForm()
    if form.validate_on_submit():
        services.report("new", village, current_user, form.note.data, proposed=services.proposed_values(form.data))
        db.session.commit()
        flash(_("Reported to the commune police: they will check it."), "success")
        return redirect(url_for("coverage.village", village_id=village.id))
    status = 422 if form.is_submitted() else 200
    return render_template("changes/report.html", form=form, kind="new", household=None, village=village), status


def visible() -> sa.Select:
    """Reports on the villages of my area, oldest waiting first, then the decided ones."""
    return (sa.select(RegisterChange).where(RegisterChange.village_id.in_(scoping.village_ids(current_user)))
            .order_by(sa.case((RegisterChange.status == "open", 0), else_=1), RegisterChange.reported_at))


@bp.get("/register/changes", endpoint="queue")
@requires("manage_register")
def queue():
    """The reported changes of my area (`?status=open|accepted|rejected`, default open), 20 a page."""
    status = request.args.get("status", "open")
    if status not in CHANGE_STATUSES:
        abort(400, description=_("Choose one of: %(choices)s.", choices=", ".join(CHANGE_STATUSES)))
    page = paging.of_select(visible().where(RegisterChange.status == status), PER_PAGE)
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(
        visible().where(RegisterChange.status == "open").order_by(None).subquery()))
    return render_template("changes/queue.html", page=page, status=status, waiting=waiting,
                           form=DecisionForm(formdata=None), kinds=CHANGE_KINDS)


def _change(change_id: int) -> RegisterChange:
    change = db.session.scalar(visible().where(RegisterChange.id == change_id))
    if change is None:
        abort(404)
    return change


@bp.post("/register/changes/<int:change_id>/<decision>")
@requires("manage_register")
def decide(change_id: int, decision: str):
    """Accept (the register changes; a merge asks first) or reject a report, with a comment."""
    if decision not in ("accept", "reject"):
        abort(404)
    change = _change(change_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(422, description="; ".join(map(str, form.comment.errors)) or None)
    if decision == "reject" and not (form.comment.data or "").strip():
        abort(422, description=_("Say why the report is rejected: the village head reads it."))
    if decision == "accept" and change.kind == "duplicate" and not confirm.given():
        return confirm.ask(_("Merge %(drop)s into %(keep)s? Only an administrator can undo it, within 30 days.",
                             drop=change.household.head_name, keep=change.other_household.head_name),
                           action=_("Accept and merge"), back=url_for(".queue"))
    try:
        (services.accept if decision == "accept" else services.reject)(change, current_user, form.comment.data or "")
    except ValueError as problem:
        abort(409, description=str(problem))
    db.session.commit()
    flash(_("Accepted: the register is changed.") if decision == "accept" else _("Rejected."), "success")
    return redirect(url_for(".queue"))
