"""Village import: GeoJSON polygons (properties code, name) or CSV/XLSX columns code,name.

A village already in the commune (same code) gets its new name and boundary; the others are
created. All or nothing like the household import; villages are few, so they are held.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..text import nfc
from .models import Village
from .readers import MAX_BYTES, FileRefused, features, kind_of, read_rows
from ..households.rules import inside_vietnam
from .validate import RowError


def parse(path: Path, filename: str, limit: int = MAX_BYTES) -> tuple[list[dict], list[RowError]]:
    """The villages of the file and every error in it."""
    kind = kind_of(filename)
    rows, errors, seen = [], [], {}
    source = _features(path, limit) if kind == "geojson" else _table(path, kind, limit, errors)
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


def _features(path, limit):
    for line, feature in features(path, limit):
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        values = {"code": nfc(str(props.get("code") or "")), "name": nfc(str(props.get("name") or ""))}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problems = []
        if geometry is not None:
            centre = _centre(geometry)
            if centre is None:
                problems.append(("geometry", _("The geometry must be a Polygon or MultiPolygon of [lon, lat].")))
            elif not inside_vietnam(centre[1], centre[0]):
                problems.append(("geometry", _("The boundary lies outside Vietnam (are lon and lat swapped?).")))
            else:
                values.update(boundary=geometry, lon=centre[0], lat=centre[1])
        yield line, values, problems


def _centre(geometry) -> tuple[float, float] | None:
    """Mean of the outer rings' vertices: good enough to place a label or a pin."""
    if not isinstance(geometry, dict):
        return None
    coords = geometry.get("coordinates")
    polygons = {"Polygon": [coords], "MultiPolygon": coords}.get(geometry.get("type"))
    try:
        points = [(float(p[0]), float(p[1])) for poly in polygons for p in poly[0]]
    except (TypeError, IndexError, ValueError):
        return None
    if len(points) < 3:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


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
