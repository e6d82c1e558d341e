"""Walking order, the one order of a village's households on every list: the village's own
route order where set (by dragging or the import's `route` column), then by alley
(ngõ/hẻm/kiệt/ngách/tổ) and house number, numbers in natural order ("Số 2" before "Số 10").
Households without a route come after those with one, in alley order."""
from __future__ import annotations

import re
from itertools import groupby

from ..text import fold

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


def walk_string(code: str, address: str) -> str:
    """The alley-and-number part of the walking order as text that sorts right (stored as
    `Household.walk_key`, so lists order in SQL): the alley's kind and number, the house
    number, then the code with its numbers padded ("Số 2" before "Số 10"). Houses on no
    named alley (the main road) come after every alley."""
    alley = alley_of(address)
    head = f"0{alley[0]:<5}{alley[1]:06d}" if alley else "1" + " " * 11
    code = NUMBER.sub(lambda m: m.group().zfill(9)[-9:], (code or "")[:24])
    return f"{head}{min(house_number(code, address), 10**9 - 1):09d}{code}"[:80]


def walk_key(household) -> tuple:
    """A household's place in walking order: its route place first, then `walk_key`."""
    return (household.route is None, household.route or 0, household.walk_key, str(household.id))


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
