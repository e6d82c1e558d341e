"""Households over time: edit, mark moved, merge duplicates, find likely duplicates.

Every write flushes and audits; the request commits. A merged household keeps its row, its
status becomes `merged` and `merged_into_id` points at the survivor, which receives its
visits (and incidents), so coverage counts the family once and history stays readable.
"""
from __future__ import annotations

import math
import uuid
from collections import defaultdict

import sqlalchemy as sa

from ..accountability import audit
from ..accountability.models import Incident
from ..coverage import rollups
from ..extensions import db
from ..text import fold
from ..visits.models import Visit
from .models import Household

EDITABLE = ("code", "head_name", "address", "phone", "members", "youth", "lat", "lon")
NEAR_METRES = 15.0


def survivor(household: Household) -> Household:
    """The live household a merged one now lives on (itself when not merged), following
    `merged_into_id` through every hop of a chain of merges."""
    seen = {household.id}
    while household.status == "merged" and household.merged_into_id is not None:
        following = db.session.get(Household, household.merged_into_id)
        if following is None or following.id in seen:
            break
        seen.add(following.id)
        household = following
    return household


def code_taken(household: Household, code: str) -> bool:
    """Another live household of the village already has this code."""
    if not code:
        return False
    return db.session.scalar(sa.select(sa.func.count(Household.id)).where(
        Household.village_id == household.village_id, Household.code == code,
        Household.id != household.id, Household.status != "merged")) > 0


def edit(household: Household, values: dict) -> list[str]:
    """Apply the form's values; audit the names of the fields that changed."""
    values = {**values, "code": values.get("code") or "", "address": values.get("address") or ""}
    changed = [f for f in EDITABLE if getattr(household, f) != values.get(f)]
    for name in changed:
        setattr(household, name, values.get(name))
    if changed:
        db.session.flush()
        audit.record("household_update", "household", household.id, fields=changed)
    return changed


def set_status(household: Household, status: str) -> None:
    """active ↔ moved (merged households are only changed by a merge)."""
    if household.status == "merged" or status not in ("active", "moved"):
        raise ValueError(status)
    if household.status != status:
        household.status = status
        db.session.flush()
        audit.record("household_moved" if status == "moved" else "household_returned", "household", household.id)


def merge(duplicate: Household, survivor: Household) -> int:
    """Merge `duplicate` into `survivor`: its visits and incidents move; returns visits moved."""
    if duplicate.id == survivor.id or "merged" in (duplicate.status, survivor.status):
        raise ValueError("cannot merge")
    moved = db.session.execute(sa.update(Visit).where(Visit.household_id == duplicate.id)
                               .values(household_id=survivor.id)).rowcount
    db.session.execute(sa.update(Incident).where(Incident.household_id == duplicate.id)
                       .values(household_id=survivor.id))
    duplicate.status = "merged"
    duplicate.merged_into_id = survivor.id
    db.session.flush()
    rollups.changed([survivor.id])  # its visits arrived by a bulk UPDATE
    audit.record("household_merge", "household", duplicate.id, into=str(survivor.id), visits_moved=moved)
    return moved


def likely_duplicates(where, limit: int = 200) -> list[tuple[Household, Household, str]]:
    """Pairs of live households matching `where` in the same village with the same name once
    diacritics and spacing are folded, or whose points lie within NEAR_METRES."""
    rows = db.session.scalars(sa.select(Household).where(where, Household.status == "active")
                              .order_by(Household.village_id, Household.code)).all()
    pairs: dict[tuple[uuid.UUID, uuid.UUID], tuple[Household, Household, str]] = {}
    by_name: dict[tuple[int, str], list[Household]] = defaultdict(list)
    for h in rows:
        by_name[(h.village_id, "".join(fold(h.head_name).split()))].append(h)
    for group in by_name.values():
        for a, b in zip(group, group[1:]):
            pairs.setdefault((a.id, b.id), (a, b, "name"))
    for a, b in _near_pairs([h for h in rows if h.lat is not None and h.lon is not None]):
        pairs.setdefault((a.id, b.id), (a, b, "near"))
    return list(pairs.values())[:limit]


def _near_pairs(points: list[Household]):
    """Pairs closer than NEAR_METRES, via a grid of cells about that size."""
    cell = NEAR_METRES / 111_000
    grid: dict[tuple[int, int], list[Household]] = defaultdict(list)
    for h in points:
        grid[(int(h.lat // cell), int(h.lon // cell))].append(h)
    for (i, j), members in grid.items():
        for di in (0, 1):
            for dj in (-1, 0, 1) if di else (0, 1):
                others = members if (di, dj) == (0, 0) else grid.get((i + di, j + dj), [])
                for n, a in enumerate(members):
                    for b in (others[n + 1:] if others is members else others):
                        if _metres(a, b) <= NEAR_METRES:
                            yield a, b


def _metres(a: Household, b: Household) -> float:
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    return 6_371_000 * math.hypot(dlat, dlon)
