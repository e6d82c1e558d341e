"""Register care after the likely-duplicates list: a pair marked "not duplicates" for good,
the merges of the caller's area, and an admin's undo of a merge within 30 days.

A nested blueprint of `households` (endpoints `households.merging.*`), its URLs under
/register/ like the register's other corrections. Households outside the caller's area
answer 404; a merge that can no longer be undone answers 409 with the reason.
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
from . import services
from .models import Household, HouseholdMerge

bp = Blueprint("merging", __name__)
PER_PAGE = 20
nav.add("households.merging.index", _l("Merges of households"), order=53)


@bp.post("/register/duplicates/dismiss")
@requires("manage_register")
def dismiss():
    """Mark households `a` and `b` (both in my area) as two families: the likely-duplicates
    list leaves the pair out for good. 404 outside the area; back to the list."""
    first = scoping.get_household(current_user, request.form.get("a", ""))
    second = scoping.get_household(current_user, request.form.get("b", ""))
    if services.dismiss_pair(first, second, current_user):
        flash(_("Marked as two different households: the pair will not be listed again."), "success")
    db.session.commit()
    return redirect(request.form.get("next") if _safe(request.form.get("next"))
                    else url_for("households.duplicates"))


def _safe(target: str | None) -> bool:
    """Only a path of this site (never another host) to go back to."""
    return bool(target) and target.startswith("/") and not target.startswith("//")


def visible_merges() -> sa.Select:
    """Merges of households of my area, newest first."""
    return (sa.select(HouseholdMerge).join(Household, Household.id == HouseholdMerge.duplicate_id)
            .where(Household.village_id.in_(scoping.village_ids(current_user)))
            .order_by(HouseholdMerge.merged_at.desc(), HouseholdMerge.id.desc()))


@bp.get("/register/merges", endpoint="index")
@requires("manage_register")
def merges():
    """The merges of my area, newest first, 20 a page, each with whether (and why not) it
    can still be undone; admins get the undo button."""
    page = paging.of_select(visible_merges(), PER_PAGE)
    rows = [(m, services.undo_problem(m)) for m in page.items]
    return render_template("households/merges.html", rows=rows, page=page,
                           may_undo=can(current_user, "undo_merge"), days=services.UNDO_DAYS)


@bp.post("/register/merges/<int:merge_id>/undo")
@requires("undo_merge")
def undo(merge_id: int):
    """Undo a merge: the merged household and the visits, incidents and named youths it
    moved come back as they were. First a confirmation page, then (with `confirmed=1`) the
    undo. 404 outside the area; 409 with the reason after 30 days or when merged again since."""
    merge_row = db.session.scalar(visible_merges().where(HouseholdMerge.id == merge_id))
    if merge_row is None:
        abort(404)
    if problem := services.undo_problem(merge_row):
        abort(409, description=_("This merge cannot be undone: %(reason)s", reason=problem))
    if not confirm.given():
        return confirm.ask(_("Bring back %(drop)s as a household of its own, with the visits it had before the merge into %(keep)s?",
                             drop=merge_row.duplicate.head_name, keep=merge_row.survivor.head_name),
                           action=_("Undo the merge"), back=url_for(".index"))
    duplicate_id = merge_row.duplicate_id
    services.undo_merge(merge_row, current_user)
    db.session.commit()
    flash(_("The merge is undone: the household and its visits are back."), "success")
    return redirect(url_for("households.show", household_id=duplicate_id))
