"""Household admin views on the register blueprint: edit, moved, merge, likely duplicates.

Admins and commanders only (403 for other roles); a household or village outside the
caller's area answers 404 (through auth.scoping).
"""
from __future__ import annotations

import uuid
from collections import Counter

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import nav, paging
from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import can, requires
from ..extensions import db
from ..households.forms import HouseholdForm
from . import households as service
from .models import Household
from .validate import inside_vietnam
from .routes import bp

DUPLICATES_PER_PAGE = 10
MAX_PAIRS = 5_000  # pairs listed (in pages) at most
MAX_SCAN = 20_000  # households compared in one request; beyond that, one village at a time
nav.add("register.duplicates", _l("Likely duplicates"), order=52)


def _household(household_id) -> Household:
    return scoping.get_household(current_user, household_id)


def _back(household: Household):
    return redirect(url_for("households.show", household_id=household.id))


@bp.route("/households/<uuid:household_id>/edit", methods=["GET", "POST"])
@requires("manage_register")
def edit(household_id: uuid.UUID):
    """Edit a household with the same checks as adding one; the change is audited."""
    household = _household(household_id)
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
    return render_template("register/edit.html", form=form, household=household), status


@bp.post("/households/<uuid:household_id>/status")
@requires("manage_register")
def set_status(household_id: uuid.UUID):
    """Mark a household moved away (or living here again)."""
    household = _household(household_id)
    try:
        service.set_status(household, request.form.get("status", ""))
    except ValueError:
        abort(400, _("This household's status cannot be changed here."))
    db.session.commit()
    flash(_("Marked as moved away.") if household.status == "moved" else _("Marked as living here."), "success")
    return _back(household)


@bp.post("/households/<uuid:household_id>/merge")
@requires("manage_register")
def merge(household_id: uuid.UUID):
    """Merge this household into the survivor `into` (both in my area, neither merged)."""
    duplicate = _household(household_id)
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


@bp.get("/duplicates")
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
    return render_template("register/duplicates.html", pairs=page.items, page=page, villages=villages,
                           village_id=village_id, too_many=too_many, per_village=per_village)


def merge_candidates(household: Household) -> list[Household]:
    """Other live households of the same village, for the merge picker."""
    return db.session.scalars(sa.select(Household).where(
        Household.village_id == household.village_id, Household.id != household.id,
        Household.status == "active").order_by(Household.sort_key)).all()


@bp.app_template_global()
def register_actions(household: Household) -> dict | None:
    """What the household page's admin block needs, or None for roles that may not act."""
    if not can(current_user, "manage_register"):
        return None
    return {"candidates": merge_candidates(household) if household.status == "active" else []}
