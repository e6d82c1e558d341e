"""Walk order for the printed list: by alley (ngõ/hẻm/kiệt/ngách), then house number."""
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


def walk_key(household) -> tuple:
    alley = alley_of(household.address)
    # Houses on no named alley (the main road) come last, after every alley.
    return (alley is None, alley or ("", 0), house_number(household.code, household.address),
            household.code, str(household.id))


def alley_label(address: str) -> str:
    """The alley as written in the address ("ngõ 3"), or "" for none."""
    alley = alley_of(address)
    return f"{WORDS[alley[0]]} {alley[1]}" if alley else ""


def in_walk_order(rows) -> list[tuple[str, list]]:
    """Rows (Household first) grouped by alley label, in walking order."""
    ordered = sorted(rows, key=lambda r: walk_key(r[0]))
    return [(label, list(group)) for label, group in groupby(ordered, key=lambda r: alley_label(r[0].address))]
