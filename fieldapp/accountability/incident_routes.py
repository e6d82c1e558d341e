"""Incident pages for commanders and admins: record, show with the verdict, list, XLSX.

Other roles get 403; an incident or household outside the caller's area answers 404.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import db
from ..households.search import matching, search_words
from ..register.households import survivor
from ..register.models import Household
from . import audit
from .forms import IncidentFilterForm, IncidentForm
from .incidents import (Filters, create_incident, get_incident, judged_days, listing, listing_page,
                        register_started_on)
from .verdict import assess
from .xlsx import incidents_workbook


def topic_labels() -> dict[str, str]:
    from flask_babel import get_locale

    from ..campaigns.models import Topic

    topics = db.session.scalars(sa.select(Topic).order_by(Topic.id))
    return {t.code: t.label(str(get_locale())) for t in topics}


bp = Blueprint("incidents", __name__, url_prefix="/incidents")
PER_PAGE = 50


def _filters() -> tuple[IncidentFilterForm, Filters]:
    villages = db.session.scalars(scoping.villages(current_user)).all()
    form = IncidentFilterForm(formdata=request.args, villages=villages)
    if request.args and not form.validate():
        return form, Filters()
    return form, Filters(verdict=form.verdict.data or None, kind=form.kind.data or None,
                         village_id=int(form.village.data) if form.village.data else None,
                         date_from=form.date_from.data, date_to=form.date_to.data)


@bp.get("/")
@requires("incidents")
def index():
    """Incidents in the caller's area with their verdicts, filtered by the query string, 50 a
    page (a malformed `?page=` answers 400, one past the end 404)."""
    form, filters = _filters()
    page = listing_page(current_user, filters, PER_PAGE)
    # Rendered before the commit, which would expire every loaded row and reload each one.
    html = render_template("accountability/incidents.html", form=form, rows=page.items, page=page)
    audit.record("incident_list", "incident", "", rows=len(page.items))  # names of victims' households
    db.session.commit()
    return html


@bp.get("/export.xlsx")
@requires("incidents")
def export():
    """The filtered list as an Excel workbook (names included: audited as an export); invalid
    filters answer 400 with the form's messages rather than exporting everything."""
    form, filters = _filters()
    if form.errors:
        abort(400, "; ".join(f"{form[name].label.text}: {' '.join(map(str, errors))}"
                             for name, errors in form.errors.items()))
    rows = listing(current_user, filters)
    workbook = incidents_workbook(rows)  # before the commit expires the rows
    audit.record("incident_export", "incident", "", rows=len(rows), filters=request.args.to_dict())
    db.session.commit()
    return send_file(workbook, as_attachment=True, download_name="vu-viec.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/new")
@requires("incidents")
def find_household():
    """Choose the victim's household: search by name, house number or phone (`?q=`, every
    word in any order). Merged households are left out: their visits live on the survivor."""
    q = request.args.get("q", "")
    found = []
    if len("".join(search_words(q))) >= 2:
        found = db.session.scalars(
            scoping.households(current_user).where(Household.status != "merged", matching(q))
            .order_by(Household.sort_key).limit(30)).all()
    return render_template("accountability/incident_find.html", q=request.args.get("q", ""), found=found)


@bp.route("/new/<uuid:household_id>", methods=["GET", "POST"])
@requires("incidents")
def new(household_id):
    """Record an incident for a household in the caller's area (a merged household's id
    stands for its survivor); 404 outside the area, 422 with messages on errors."""
    household = scoping.get_household(current_user, household_id)
    if household.status == "merged":
        household = scoping.get_household(current_user, survivor(household).id)
    form = IncidentForm(first_day=register_started_on(household.village.commune_id))
    if form.validate_on_submit():
        incident = create_incident(household, form.values(), current_user)
        db.session.commit()
        return redirect(url_for(".show", incident_id=incident.id))
    status = 422 if form.is_submitted() else 200
    return render_template("accountability/incident_new.html", form=form, household=household), status


@bp.get("/<int:incident_id>")
@requires("incidents")
def show(incident_id: int):
    """The incident and, at once, its verdict and who answered for the village that day."""
    incident = get_incident(current_user, incident_id)
    as_of, assigned_on = judged_days(incident)
    verdict = assess(incident.household, as_of, assigned_on)
    page = render_template("accountability/incident.html", incident=incident, verdict=verdict,
                           topic_labels=topic_labels())
    audit.record("incident_view", "incident", incident.id, household=str(incident.household_id))
    db.session.commit()
    return page
