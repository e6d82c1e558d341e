"""The proof pages: flagged visits to review (/proof/), points learnt from visits
(/proof/points) and the verification sample (/proof/sample, in `sample_routes`); and
`GET /api/visits/<id>` (in `api`).

Every object is found through `auth.scoping` (404 outside the caller's area); commanders and
admins review and decide, officers see their own flags read-only, village heads verify their
village's sample. Other roles get 403.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

import sqlalchemy as sa

from .. import nav, paging
from ..auth import scoping
from ..auth.permissions import can, requires
from ..auth.models import User
from ..coverage import params
from ..extensions import db, htmx, reads_only
from ..register.models import Village
from ..timeutil import utcnow
from ..visits.models import Visit
from . import api, points, review, sample, verification
from .forms import MarkForm, ReviewFilterForm, VerifyForm
from .models import VerificationDraw

bp = Blueprint("proof", __name__, url_prefix="/proof")
nav.add("proof.index", _l("Visit checks"), order=35)
nav.add("proof.learnt", _l("Learnt locations"), order=36)
nav.add("proof.sample_page", _l("Verification"), order=37)
PER_PAGE = 25


@bp.record_once
def _register(state) -> None:
    """The visit API as its own blueprint (its URL is /api/…), and checks' figures in words
    for templates (their labels are `fieldapp.labels`' globals)."""
    from .figures import describe

    state.app.register_blueprint(api.bp, name="visit_api")
    state.app.jinja_env.globals["describe_check"] = describe


def _filters() -> tuple[ReviewFilterForm, review.Filters]:
    villages = db.session.scalars(scoping.villages(current_user)).all()
    form = ReviewFilterForm(request.args, villages=villages, officers=review.officers(current_user))
    if request.args.keys() - {"page"} and not form.validate():
        abort(400, "; ".join(f"{form[name].label.text}: {' '.join(map(str, errors))}"
                             for name, errors in form.errors.items()))
    default_state = "open" if can(current_user, "review_checks") else "all"
    return form, review.Filters(
        village_id=int(form.village.data) if form.village.data else None, officer=form.officer.data or None,
        flag=form.flag.data or None, state=request.args.get("state") or default_state,
        date_from=form.date_from.data, date_to=form.date_to.data)


@bp.get("/")
@reads_only
@requires("see_checks")
def index():
    """Flagged visits in force, grouped by officer and check, filtered by village, dates,
    officer, check and review state, 25 a page; commanders mark them, officers see their own.
    403 for village heads; 400 for malformed filters (a bad `?page=` too), 404 past the end."""
    form, filters = _filters()
    page = paging.of_select(review.flagged(current_user, filters), PER_PAGE, scalars=False)
    ids = [row[0].id for row in page.items]
    return render_template(
        "proof/index.html", form=form, filters=filters, page=page, groups=review.groups(current_user, filters),
        checks=review.checks_of(ids), marks=review.marks_of(ids), may_mark=can(current_user, "review_checks"),
        mark_form=MarkForm(formdata=None), tile_url=current_app.config.get("MAP_TILE_URL", ""))


@bp.post("/visits/<uuid:visit_id>/mark")
@requires("review_checks")
def mark(visit_id):
    """Mark a flagged visit fine or a problem (with a note); htmx gets the item back. 403 for
    roles other than commanders and admins, 404 outside the area, 422 with messages."""
    visit = api.get_visit(current_user, visit_id)
    form = MarkForm()
    if not form.validate():
        if htmx:
            return _item(visit, form), 422
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(_back()), 303
    review.mark(visit, current_user, form.verdict.data, form.note.data or "")
    db.session.commit()
    if htmx:
        return _item(visit, MarkForm(formdata=None))
    flash(_("Saved."), "success")
    return redirect(_back())


def _item(visit, form):
    row = db.session.execute(review.flagged(current_user, review.Filters(state="all"))
                             .where(Visit.id == visit.id)).one()
    return render_template("proof/_item.html", row=row, checks=review.checks_of([visit.id]),
                           marks=review.marks_of([visit.id]), may_mark=True, mark_form=form)


def _back(default: str = ".index") -> str:
    """Where a plain form post returns: the page it came from (a local path only)."""
    target = request.form.get("next") or ""
    local = target.startswith(("/proof/", "/coverage/")) and "//" not in target and "\\" not in target
    return target if local else url_for(default)


@bp.get("/points")
@reads_only
@requires("review_checks")
def learnt():
    """Households' points learnt from visits, waiting for the commander first, 25 a page;
    403 for roles other than commanders and admins."""
    page = paging.of_select(points.in_area(current_user), PER_PAGE)
    return render_template("proof/points.html", page=page, tile_url=current_app.config.get("MAP_TILE_URL", ""))


@bp.post("/points/<int:point_id>")
@requires("review_checks")
def decide(point_id: int):
    """Accept a learnt point (`decision=accept`) or clear it (`decision=clear`): 403 for
    other roles, 404 outside the area, 400 for another decision, 409 once decided."""
    point = points.get(current_user, point_id)
    decision = request.form.get("decision")
    if decision not in ("accept", "clear"):
        abort(400, _("Choose accept or clear."))
    if point.state != "pending":
        abort(409, _("This location was already decided."))
    points.decide(point, decision == "accept", current_user)
    db.session.commit()
    flash(_("Location accepted.") if decision == "accept" else _("Location cleared."), "success")
    return redirect(url_for(".learnt"))



def _commune_id(campaign) -> int:
    commune_id = current_user.commune_id or (campaign.commune_id if campaign else None)
    if commune_id is None:
        abort(400, _("Choose a campaign of one commune."))
    return commune_id


@bp.get("/sample")
@requires("verify")
def sample_page():
    """The verification sample of the campaign (`?campaign=`): per officer and village the
    visits flagged, the sample and its confirmation rate; the sampled households to check,
    25 a page, not yet checked first. Opening it draws a week that has ended. Village heads
    see their village. 403 for officers; 404 for a campaign outside the area."""
    campaign = params.campaign_arg(current_user)
    if campaign is None:
        abort(404)
    if current_user.commune_id and sample.weekly(current_user.commune_id, campaign):
        db.session.commit()
    area = scoping.village_ids(current_user)
    page = paging.of_select(verification.items(current_user, campaign.id), PER_PAGE)
    flagged_by_officer, flagged_by_village = verification.flagged_counts(campaign.id, area)
    officers, villages = verification.officer_rates(campaign.id, area), verification.village_rates(campaign.id, area)
    return render_template(
        "proof/sample.html", campaign=campaign, page=page, may_draw=can(current_user, "review_checks"),
        people=_by_id(User, officers.keys() | flagged_by_officer.keys()), places=_by_id(Village, villages.keys() | flagged_by_village.keys()),
        officers=officers, villages=villages, flagged_by_officer=flagged_by_officer, flagged_by_village=flagged_by_village,
        draws=db.session.scalars(sa.select(VerificationDraw).where(
            VerificationDraw.campaign_id == campaign.id, VerificationDraw.commune_id == _commune_id(campaign))
            .order_by(VerificationDraw.window_to.desc()).limit(5)).all(),
        form=VerifyForm(formdata=None), personal=can(current_user, "see_personal"))


def _by_id(model, ids) -> list:
    """Rows of `model` with these ids, by code or username."""
    if not ids:
        return []
    order = model.username if model is User else model.code
    return list(db.session.scalars(sa.select(model).where(model.id.in_(ids)).order_by(order)))


@bp.post("/sample/draw")
@requires("review_checks")
def draw():
    """Draw the sample of the warnings received since the last draw, now. 403 for roles other
    than commanders and admins; 404 for a campaign outside the area."""
    campaign = params.campaign_arg(current_user)
    if campaign is None:
        abort(404)
    made = sample.draw(_commune_id(campaign), campaign, utcnow(), current_user)
    db.session.commit()
    if made is None:
        flash(_("No new warning to draw from since the last draw."), "info")
    else:
        flash(_("Drew %(n)s households to verify.", n=db.session.scalar(
            sa.select(sa.func.count()).select_from(verification.Verification).where(
                verification.Verification.draw_id == made.id))), "success")
    return redirect(url_for(".sample_page", campaign=campaign.id))


@bp.post("/sample/<int:item_id>")
@requires("verify")
def verify(item_id: int):
    """Record what the household said about the sampled warning: confirmed, denied or
    unreachable, with a note. Commanders, admins and the village's head; 403 for others,
    404 for a household outside the caller's area, 422 with messages."""
    item = verification.get_item(current_user, item_id)
    form = VerifyForm()
    if not form.validate():
        if htmx:
            return _sample_item(item, form), 422
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(_back(".sample_page")), 303
    verification.record(item, form.result.data, form.note.data or "", current_user)
    db.session.commit()
    if htmx:
        return _sample_item(item, VerifyForm(formdata=None))
    flash(_("Saved."), "success")
    return redirect(_back(".sample_page"))


def _sample_item(item, form):
    item = db.session.scalar(verification.items(current_user, item.draw.campaign_id)
                             .where(verification.Verification.id == item.id))
    return render_template("proof/_sample_item.html", item=item, form=form, may_verify=True,
                           personal=can(current_user, "see_personal"))
