"""A household's pages: details and history, adding one found in the field; the register's
corrections (edit, moved away, merge, likely duplicates); and its personal data (all that is
held, as a page and a JSON download, and who accessed it). Recording visits: `visits.routes`.

Every view answers 404 for a household outside the caller's area, and 403 for roles the
view's permission leaves out. The register's URLs live under /register/ (a contract). Every
view and download of personal data is itself recorded in the audit trail.
"""
from __future__ import annotations

import json
import uuid
from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import confirm, nav, paging
from ..accountability import audit
from ..accountability.personal import access_events, holdings, incidents_of
from ..accountability.readable import Reader
from ..auth import scoping
from ..auth.permissions import can, requires
from ..campaigns.services import current_campaign
from ..extensions import db, reads_only, writing
from ..timeutil import today_vn
from ..photos import services as photos
from ..proof import points, review
from ..visits import corrections, services as visits
from ..text import nfc
from ..visits.forms import VisitForm
from . import merging, queries, services
from .forms import HouseholdForm, YouthForm
from .models import Household, HouseholdMember

bp = Blueprint("households", __name__)
DUPLICATES_PER_PAGE = 10
MAX_PAIRS = 5_000  # pairs listed (in pages) at most
MAX_SCAN = 20_000  # households compared in one request; beyond that, one village at a time
nav.add("households.duplicates", _l("Likely duplicates"), order=52)


@bp.get("/households/<uuid:household_id>")
@reads_only
@requires("view_area")
def show(household_id: uuid.UUID):
    """Details, visit history and the full visit form (for those who record visits)."""
    household = scoping.get_household(current_user, household_id)
    campaign = current_campaign(commune_id=household.village.commune_id)
    form = VisitForm(campaign=campaign, team=visits.village_team(household.village_id, current_user))
    if not form.is_submitted():
        form.prefill(campaign)
    page = render_show(household, form)  # before the audit's commit expires what it read
    with writing():  # the reads hold no lock; the audit event takes it briefly
        audit.record("household_view", "household", household.id)
    return page


def render_show(household: Household, form: VisitForm, status: int = 200):
    """The household page (its visit form with `form`); also drawn by `visits.routes`."""
    campaign = current_campaign(commune_id=household.village.commune_id)
    candidates = (queries.merge_candidates(household)
                  if can(current_user, "manage_register") and household.status == "active" else [])
    merge_row = (services.last_merge(household)
                 if can(current_user, "manage_register") and household.status == "merged" else None)
    past = visits.history(household)
    return render_template(
        "households/show.html", household=household, row=queries.status_row(household), form=form,
        history=past, changes=corrections.superseding(v.id for v in past if not v.in_force),
        changeable={v.id for v in past if can(current_user, "record") and corrections.refusal(v, current_user) is None},
        may_record=can(current_user, "record"), candidates=candidates,
        campaign_running=campaign is not None and campaign.state == "running",
        photos=photos.with_photos(v.id for v in past) if can(current_user, "see_personal") else set(),
        visit_checks=review.checks_of(v.id for v in past),
        learnt=points.latest(household.id) if household.lat is not None else None,
        merge_row=merge_row, undo_problem=merge_row and services.undo_problem(merge_row),
    ), status


@bp.route("/households/new", methods=["GET", "POST"])
@requires("record")
def new():
    """Add a household found in the field to one of my villages (`?village=`)."""
    village = scoping.get_village(current_user, request.args.get("village", type=int) or 0)
    form = HouseholdForm()
    if form.validate_on_submit():
        household = services.add_household(village, form.data, current_user)
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
        if queries.code_taken(household, (form.code.data or "").strip()):
            form.code.errors.append(_("Another household of this village has this code."))
        else:
            changed = services.edit(household, form.data)
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return _back(household)
    status = 422 if form.is_submitted() else 200
    youth_form = YouthForm(formdata=None, household=household, this_year=today_vn().year)
    return render_template("households/edit.html", form=form, household=household, youth_form=youth_form), status


@bp.post("/register/households/<uuid:household_id>/youths")
@requires("manage_register")
def name_youth(household_id: uuid.UUID):
    """Name one of the household's youths (full name, year of birth); 422 with the reason
    (not aged 12–24, more names than the count of youths), 404 outside the area."""
    household = scoping.get_household(current_user, household_id)
    youth_form = YouthForm(household=household, this_year=today_vn().year)
    if not youth_form.validate_on_submit():
        form = HouseholdForm(formdata=None, obj=household)
        return render_template("households/edit.html", form=form, household=household,
                               youth_form=youth_form), 422
    services.name_youth(household, nfc(youth_form.full_name.data), youth_form.birth_year.data)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".edit", household_id=household.id) + "#youths")


