"""Accountability pages: incidents (/incidents/), the audit trail (/audit/) and the
warned-as-of API (/api/households/<id>/warned); every URL of the module is listed here.
(A household's personal data pages live with the household, in `households.routes`.)

Each area is its own small blueprint nested in `accountability`, so endpoints read
`accountability.incidents.show` and the app factory registers one blueprint as usual.
Incidents and the audit trail are for commanders and admins (others 403); an incident or
household outside the caller's area answers 404. No route edits or deletes an audit event.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import nav, paging
from ..auth import scoping
from ..auth.permissions import can, requires
from ..downloads.services import exportable
from ..extensions import db, reads_only
from ..households.queries import find, search_terms, survivor
from ..labels import AUDIT_ACTIONS
from ..timeutil import today_vn
from . import audit
from .forms import AuditFilterForm, HouseholdSearchForm, IncidentFilterForm, IncidentForm, parse_day
from .models import AuditEvent
from .papers import letterhead, list_docx, verdict_docx
from .queries import as_json, assess
from .readable import Reader
from .services import (Filters, count, create_incident, get_incident, judged_days, listing, listing_page,
                       register_started_on)
from .wording import account
from .xlsx import XLSX, incidents_workbook

bp = Blueprint("accountability", __name__)
incidents = Blueprint("incidents", __name__, url_prefix="/incidents")
audit_trail = Blueprint("audit", __name__, url_prefix="/audit")
api = Blueprint("api", __name__)
PER_PAGE = 50
SEARCH_LIMIT = 30
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AUDIT_PER_PAGE = 50

nav.add("accountability.incidents.index", _l("Incidents"), order=40)
nav.add("accountability.audit.index", _l("Access log"), order=70)


def topic_labels() -> dict[str, str]:
    from flask_babel import get_locale

    from ..campaigns.models import Topic

    topics = db.session.scalars(sa.select(Topic).order_by(Topic.id))
    return {t.code: t.label(str(get_locale())) for t in topics}


def proof_of(visits) -> dict:
    """The checks, verification and commitment photos of the warning visits a verdict rests on."""
    from ..photos.services import with_photos
    from ..proof.review import checks_of
    from ..proof.verification import of_visit

    ids = [v.id for v in visits]
    return {"checks": checks_of(ids), "verifications": {v.id: of_visit(v) for v in visits},
            "photos": with_photos(ids) if can(current_user, "see_personal") else set()}


def _filters() -> tuple[IncidentFilterForm, Filters]:
    villages = db.session.scalars(scoping.villages(current_user)).all()
    form = IncidentFilterForm(formdata=request.args, villages=villages)
    if request.args and not form.validate():
        return form, Filters()
    return form, Filters(verdict=form.verdict.data or None, kind=form.kind.data or None,
                         village_id=int(form.village.data) if form.village.data else None,
                         date_from=form.date_from.data, date_to=form.date_to.data)


@incidents.get("/")
@requires("incidents")
def index():
    """Incidents in the caller's area with their verdicts, filtered by the query string, 50 a
    page (a malformed `?page=` answers 400, one past the end 404)."""
    form, filters = _filters()
    page = listing_page(current_user, filters, PER_PAGE)
    # Rendered before the commit, which would expire every loaded row and reload each one.
    html = render_template("accountability/incidents.html", form=form, rows=page.items, page=page, account=account)
    audit.record("incident_list", "incident", "", rows=len(page.items))  # names of victims' households
    db.session.commit()
    return html


def _export_size() -> int:
    """How many incidents the export would hold (0 for invalid filters: the export says why)."""
    form, filters = _filters()
    return 0 if form.errors else count(current_user, filters)


@incidents.get("/export.xlsx")
@requires("incidents")
@exportable(_export_size, XLSX)
def export():
    """The filtered list as an Excel workbook (names included: audited as an export); invalid
    filters answer 400 with the form's messages rather than exporting everything."""
    rows = _listing_or_400()
    workbook = incidents_workbook(rows)  # before the commit expires the rows
    audit.record("incident_export", "incident", "", rows=len(rows), filters=request.args.to_dict())
    db.session.commit()
    return send_file(workbook, as_attachment=True, download_name="vu-viec.xlsx", mimetype=XLSX)


def _listing_or_400():
    """The filtered list for a paper; invalid filters answer 400 with the form's messages."""
    form, filters = _filters()
    if form.errors:
        abort(400, "; ".join(f"{form[name].label.text}: {' '.join(map(str, errors))}"
                             for name, errors in form.errors.items()))
    return listing(current_user, filters)


@incidents.get("/print")
@requires("incidents")
def list_printable():
    """The filtered incident list as a page to print (A4 landscape, letterhead); audited."""
    rows = _listing_or_400()
    page = render_template("accountability/incidents_print.html", rows=rows, account=account,
                           head=letterhead(current_user.commune_id, today_vn()))
    audit.record("incident_export", "incident", "", rows=len(rows), format="print", filters=request.args.to_dict())
    db.session.commit()
    return page


