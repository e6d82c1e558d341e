"""Reading households: search without diacritics, the household a merged one lives on,
likely duplicates, and a household's status row in the current campaign."""
from __future__ import annotations

import math
import uuid
from collections import defaultdict

import sqlalchemy as sa

from ..campaigns.services import current_campaign
from ..coverage.status import households_with_status
from ..extensions import db
from ..text import fold
from .models import Household

MAX_QUERY = 100
MAX_WORDS = 5
NEAR_METRES = 15.0


def search_words(q: str | None) -> list[str]:
    """The folded words of a query: its first 100 characters, at most 5 words."""
    return fold((q or "")[:MAX_QUERY]).split()[:MAX_WORDS]


def matching(q: str | None) -> sa.ColumnElement[bool]:
    """Households whose search key holds every word of `q`, in any order (all when empty)."""
    return sa.and_(sa.true(), *(Household.search_key.contains(word, autoescape=True)
                                for word in search_words(q)))


def status_row(household: Household):
    """(Household, status, visit_count, last_visit_at) in its commune's current campaign."""
    campaign = current_campaign(commune_id=household.village.commune_id)
    return db.session.execute(
        households_with_status(campaign.id if campaign else None, Household.id == household.id)
    ).one()


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


def merge_candidates(household: Household) -> list[Household]:
    """Other live households of the same village, for the merge picker."""
    return db.session.scalars(sa.select(Household).where(
        Household.village_id == household.village_id, Household.id != household.id,
        Household.status == "active").order_by(Household.sort_key)).all()


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
