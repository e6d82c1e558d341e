"""GeoJSON (RFC 7946) documents built from the coverage query layer: [lon, lat], no `crs`,
exterior rings counterclockwise and holes clockwise (the right-hand rule, section 3.1.6)."""
from __future__ import annotations

from ..coverage.queries import Coverage
from ..timeutil import iso_utc

PERSONAL = ("head_name", "address", "phone", "members", "youth")


def ring_area(ring: list) -> float:
    """Twice the signed area (shoelace) of a ring of [lon, lat]: > 0 when counterclockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]))


def _oriented(ring: list, ccw: bool) -> list:
    ring = [[float(c) for c in p[:2]] for p in ring]
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring if (ring_area(ring) > 0) == ccw else ring[::-1]


def _polygon(rings: list) -> list:
    return [_oriented(r, i == 0) for i, r in enumerate(rings)]


def rfc7946_geometry(geometry: dict | None) -> dict | None:
    """A stored Polygon/MultiPolygon with rings oriented per RFC 7946; other types as they are."""
    if not geometry or "coordinates" not in geometry:
        return None
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [_polygon(p) for p in geometry["coordinates"]]}
    return {"type": kind, "coordinates": geometry["coordinates"]}


def _point(lon, lat) -> dict | None:
    return None if lon is None or lat is None else {"type": "Point", "coordinates": [lon, lat]}


def village_feature(row: Coverage) -> dict:
    village = row.village
    geometry = rfc7946_geometry(village.boundary) or _point(village.lon, village.lat)
    props = {
        "village_id": village.id, "village_code": village.code, "name": village.name,
        "households": row.households, **row.counts,
        "coverage": None if row.coverage is None else round(row.coverage, 4),
        "coverage_pct": None if row.coverage is None else round(row.coverage * 100, 1),
        "youth_households": row.youth_households, "youth_warned": row.youth["warned"],
        "youth_coverage": None if row.youth_coverage is None else round(row.youth_coverage, 4),
        "centroid": None if village.lon is None else [village.lon, village.lat],
    }
    return {"type": "Feature", "id": village.id, "geometry": geometry, "properties": props}


def household_feature(row, personal: bool) -> dict:
    """`row` is one of `coverage.queries.households_in`."""
    props = {
        "household_id": str(row.id), "village_id": row.village_id,
        "village_code": row.village_code, "code": row.code, "status": row.coverage_status,
        "household_status": row.status,
        "last_visit_at": iso_utc(row.last_visit_at), "visit_count": int(row.visit_count or 0),
    }
    if personal:
        props.update({name: getattr(row, name) for name in PERSONAL})
    return {"type": "Feature", "id": str(row.id), "geometry": _point(row.lon, row.lat), "properties": props}


def collection(features: list[dict], **meta) -> dict:
    """A FeatureCollection; `meta` goes in foreign members (allowed by RFC 7946 section 6.1)."""
    return {"type": "FeatureCollection", **meta, "features": features}


def commune_feature(row: Coverage, villages: list) -> dict:
    """A commune with its figures: the boundaries of its villages when every one has one, else
    a point at the middle of their centroids, else no geometry."""
    commune = row.commune
    shapes = [rfc7946_geometry(v.boundary) for v in villages]
    points = [(v.lon, v.lat) for v in villages if v.lon is not None and v.lat is not None]
    if shapes and all(shape and shape["type"] in ("Polygon", "MultiPolygon") for shape in shapes):
        parts = [p for s in shapes for p in ([s["coordinates"]] if s["type"] == "Polygon" else s["coordinates"])]
        geometry = {"type": "MultiPolygon", "coordinates": parts}
    else:
        geometry = _point(*(round(sum(c) / len(points), 6) for c in zip(*points))) if points else None
    props = {
        "commune_id": commune.id, "commune_code": commune.code, "commune_name": commune.name,
        "households": row.households, **row.counts,
        "coverage_pct": None if row.coverage is None else round(row.coverage * 100, 1),
        "verified_coverage_pct": None if row.verified_coverage is None else round(row.verified_coverage * 100, 1),
        "youth_households": row.youth_households, "youth_warned": row.youth["warned"],
    }
    return {"type": "Feature", "id": commune.id, "geometry": geometry, "properties": props}