@incidents.get("/export.docx")
@requires("incidents")
def list_document():
    """The filtered incident list as a Word document; audited; invalid filters 400."""
    rows = _listing_or_400()
    body = list_docx(rows, current_user.commune_id, today_vn())
    audit.record("incident_export", "incident", "", rows=len(rows), format="docx", filters=request.args.to_dict())
    db.session.commit()
    return _docx(body, "vu-viec.docx")


@incidents.get("/new")
@reads_only
@requires("incidents")
def find_household():
    """Choose the victim's household by head's name, house number, address, phone or a named
    youth's name (`?q=`, every word in any order), a village (`?village=`) and an age group
    (`?age=12-24|12-17|18-24`). Nothing to search, or a bad value, answers 422 with the
    reason; a village outside the area finds nothing. Merged households are left out: their
    visits live on the survivor."""
    villages = db.session.scalars(scoping.villages(current_user)).all()
    form = HouseholdSearchForm(formdata=request.args, villages=villages)
    found, status = [], 200
    if request.args:
        if form.validate():
            found = find(scoping.households(current_user), form.q.data,
                         village_id=int(form.village.data) if form.village.data else None,
                         age_group=form.age.data or None, this_year=today_vn().year, limit=SEARCH_LIMIT)
        else:
            status = 422
    return render_template("accountability/incident_find.html", form=form, found=found[:SEARCH_LIMIT],
                           more=len(found) > SEARCH_LIMIT, terms=search_terms(form.q.data),
                           this_year=today_vn().year, asked=bool(request.args)), status


@incidents.route("/new/<uuid:household_id>", methods=["GET", "POST"])
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


def _judged(incident_id: int):
    """(incident, verdict, what it says) for an incident of the caller's area, else 404."""
    incident = get_incident(current_user, incident_id)
    verdict = assess(incident.household, *judged_days(incident))
    return incident, verdict, account(verdict, incident.occurred_on)


@incidents.get("/<int:incident_id>")
@requires("incidents")
def show(incident_id: int):
    """The incident and, at once, its verdict in words relative to its date, who answered
    for the village that day, and every visit to the household; 404 outside the area."""
    incident, verdict, said = _judged(incident_id)
    page = render_template("accountability/incident.html", incident=incident, verdict=verdict, said=said,
                           topic_labels=topic_labels(), **proof_of(verdict.warned_visits))
    audit.record("incident_view", "incident", incident.id, household=str(incident.household_id))
    db.session.commit()
    return page


@incidents.get("/<int:incident_id>/print")
@requires("incidents")
def printable(incident_id: int):
    """The verdict as a page to print or save as PDF (A4, letterhead, signature); audited
    as an export; 404 outside the area."""
    incident, verdict, said = _judged(incident_id)
    page = render_template("accountability/incident_print.html", incident=incident, verdict=verdict,
                           said=said, head=letterhead(incident.household.village.commune_id, today_vn()))
    audit.record("incident_export", "incident", incident.id, format="print")
    db.session.commit()
    return page


@incidents.get("/<int:incident_id>.docx")
@requires("incidents")
def document(incident_id: int):
    """The verdict as a Word document for a disciplinary file; audited; 404 outside the area."""
    incident, verdict, _said = _judged(incident_id)
    body = verdict_docx(incident, verdict, today_vn())
    audit.record("incident_export", "incident", incident.id, format="docx")
    db.session.commit()
    return _docx(body, f"vu-viec-{incident.occurred_on:%Y%m%d}-{incident.id}.docx")


def _docx(body: bytes, name: str) -> Response:
    return Response(body, mimetype=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@audit_trail.get("/", endpoint="index")
@requires("read_audit")
def audit_log():
    """Events the caller may read (see `scoping.audit_events`), newest first, 50 a page (a
    malformed `?page=` answers 400, one past the end 404); other roles get 403."""
    form = AuditFilterForm(formdata=request.args, actions=AUDIT_ACTIONS)
    query = scoping.audit_events(current_user)
    if form.validate():
        query = audit.search(query, user=form.user.data or "", action=form.action.data or "",
                             object_id=form.object.data or "", date_from=form.date_from.data,
                             date_to=form.date_to.data)
    page = paging.of_select(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), AUDIT_PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("accountability/audit.html", form=form, page=page, args=args,
                           names=Reader(page.items))


@api.get("/api/households/<household_id>/warned")
@requires("view_area")
def warned(household_id: str):
    """Visits in force by the end of `as_of` (default today, Vietnam time) and who was assigned
    to the household's village that day. 401 JSON when signed out; 404 JSON for a household
    outside the caller's area (or a malformed id); 400 JSON for a malformed `as_of`."""
    household = scoping.get_household(current_user, household_id)
    as_of = parse_day(request.args.get("as_of"), today_vn())
    audit.record("warned_check", "household", household.id, as_of=as_of.isoformat())
    body = as_json(assess(household, as_of))
    db.session.commit()
    return jsonify(body)


for child in (incidents, audit_trail, api):
    bp.register_blueprint(child)
