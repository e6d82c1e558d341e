"""Village boundaries from a file: checked as drawn (closed rings, no self-intersection, in
Vietnam under the file's coordinate system), then stored in WGS 84 [lon, lat]."""
from __future__ import annotations

import shapely
from flask_babel import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from .crs import Reprojection

DECIMALS = 7  # about 1 cm: more is noise from the reprojection


def polygons_of(geometry) -> list | None:
    """The polygons (lists of rings of positions) of a Polygon or MultiPolygon, or None."""
    if not isinstance(geometry, dict):
        return None
    coords = geometry.get("coordinates")
    kind = geometry.get("type")
    if kind == "Polygon":
        return [coords] if isinstance(coords, list) else None
    if kind == "MultiPolygon" and isinstance(coords, list) and all(isinstance(p, list) for p in coords):
        return coords
    return None


def boundary(geometry, reprojection: Reprojection) -> tuple[dict | None, list[str]]:
    """(the boundary in WGS 84, []) or (None, [reasons for a person])."""
    polygons = polygons_of(geometry)
    if not polygons:
        return None, [_("The geometry must be a Polygon or MultiPolygon.")]
    problems = _ring_problems(polygons)
    if problems:
        return None, problems
    invalid = _self_intersection(geometry)
    if invalid:
        return None, [invalid]
    points = [p for polygon in polygons for ring in polygon for p in ring]
    outside = next((p for p in points if not reprojection.inside(p[0], p[1])), None)
    if outside is not None:
        return None, [reprojection.why_outside(outside[0], outside[1])]
    return _reprojected(polygons, reprojection), []


def _ring_problems(polygons: list) -> list[str]:
    problems = []
    for p, polygon in enumerate(polygons, start=1):
        if not polygon:
            problems.append(_("Polygon %(p)s has no ring.", p=p))
        for r, ring in enumerate(polygon or [], start=1):
            try:
                points = [(float(c[0]), float(c[1])) for c in ring]
            except (TypeError, ValueError, IndexError):
                problems.append(_("Ring %(r)s of polygon %(p)s has a position that is not two numbers.", r=r, p=p))
                continue
            if len(points) < 4:
                problems.append(_("Ring %(r)s of polygon %(p)s has %(n)s points; a closed ring needs at least 4.",
                                  r=r, p=p, n=len(points)))
            elif points[0] != points[-1]:
                problems.append(_("Ring %(r)s of polygon %(p)s is not closed: its last point is not its first.",
                                  r=r, p=p))
    return problems


def _self_intersection(geometry: dict) -> str | None:
    polygon = shape({"type": geometry["type"], "coordinates": geometry["coordinates"]})
    if shapely.is_valid(polygon):
        return None
    reason = explain_validity(polygon)
    if "Self-intersection" in reason or "Ring Self-intersection" in reason:
        where = reason.partition("[")[2].rstrip("]").split()
        near = ", ".join(f"{float(v):.6f}".rstrip("0").rstrip(".") for v in where[:2])
        return _("The boundary crosses itself near (%(near)s).", near=near)
    return _("The boundary is not a valid polygon: %(reason)s.", reason=reason)


def _reprojected(polygons: list, reprojection: Reprojection) -> dict:
    out = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            xs, ys = [float(c[0]) for c in ring], [float(c[1]) for c in ring]
            if reprojection.transformer is not None:
                xs, ys = reprojection.transformer.transform(xs, ys)
            rings.append([[round(x, DECIMALS), round(y, DECIMALS)] for x, y in zip(xs, ys)])
        out.append(rings)
    if len(out) == 1:
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}


def centre(geometry: dict) -> tuple[float, float]:
    """A point inside the boundary (for a label or a pin): shapely's representative point."""
    point = shape(geometry).representative_point()
    return round(point.x, DECIMALS), round(point.y, DECIMALS)