@bp.post("/register/households/<uuid:household_id>/youths/<int:member_id>/remove")
@requires("manage_register")
def unname_youth(household_id: uuid.UUID, member_id: int):
    """Remove a named youth of the household; 404 for another household's or outside the area."""
    household = scoping.get_household(current_user, household_id)
    member = db.session.get(HouseholdMember, member_id)
    if member is None or member.household_id != household.id:
        abort(404)
    services.unname_youth(household, member)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for(".edit", household_id=household.id) + "#youths")


@bp.post("/register/households/<uuid:household_id>/status")
@requires("manage_register")
def set_status(household_id: uuid.UUID):
    """Mark a household moved away (or living here again)."""
    household = scoping.get_household(current_user, household_id)
    try:
        services.set_status(household, request.form.get("status", ""))
    except ValueError:
        abort(400, _("This household's status cannot be changed here."))
    db.session.commit()
    flash(_("Marked as moved away.") if household.status == "moved" else _("Marked as living here."), "success")
    return _back(household)


@bp.post("/register/households/<uuid:household_id>/merge")
@requires("manage_register")
def merge(household_id: uuid.UUID):
    """Merge this household into the survivor `into` (both in my area, neither merged): first
    the confirmation page (nothing written), then, posted again with `confirmed=1`, the merge.
    400 without `into` or for two households that cannot be merged."""
    duplicate = scoping.get_household(current_user, household_id)
    into = request.form.get("into") or ""
    if not into:
        abort(400, _("Choose the household to keep."))
    survivor = scoping.get_household(current_user, into)
    if not services.same_village(duplicate, survivor):
        abort(400, _("Only households of the same village can be merged."))
    if not services.mergeable(duplicate, survivor):
        abort(400, _("These two households cannot be merged."))
    if not confirm.given():
        return confirm.ask(_("Keep %(keep)s and merge %(drop)s into it? Only an administrator can undo it, within %(days)s days.",
                             keep=_named(survivor), drop=_named(duplicate), days=services.UNDO_DAYS),
                           action=_("Merge"), title=_("Merge two households"),
                           back=url_for(".show", household_id=duplicate.id))
    moved = services.merge(duplicate, survivor, current_user)
    db.session.commit()
    flash(_("Merged into %(name)s; %(n)s visits moved.", name=survivor.head_name, n=moved), "success")
    return _back(survivor)


def _named(household: Household) -> str:
    return f"{household.head_name} ({household.code or '–'})"


@bp.get("/register/duplicates")
@reads_only
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
    pairs = [] if too_many else queries.likely_duplicates(where, limit=MAX_PAIRS)
    page = paging.of_list(pairs, DUPLICATES_PER_PAGE)
    per_village = Counter(a.village_id for a, _b, _why in pairs)
    # Drawn before the audit event's commit, which would expire every row and reload each one.
    shown = [h.id for a, b, _why in page.items for h in (a, b)]
    html = render_template("households/duplicates.html", pairs=page.items, page=page, villages=villages,
                           village_id=village_id, too_many=too_many, per_village=per_village,
                           visits=queries.visit_summaries(shown), distance=queries.distance_m)
    with writing():  # the reads above held no write lock (an import may be writing)
        audit.record("duplicates_view", "village", village_id or "", pairs=len(pairs))
    return html


@bp.get("/households/<uuid:household_id>/data")
@requires("personal_data")
def data(household_id: uuid.UUID):
    """Everything held about the household, with the way to correct it."""
    household = scoping.get_household(current_user, household_id)
    page = render_template("households/data.html", household=household,
                           visits=visits.history(household),
                           incidents=incidents_of(household))
    audit.record("household_data_view", "household", household.id)
    db.session.commit()
    return page


@bp.get("/households/<uuid:household_id>/data.json")
@requires("personal_data")
def data_json(household_id: uuid.UUID):
    """The same as a JSON file to hand to the data subject."""
    household = scoping.get_household(current_user, household_id)
    body = json.dumps(holdings(household), ensure_ascii=False, indent=2)
    audit.record("household_data_export", "household", household.id)
    db.session.commit()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="ho-{household.id}.json"'})


@bp.get("/households/<uuid:household_id>/access")
@requires("personal_data")
def access(household_id: uuid.UUID):
    """Who viewed, exported or changed this household's data, newest first."""
    household = scoping.get_household(current_user, household_id)
    page = render_template("households/access.html", household=household,
                           events=(events := access_events(household)), names=Reader(events))
    audit.record("household_access_view", "household", household.id)
    db.session.commit()
    return page


bp.register_blueprint(merging.bp)
