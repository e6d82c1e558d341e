"""A household's fields and their rules, stated once.

The form (`forms.HouseholdForm`: the add page, the register's edit page, a household sent by
the offline client), the register import (`register.validate`) and the API schema
(`sync.openapi`) all read them here. Each check answers the reason a value is refused, in
the reader's language, or None. Whether a field may be left out differs by source (a file
row needs its code to be matched; a house found in the field may have none), so each reader
says which it requires; what a value must be once given is only said here.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..text import normalise_phone

CODE_MAX = 40
NAME_MIN, NAME_MAX = 2, 120
ADDRESS_MAX = 255
MEMBERS = (1, 99)
YOUTH = (0, 99)
YOUTH_AGES = (12, 24)  # the campaign's direct target (design.md)
# The ages of each age group of `labels.AGE_GROUPS`.
AGE_RANGES = {"12-24": (12, 24), "12-17": (12, 17), "18-24": (18, 24)}
# Mainland, Hoàng Sa and Trường Sa, with a margin.
LAT_RANGE, LON_RANGE = (6.0, 23.5), (102.0, 118.0)


def too_long(text: str, maximum: int) -> str | None:
    return _("At most %(n)s characters.", n=maximum) if len(text) > maximum else None


def name_problem(name: str) -> str | None:
    """The head of household's full name: given, 2 to 120 characters, no digits."""
    if not name:
        return _("Enter the full name of the head of household.")
    if not NAME_MIN <= len(name) <= NAME_MAX:
        return _("The name must have 2 to 120 characters.")
    if any(ch.isdigit() for ch in name):
        return _("A name cannot contain digits.")
    return None


def phone_problem(phone: str | None) -> str | None:
    """Empty, or a Vietnamese mobile number (`text.normalise_phone`)."""
    try:
        normalise_phone(phone)
    except ValueError:
        return _("Phone number must have 10 digits starting with 03, 05, 07, 08 or 09.")
    return None


def count_problem(number: float, bounds: tuple[int, int]) -> str | None:
    """A whole number within `bounds` (MEMBERS or YOUTH)."""
    if number != int(number) or not bounds[0] <= number <= bounds[1]:
        return _("Enter a number from %(min)s to %(max)s.", min=bounds[0], max=bounds[1])
    return None


def youth_problem(youth: int, members: int) -> str | None:
    if youth > members:
        return _("Aged 12–24 (%(youth)s) cannot be more than the members (%(members)s).",
                 youth=youth, members=members)
    return None


def member_name_problem(name: str) -> str | None:
    """A named youth's full name: 2 to 120 characters, no digits."""
    if not name:
        return _("Enter the young person's full name.")
    if not NAME_MIN <= len(name) <= NAME_MAX or any(ch.isdigit() for ch in name):
        return _("A name has 2 to 120 characters and no digits.")
    return None


def birth_year_problem(year: int | None, this_year: int) -> str | None:
    """Only people aged 12 to 24 this year are named (collect only what the job needs)."""
    first, last = this_year - YOUTH_AGES[1], this_year - YOUTH_AGES[0]
    if year is None or not first <= year <= last:
        return _("Only people aged 12 to 24 are named: born from %(first)s to %(last)s.",
                 first=first, last=last)
    return None


def named_youths_problem(named: int, youth: int) -> str | None:
    """No more named youths than the household's count of people aged 12–24."""
    if named > youth:
        return _("The household counts %(youth)s aged 12–24; raise that count before naming another.",
                 youth=youth)
    return None


def inside_vietnam(lat: float, lon: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def point_problem(lat: float | None, lon: float | None) -> str | None:
    """No point, or latitude and longitude together, inside Vietnam."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        return _("Latitude and longitude must be given together.")
    if inside_vietnam(lon, lat):
        return _("Latitude and longitude look swapped (%(lat)s, %(lon)s).", lat=lat, lon=lon)
    if not inside_vietnam(lat, lon):
        return _("The point (%(lat)s, %(lon)s) is outside Vietnam.", lat=lat, lon=lon)
    return None


def json_schema() -> dict:
    """The household a client sends (the `data` of a sync entry), as JSON Schema."""
    return {
        "type": "object", "required": ["village_id", "head_name", "members", "youth"],
        "properties": {
            "village_id": {"type": "integer"}, "code": {"type": "string", "maxLength": CODE_MAX},
            "head_name": {"type": "string", "minLength": NAME_MIN, "maxLength": NAME_MAX},
            "address": {"type": "string", "maxLength": ADDRESS_MAX}, "phone": {"type": ["string", "null"]},
            "members": {"type": "integer", "minimum": MEMBERS[0], "maximum": MEMBERS[1]},
            "youth": {"type": "integer", "minimum": YOUTH[0], "maximum": YOUTH[1]},
            "lat": {"type": ["number", "null"], "minimum": LAT_RANGE[0], "maximum": LAT_RANGE[1]},
            "lon": {"type": ["number", "null"], "minimum": LON_RANGE[0], "maximum": LON_RANGE[1]},
        },
    }
