"""Village import: boundaries from GeoJSON or a zipped Shapefile (properties code, name), in
WGS 84 or VN-2000, or a CSV/XLSX table of code,name.

Boundaries are checked as drawn (closed, not crossing themselves, in Vietnam under the
file's coordinate system) and stored in WGS 84. A village already in the commune (same
code) gets its new name and boundary; the others are created. All or nothing like the
household import; villages are few, so they are held.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import leases
from ..extensions import db
from ..text import nfc
from . import geometry
from .crs import Reprojection, choose
from .models import Village
from .readers import MAX_BYTES, FileRefused, declared_crs, features, kind_of, read_rows
from .validate import RowError


def parse(path: Path, filename: str, limit: int = MAX_BYTES, crs: str | None = None
          ) -> tuple[list[dict], list[RowError]]:
    """The villages of the file and every error in it; `crs` ("EPSG:NNNN") is the system of a
    file that states none."""
    kind = kind_of(filename)
    rows, errors, seen = [], [], {}
    if kind in ("geojson", "shapefile"):
        source = _features(path, kind, limit, choose(declared_crs(path, kind, limit), crs))
    else:
        source = _table(path, kind, limit, errors)
    for line, values, problems in source:
        errors.extend(RowError(line, col, msg) for col, msg in problems)
        if not values["code"]:
            errors.append(RowError(line, "code", _("Village code is missing.")))
        elif values["code"] in seen:
            errors.append(RowError(line, "code", _("Village code “%(code)s” is already on line %(first)s.",
                                                   code=values["code"], first=seen[values["code"]])))
        else:
            seen[values["code"]] = line
        if not values["name"]:
            errors.append(RowError(line, "name", _("Village name is missing.")))
        if len(values["code"]) > 20 or len(values["name"]) > 120:
            errors.append(RowError(line, "name", _("Code at most 20 characters, name at most 120.")))
        rows.append(values)
    if not rows and not errors:
        raise FileRefused(_("The file has a header but no villages."))
    return rows, errors


def _table(path, kind, limit, errors):
    rows = read_rows(path, kind, limit)
    header = next(rows)[1]["__header__"]
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        errors.append(RowError(1, ", ".join(missing), _("Missing column(s): %(cols)s.", cols=", ".join(missing))))
        return
    for line, row in rows:
        yield line, {"code": nfc(str(row.get("code") or "")), "name": nfc(str(row.get("name") or ""))}, []


def _features(path, kind, limit, reprojection: Reprojection):
    if kind == "shapefile":
        from .shapefiles import Layer

        source = Layer(Path(path), limit).features()
    else:
        source = features(path, limit)
    for line, feature in source:
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        props = {str(k).strip().lower(): v for k, v in props.items()}
        values = {"code": nfc(str(props.get("code") or "")), "name": nfc(str(props.get("name") or ""))}
        shape = feature.get("geometry") if isinstance(feature, dict) else None
        problems = []
        if shape is not None:
            wgs84, reasons = geometry.boundary(shape, reprojection)
            who = values["code"] or _("feature %(n)s", n=line - 1)
            problems = [("geometry", f"{who}: {reason}") for reason in reasons]
            if wgs84 is not None:
                lon, lat = geometry.centre(wgs84)
                values.update(boundary=wgs84, lon=lon, lat=lat)
        yield line, values, problems


def apply(rows: list[dict], commune_id: int) -> dict:
    """Create or update the villages of the commune; flush, never commit (the run audits)."""
    existing = {v.code: v for v in db.session.scalars(sa.select(Village).where(Village.commune_id == commune_id))}
    summary = {"created": 0, "updated": 0, "unchanged": 0}
    for values in rows:
        village = existing.get(values["code"])
        if village is None:
            village = Village(commune_id=commune_id, **values)
            db.session.add(village)
            summary["created"] += 1
        elif any(getattr(village, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(village, key, value)
            summary["updated"] += 1
        else:
            summary["unchanged"] += 1
    db.session.flush()
    return summary


def run(path: Path, filename: str, commune_id: int, *, crs: str | None = None, dry_run: bool = False,
        user_id: int | None = None, limit: int = MAX_BYTES) -> tuple[list[dict], list[RowError], dict | None]:
    """Check (and unless `dry_run` or refused, write) a village file as one import run; commits.
    Returns (rows, errors, summary of the write or None). A file refused as a whole raises
    FileRefused, recorded on its run."""
    from . import runs

    started = runs.start("villages", filename, user_id, commune_id)  # takes the commune's lease
    with leases.heartbeat(runs.lease_name(commune_id), runs.holder(started.id)):
        try:
            rows, errors = parse(path, filename, limit, crs=crs)
        except FileRefused as exc:
            runs.fail(started.id, "refused", {"message": str(exc)})
            raise
        record = runs.take_write_lock(started.id)
        summary = None
        if errors or dry_run:
            runs.finish(record, "refused" if errors else "checked", {"rows": len(rows), "error_count": len(errors)})
        else:
            summary = apply(rows, commune_id)
            runs.finish(record, "done", {"rows": len(rows), **summary})
        db.session.commit()
    return rows, errors, summary
