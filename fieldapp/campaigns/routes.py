"""Campaigns pages: list and create (admin), topics and their order (admin), the standard
package and closing an ended campaign (admin, or the commander of its commune), and the
households that need a re-warning on a topic added mid-campaign (admin, commander; the
list is scoped to the caller's area). 403 for other roles; 404 for an unknown campaign.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import nav
from ..accountability import audit
from ..auth import scoping
from ..auth.permissions import requires
from ..extensions import db, reads_only, writing
from ..households.models import Household
from ..register.models import Village
from ..register.services import commune_or_only
from ..timeutil import today_vn
from . import services, targets
from .forms import CampaignForm, StandardForm, TopicForm
from .models import Campaign, Topic

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
nav.add("campaigns.index", _l("Campaigns"), order=60)


@bp.get("/")
@requires("view_campaigns")
def index():
    """Campaigns of my commune with their state and the current one marked, and (admins)
    the form to create one; 403 for roles that do not run campaigns."""
    return _render_index(CampaignForm(topics=services.all_topics()))


@bp.post("/")
@requires("manage_campaigns")
def create():
    """Create a campaign (403 unless admin); errors re-render the list with the form (422)."""
    form = CampaignForm(topics=services.all_topics())
    if not form.validate_on_submit():
        return _render_index(form), 422
    campaign = services.create_campaign(form.name.data, form.starts_on.data, form.ends_on.data,
                                     form.ordered_topics(), commune_or_only(current_user.commune_id))
    db.session.commit()
    flash(_("Campaign created."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


def _render_index(form: CampaignForm):
    query = (scoping.campaigns(current_user).options(selectinload(Campaign.campaign_topics))
             .order_by(Campaign.starts_on.desc()))
    return render_template("campaigns/index.html", form=form, campaigns=db.session.scalars(query).all(),
                           current=services.current_campaign(current_user), topic_form=TopicForm())


@bp.post("/topics")
@requires("manage_campaigns")
def new_topic():
    """Add a warning topic to the list campaigns choose from (403 unless admin)."""
    form = TopicForm()
    if form.validate_on_submit():
        if db.session.scalar(sa.select(Topic).where(Topic.code == form.code.data)):
            abort(400, _("A topic with this code already exists."))
        topic = Topic(code=form.code.data, label_vi=form.label_vi.data, label_en=form.label_en.data or "")
        db.session.add(topic)
        db.session.flush()
        audit.record("topic_create", "topic", topic.id, code=topic.code)
        db.session.commit()
        flash(_("Topic added; choose it in a campaign."), "success")
    else:
        for errors in form.errors.values():
            flash("; ".join(map(str, errors)), "error")
    return redirect(url_for(".index"))


@bp.get("/<int:campaign_id>")
@reads_only
@requires("view_campaigns")
def show(campaign_id: int):
    """A campaign's state, topics in order, standard package, and re-warning counts for
    topics added mid-campaign; 403 for roles that do not run campaigns, 404 for another
    commune's campaign."""
    campaign = scoping.get_campaign(current_user, campaign_id)
    return _render_show(campaign, StandardForm(campaign=campaign, locale=str(get_locale())))


def _render_show(campaign, standard_form, status: int = 200):
    counts = services.rewarn_counts(campaign, scoping.village_ids(current_user))
    present = {ct.topic_id for ct in campaign.campaign_topics}
    missing = [t for t in services.all_topics() if t.id not in present]
    return render_template("campaigns/show.html", campaign=campaign, counts=counts, missing=missing,
                           current=services.current_campaign(current_user, commune_id=campaign.commune_id),
                           standard_form=standard_form,
                           may_manage=scoping.covers_commune(current_user, campaign.commune_id)), status


