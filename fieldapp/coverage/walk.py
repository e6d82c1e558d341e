"""Walking order, the one order of a village's households on every list: the village's own
route order where set (by dragging or the import's `route` column), then by alley
(ngõ/hẻm/kiệt/ngách/tổ) and house number, numbers in natural order ("Số 2" before "Số 10").
Households without a route come after those with one, in alley order."""
from __future__ import annotations

import re
from itertools import groupby

from ..text import fold, natural_key

ALLEY = re.compile(r"\b(ngo|hem|kiet|ngach|to)\s*(\d+)", re.IGNORECASE)
NUMBER = re.compile(r"\d+")
WORDS = {"ngo": "ngõ", "hem": "hẻm", "kiet": "kiệt", "ngach": "ngách", "to": "tổ"}


def alley_of(address: str) -> tuple[str, int] | None:
    """('ngo', 3) for "Số 12, ngõ 3"; None when the address names no alley."""
    match = ALLEY.search(fold(address or ""))
    return (match.group(1).lower(), int(match.group(2))) if match else None


def house_number(code: str, address: str) -> int:
    match = NUMBER.search(code or "") or NUMBER.search(fold(address or ""))
    return int(match.group()) if match else 10**9


def walk_key(household) -> tuple:
    alley = alley_of(household.address)
    route = getattr(household, "route", None)
    # Houses on no named alley (the main road) come after every alley.
    return (route is None, route or 0, alley is None, alley or ("", 0),
            house_number(household.code, household.address), natural_key(household.code or ""),
            str(household.id))


def in_order(rows) -> list:
    """Rows whose first item is a Household, in walking order."""
    return sorted(rows, key=lambda r: walk_key(r[0]))


def alley_label(address: str) -> str:
    """The alley as written in the address ("ngõ 3"), or "" for none."""
    alley = alley_of(address)
    return f"{WORDS[alley[0]]} {alley[1]}" if alley else ""


def in_walk_order(rows) -> list[tuple[str, list]]:
    """Rows (Household first) in walking order, grouped by alley label as they come."""
    return [(label, list(group)) for label, group in groupby(in_order(rows), key=lambda r: alley_label(r[0].address))]


def next_to_visit(rows, after) -> object | None:
    """The household to go to after `after` (a household id) in the walking order of `rows`
    ((Household, status, ...) already in order): the next one not visited yet, else the next
    to visit again, wrapping round to the start; None when every one is done."""
    ids = [r[0].id for r in rows]
    start = ids.index(after) + 1 if after in ids else 0
    ring = rows[start:] + rows[:start]
    for wanted in ("not_visited", "revisit"):
        found = next((r[0] for r in ring if r[1] == wanted and r[0].id != after), None)
        if found is not None:
            return found
    return None
