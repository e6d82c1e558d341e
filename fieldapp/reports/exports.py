"""/exports/…: households.geojson, villages.geojson, coverage.csv (for tools: the header
names of the contract), its Vietnamese twin coverage.vi.csv (for people), coverage.xlsx, and the
province's communes.csv, communes.xlsx, communes.geojson (figures from the summary rows).

Query `campaign` (default: the active one) and `village` (optional), both checked by
`coverage.params`: malformed → 400, unknown or outside the caller's area → 404. Everything
is scoped through `auth.scoping`; an empty area gives a valid empty document. Personal
fields only for roles that may see them, and each such export is written to the audit log.
A person's browser asking for more rows than EXPORT_JOB_ROWS gets a page that follows a job
building the same file (`downloads`); scripts and smaller exports get the file at once.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response
from flask_babel import gettext as _
from flask_login import current_user

from ..accountability import audit
from ..auth.permissions import can, requires
from ..coverage import params, province, queries
from ..downloads.services import counted, exportable
from ..extensions import db, reads_only, writing
from ..households.models import Household
from ..timeutil import iso_utc, utcnow
from . import cells, geo, sheets

bp = Blueprint("exports", __name__, url_prefix="/exports")


def _scope():
    """(campaign, village or None, SELECT of village ids, whole commune?) for this request."""
    campaign = params.campaign_arg(current_user)
    village = params.village_arg(current_user)
    ids = queries.area(current_user, campaign)
    if village is not None:
        ids = sa.select(sa.literal(village.id)).where(sa.literal(village.id).in_(ids))
    return campaign, village, ids, village is None and queries.whole_commune(current_user, campaign)


def count(village_ids: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(village_ids.subquery()))


def village_count(**_view_args) -> int:
    """How many villages a village-level export of this request has (400/404 as the export)."""
    return count(_scope()[2])


def household_count(**_view_args) -> int:
    """How many households households.geojson of this request has (400/404 as the export)."""
    ids = _scope()[2]
    return db.session.scalar(sa.select(sa.func.count()).where(Household.village_id.in_(ids)))


XLSX = cells.XLSX


def _filename(stem: str, campaign, village, ext: str) -> str:
    parts = [stem, f"c{campaign.id}" if campaign else "", village.code if village else ""]
    return "-".join(p for p in parts if p) + "." + ext


def download(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _meta(campaign, village) -> dict:
    return {"campaign_id": campaign.id if campaign else None, "village_id": village.id if village else None,
            "generated_at": iso_utc(utcnow())}


def _village_rows():
    """(campaign, village or None, coverage rows of the area's villages): what the three
    village-level exports share."""
    campaign, village, ids, whole = _scope()
    rows = queries.village_coverage(campaign.id if campaign else None, ids, whole)
    return campaign, village, queries.with_verification(rows, campaign.id if campaign else None, ids)


def _geojson(features: list[dict], campaign, village) -> Response:
    body = json.dumps(geo.collection(features, **_meta(campaign, village)), ensure_ascii=False)
    return Response(body, mimetype="application/geo+json", headers={"Cache-Control": "no-store"})


@bp.get("/households.geojson")
@reads_only
@requires("view_area")
@exportable(household_count, "application/geo+json")
def households_geojson():
    """Points of the households in the area with their status (404 outside the area)."""
    campaign, village, ids, whole = _scope()
    personal = can(current_user, "see_personal") and params.choice_arg("personal", ("0", "1"), "1") == "1"
    features = [geo.household_feature(row, personal)
                for row in counted(queries.households_in(campaign.id if campaign else None, ids))]
    if personal:
        with writing():  # the long read above held no lock; the audit event takes it briefly
            audit.record("export", "households", village.id if village else "", format="geojson",
                         campaign=campaign.id if campaign else None, rows=len(features))
    return _geojson(features, campaign, village)


@bp.get("/villages.geojson")
@reads_only
@requires("view_area")
@exportable(village_count, "application/geo+json")
def villages_geojson():
    """Village boundaries (or centroids) with their coverage figures (404 outside the area)."""
    campaign, village, rows = _village_rows()
    return _geojson([geo.village_feature(r) for r in rows], campaign, village)


@bp.get("/coverage.csv")
@reads_only
@requires("view_area")
@exportable(village_count, "text/csv")
def coverage_csv():
    """One row per village: households, warned, revisit, not_visited, excluded, coverage %, and
    once a verification sample exists `verified_coverage_pct` and `verified_sample` (404
    outside the area)."""
    campaign, village, rows = _village_rows()
    return download(sheets.to_csv(sheets.coverage_columns(rows), rows), "text/csv; charset=utf-8",
                    _filename("coverage", campaign, village, "csv"))


@bp.get("/coverage.vi.csv")
@reads_only
@requires("view_area")
@exportable(village_count, "text/csv")
def coverage_csv_vi():
    """coverage.csv for people: Vietnamese headers, numbers as 1.234 and 85,3, ';' between
    fields (Excel in Vietnamese opens it in columns) and a totals row (404 outside the area)."""
    campaign, village, rows = _village_rows()
    return download(sheets.to_csv_vi(sheets.coverage_columns(rows), rows, queries.total(rows)), "text/csv; charset=utf-8",
                    _filename("do-phu", campaign, village, "csv"))


@bp.get("/coverage.xlsx")
@reads_only
@requires("view_area")
@exportable(village_count, XLSX)
def coverage_xlsx():
    """The same table as coverage.csv as a workbook, with Vietnamese headers and a totals row
    (404 outside the area)."""
    campaign, village, rows = _village_rows()
    body = sheets.to_xlsx(sheets.coverage_columns(rows), rows, queries.total(rows), _("Coverage"),
                          info_rows(campaign))
    return download(body, XLSX, _filename("coverage", campaign, village, "xlsx"))


def info_rows(campaign) -> list[tuple[str, str]]:
    from ..i18n import vn_date, vn_datetime

    rows = [(_("Exported at"), vn_datetime(utcnow())),
            (_("Exported by"), f"{current_user.display_name} ({current_user.username})")]
    if campaign is not None:
        rows[:0] = [(_("Campaign"), campaign.name),
                    (_("Period"), f"{vn_date(campaign.starts_on)} – {vn_date(campaign.ends_on)}")]
    return rows


def _commune_rows():
    """(the scope counted, one Coverage per commune of the caller's area), from the summary
    rows: ?campaign=, else each commune in its current campaign (as the province dashboard)."""
    counted = province.scope(current_user)
    return counted, province.commune_rows(counted)


@bp.get("/communes.csv")
@reads_only
@requires("view_area")
def communes_csv():
    """One row per commune of the caller's area: commune_code, commune_name, households,
    warned, revisit, not_visited, excluded, coverage_pct (and verified_coverage_pct once a
    verification sample exists). 404 for a campaign outside the area."""
    counted, rows = _commune_rows()
    return download(sheets.to_csv(sheets.commune_columns(rows), rows), "text/csv; charset=utf-8",
                    _filename("communes", counted.campaign, None, "csv"))


@bp.get("/communes.xlsx")
@reads_only
@requires("view_area")
def communes_xlsx():
    """The communes table with Vietnamese headers, youth columns and a totals row."""
    counted, rows = _commune_rows()
    columns = sheets.commune_columns(rows, people=True)
    body = sheets.to_xlsx(columns, rows, queries.total(rows), _("Communes"), info_rows(counted.campaign))
    return download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    _filename("communes", counted.campaign, None, "xlsx"))


@bp.get("/communes.geojson")
@reads_only
@requires("view_area")
def communes_geojson():
    """Communes with their figures: their villages' boundaries when all are known, else a point."""
    from ..register.models import Village

    counted, rows = _commune_rows()
    villages: dict[int, list] = {}
    for village in db.session.scalars(sa.select(Village).where(Village.id.in_(counted.area))):
        villages.setdefault(village.commune_id, []).append(village)
    features = [geo.commune_feature(r, villages.get(r.commune.id, [])) for r in rows]
    return _geojson(features, counted.campaign, None)