@bp.post("/<int:campaign_id>/standard")
@requires("run_campaign")
def standard(campaign_id: int):
    """Set the standard package (admin, or the commander of the campaign's commune; 403
    otherwise); 422 with the form's message when no topic is ticked."""
    campaign = _managed(campaign_id)
    form = StandardForm(campaign=campaign, locale=str(get_locale()))
    if not form.validate():
        return _render_show(campaign, form, 422)
    services.set_standard(campaign, form.topics.data, form.materials.data)
    db.session.commit()
    flash(_("Standard package saved: one tap on “Warned” now records it."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/close", methods=["GET", "POST"])
@requires("run_campaign")
def close(campaign_id: int):
    """Close an ended campaign, after a confirmation page (no JavaScript needed). Admin or
    the commander of its commune (403 otherwise); 409 while it has not ended."""
    campaign = _managed(campaign_id)
    if campaign.state != "ended":
        abort(409, _("Only a campaign that has ended can be closed."))
    if request.method == "POST":
        services.close(campaign, current_user)
        db.session.commit()
        flash(_("Campaign closed: its record is final."), "success")
        return redirect(url_for(".show", campaign_id=campaign.id))
    return render_template("campaigns/close.html", campaign=campaign)


def _managed(campaign_id: int):
    """The campaign, if the caller runs its commune (404 outside the area, 403 otherwise)."""
    campaign = scoping.get_campaign(current_user, campaign_id)
    if not scoping.covers_commune(current_user, campaign.commune_id):
        abort(403)
    return campaign


@bp.post("/<int:campaign_id>/topics")
@requires("manage_campaigns")
def topics(campaign_id: int):
    """Add a topic (`add`) or move one (`up`/`down`).
    403 unless admin; 404 for an unknown campaign; 400 for an unknown topic or action."""
    campaign = scoping.get_campaign(current_user, campaign_id)
    if code := request.form.get("add"):
        topic = db.session.scalar(sa.select(Topic).where(Topic.code == code)) or abort(400)
        if any(ct.topic_id == topic.id for ct in campaign.campaign_topics):
            abort(400, _("This topic is already in the campaign."))
        services.add_topic(campaign, topic, today_vn())
    elif request.form.get("move"):
        step = -1 if request.form.get("dir") == "up" else 1
        try:
            services.move_topic(campaign, request.form.get("move", type=int), step)
        except ValueError:
            abort(400, _("This topic is not in the campaign."))
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>/rewarn")
@reads_only
@requires("view_campaigns")
def rewarn(campaign_id: int):
    """Households in my area (or `?village=`) warned in the campaign but never on `?topic=`
    (a topic added later); 403 for roles that do not run campaigns, 404 for a topic not in
    the campaign or a village outside my area."""
    campaign = scoping.get_campaign(current_user, campaign_id)
    link = next((ct for ct in campaign.campaign_topics if ct.topic.code == request.args.get("topic")), None)
    if link is None:
        abort(404)
    area = Household.village_id.in_(scoping.village_ids(current_user))
    if village_id := request.args.get("village", type=int):
        area = Household.village_id == scoping.get_village(current_user, village_id).id
    rows = services.rewarn_households(campaign, link.topic.code, area)
    villages = db.session.scalars(scoping.villages(current_user)).all()
    # Drawn before the audit event's commit, which would expire every row and reload each one.
    page = render_template("campaigns/rewarn.html", campaign=campaign, link=link, rows=rows,
                           villages=villages, village_id=village_id)
    with writing():  # the reads above held no write lock (an import may be writing)
        audit.record("rewarn_view", "campaign", campaign.id, topic=link.topic.code, village=village_id, rows=len(rows))
    return page


@bp.route("/<int:campaign_id>/targets", methods=["GET", "POST"])
@requires("set_targets")
def village_targets(campaign_id: int):
    """Each village's target (percent warned) and deadline in the campaign, for the villages
    of my area (`target-<id>`, `due-<id>`; empty = the dashboard's target and the campaign's
    end). A bad value answers 422 with the village and the reason, nothing saved; 404 for
    another commune's campaign."""
    campaign = scoping.get_campaign(current_user, campaign_id)
    villages = db.session.scalars(scoping.villages(current_user).where(
        sa.true() if campaign.commune_id is None else Village.commune_id == campaign.commune_id)).all()
    current = targets.targets_of(campaign.id, sa.select(Village.id).where(Village.id.in_([v.id for v in villages])))
    errors, wanted = {}, {}
    if request.method == "POST":
        for village in villages:
            try:
                wanted[village.id] = (targets.parse_pct(request.form.get(f"target-{village.id}", "")),
                                      targets.parse_due(request.form.get(f"due-{village.id}", ""), campaign))
            except ValueError as problem:
                errors[village.id] = str(problem)
        if not errors:
            changed = targets.save(campaign, wanted)
            db.session.commit()
            flash(ngettext("Saved for %(num)d village.", "Saved for %(num)d villages.", changed), "success")
            return redirect(url_for(".village_targets", campaign_id=campaign.id))
    return render_template("campaigns/targets.html", campaign=campaign, villages=villages, current=current,
                           errors=errors, default=current_app.config.get("COVERAGE_TARGET_PCT", 80)), \
        422 if errors else 200
