"""Reading households: search without diacritics, the household a merged one lives on,
likely duplicates, and a household's status row in the current campaign."""
from __future__ import annotations

import difflib
import math
import re
import uuid
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..campaigns.services import current_campaign
from ..coverage.status import households_with_status
from ..extensions import db
from ..text import fold
from ..visits.models import Visit
from .models import DuplicateDismissal, Household, HouseholdMember
from .rules import AGE_RANGES

MAX_QUERY = 100
MAX_WORDS = 5
NEAR_METRES = 15.0
NAMES_ALIKE = 0.85  # difflib ratio of two folded names
# A phone number as people type it: "0905 123 456", "0905.123.456", "+84 905 123 456".
PHONE_LIKE = re.compile(r"^[\s\d.\-+()]+$")


def search_words(q: str | None) -> list[str]:
    """The folded words of a query: its first 100 characters, at most 5 words."""
    return fold((q or "")[:MAX_QUERY]).split()[:MAX_WORDS]


def matching(q: str | None) -> sa.ColumnElement[bool]:
    """Households whose search key holds every word of `q`, in any order (all when empty)."""
    return sa.and_(sa.true(), *(Household.search_key.contains(word, autoescape=True)
                                for word in search_words(q)))


def search_terms(q: str | None) -> list[str]:
    """`search_words`, except that a phone number typed with spaces, dots or +84 is one term:
    its digits, as the register stores them (0…)."""
    text = (q or "")[:MAX_QUERY].strip()
    digits = re.sub(r"\D", "", text)
    if PHONE_LIKE.match(text) and len(digits) >= 7:
        return ["0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits]
    return search_words(text)


def _named_count():
    return (sa.select(sa.func.count(HouseholdMember.id))
            .where(HouseholdMember.household_id == Household.id).scalar_subquery())


def in_age_group(group: str, this_year: int) -> sa.ColumnElement[bool]:
    """Households with someone of the age group this year: a named youth born in its years,
    or youths counted but not all named (who may be of any age from 12 to 24)."""
    low, high = AGE_RANGES[group]
    born = sa.select(HouseholdMember.household_id).where(
        HouseholdMember.birth_year.between(this_year - high, this_year - low))
    return sa.or_(Household.id.in_(born), Household.youth > _named_count())


def find(households: sa.Select, q: str | None, *, village_id: int | None = None,
         age_group: str | None = None, this_year: int, limit: int = 30) -> list[Household]:
    """Live households of the `households` SELECT holding every term of `q` in their house
    number, head's name, address, phone or a named youth's name; in one village and with
    someone of an age group when asked. A house number typed exactly comes first. Up to
    `limit` + 1 rows (one more says there are more)."""
    query = households.where(Household.status != "merged")
    for term in search_terms(q):
        named = sa.select(HouseholdMember.household_id).where(
            HouseholdMember.search_key.contains(term, autoescape=True))
        query = query.where(sa.or_(Household.search_key.contains(term, autoescape=True),
                                   Household.id.in_(named)))
    if village_id:
        query = query.where(Household.village_id == village_id)
    if age_group:
        query = query.where(in_age_group(age_group, this_year))
    exact = sa.case((Household.code == (q or "").strip()[:40], 0), else_=1)
    return list(db.session.scalars(
        query.order_by(exact, Household.sort_key, Household.id).limit(limit + 1)
        .options(joinedload(Household.village), selectinload(Household.named_youths))))


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
    """Pairs of live households matching `where`, in the same village, that look like one
    household registered twice (the reason: `labels.DUPLICATE_REASONS`): the same name once
    diacritics and spacing are folded, the same phone, or points within NEAR_METRES with
    names alike (neighbours are close in a village; a namesake next door is a duplicate).
    Pairs dismissed as "not duplicates" are left out for good."""
    rows = db.session.scalars(sa.select(Household).where(where, Household.status == "active")
                              .order_by(Household.village_id, Household.code)).all()
    pairs: dict[frozenset, tuple[Household, Household, str]] = {}
    for reason, key in (("name", lambda h: "".join(fold(h.head_name).split())), ("phone", lambda h: h.phone)):
        groups: dict[tuple, list[Household]] = defaultdict(list)
        for h in rows:
            if value := key(h):
                groups[(h.village_id, value)].append(h)
        for group in groups.values():
            for a, b in zip(group, group[1:]):
                pairs.setdefault(frozenset((a.id, b.id)), (a, b, reason))
    for a, b in _near_pairs([h for h in rows if h.lat is not None and h.lon is not None]):
        if a.village_id == b.village_id and names_alike(a.head_name, b.head_name):
            pairs.setdefault(frozenset((a.id, b.id)), (a, b, "near"))
    dismissed = dismissed_pairs({h.id for h in rows})
    return [pair for key, pair in pairs.items() if key not in dismissed][:limit]


def names_alike(a: str, b: str) -> bool:
    """Two spellings of one name: folded, at most a letter or two apart."""
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio() >= NAMES_ALIKE


def dismissed_pairs(household_ids: set) -> set[frozenset]:
    """Pairs among these households marked "not duplicates"."""
    if not household_ids:
        return set()
    rows = db.session.execute(sa.select(DuplicateDismissal.first_id, DuplicateDismissal.second_id))
    return {frozenset(row) for row in rows if row[0] in household_ids}


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


def distance_m(a: Household, b: Household) -> float | None:
    """Metres between two households' points, None when either has none."""
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return _metres(a, b)


def visit_summaries(household_ids: list) -> dict:
    """{household id: (visits in force, the last one's time, its outcome)} in one query."""
    last = (sa.select(Visit.household_id, sa.func.count().label("n"), sa.func.max(Visit.recorded_at).label("at"))
            .where(Visit.household_id.in_(household_ids), Visit.in_force)
            .group_by(Visit.household_id).subquery())
    rows = db.session.execute(
        sa.select(last.c.household_id, last.c.n, last.c.at, sa.func.max(Visit.outcome))
        .join(Visit, sa.and_(Visit.household_id == last.c.household_id, Visit.recorded_at == last.c.at,
                             Visit.in_force))
        .group_by(last.c.household_id, last.c.n, last.c.at))
    return {household_id: (n, at, outcome) for household_id, n, at, outcome in rows}
