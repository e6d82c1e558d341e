"""Row checks for the household import: every problem named by line, column and reason.

What each value must be comes from `households.rules`, as for the household form, so a
household that imports is one a person could have typed; here is only what a file can get
wrong: unknown columns, an unknown village, a code missing or twice in the file, numbers and
points written as spreadsheets write them.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..households import rules
from ..text import nfc, normalise_phone
from .crs import WGS84, Reprojection, looks_metric

COLUMNS = ("village_code", "code", "head_name", "address", "phone", "members", "youth", "lat", "lon", "route")
REQUIRED = ("village_code", "code", "head_name", "members")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


def header_errors(header: list[str] | None) -> list[RowError]:
    """Missing and unknown columns (GeoJSON has no header: its properties are checked per row)."""
    if header is None:
        return []
    errors = [RowError(1, c, _("Unknown column “%(col)s”; the columns are: %(cols)s.",
                                col=c, cols=", ".join(COLUMNS))) for c in header if c and c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        errors.append(RowError(1, ", ".join(missing), _("Missing column(s): %(cols)s.", cols=", ".join(missing))))
    return errors


class HouseholdRows:
    """Checks rows one at a time; remembers only (village, code) → line to catch repeats."""

    def __init__(self, villages: dict[str, int], geojson: bool = False, system=None):
        self.villages = villages
        self.geojson = geojson
        self.system = system  # a register.crs.Reprojection when the file is not in WGS 84
        self.seen: dict[tuple[str, str], int] = {}
        self.routes: dict[tuple[str, int], int] = {}  # (village, place on its route) → line

    def check(self, line: int, row: dict) -> tuple[dict | None, list[RowError]]:
        errors: list[RowError] = []

        def bad(column: str, message: str) -> None:
            errors.append(RowError(line, column, message))

        if self.geojson:
            self._geojson_shape(row, bad)
        clean = {"village_id": self._village(row, bad), "code": self._code(row, bad, line),
                 "head_name": self._name(row, bad), "address": nfc(_text(row.get("address"))),
                 "phone": self._phone(row, bad)}
        if problem := rules.too_long(clean["address"], rules.ADDRESS_MAX):
            bad("address", problem)
        clean["members"] = _count(row, "members", bad, rules.MEMBERS, required=True)
        clean["youth"] = _count(row, "youth", bad, rules.YOUTH) or 0
        if clean["members"] is not None and (problem := rules.youth_problem(clean["youth"], clean["members"])):
            bad("youth", problem)
        clean["lat"], clean["lon"] = _point(row, bad, self.system)
        if "route" in row:  # a file without the column leaves the routes as they are
            clean["route"] = self._route(row, bad, line)
        return (None if errors else clean), errors

    def _route(self, row: dict, bad, line: int) -> int | None:
        """The household's place on its village's walking route (1, 2, …), once per village."""
        raw = _text(row.get("route"))
        if not raw:
            return None
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            bad("route", _("The route place must be a whole number from 1 to %(max)s.", max="100.000"))
            return None
        key = (nfc(_text(row.get("village_code"))), int(raw))
        first = self.routes.setdefault(key, line)
        if first != line:
            bad("route", _("Route place %(n)s of village %(village)s is already on line %(first)s.",
                           n=key[1], village=key[0], first=first))
        return int(raw)

    def _geojson_shape(self, row: dict, bad) -> None:
        problem = row.pop("__geometry_error__", None)
        if problem == "not_feature":
            bad("feature", _("Not a GeoJSON Feature."))
        elif problem:
            bad("geometry", _("The geometry must be a Point (or empty)."))
        for column in REQUIRED:
            if column not in row:
                bad(column, _("Missing property “%(col)s”.", col=column))

    def _village(self, row: dict, bad) -> int | None:
        code = nfc(_text(row.get("village_code")))
        if not code:
            bad("village_code", _("Village code is missing."))
            return None
        if code not in self.villages:
            bad("village_code", _("Unknown village code “%(code)s”.", code=code))
            return None
        return self.villages[code]

    def _code(self, row: dict, bad, line: int) -> str:
        code = nfc(_text(row.get("code")))
        if not code:
            bad("code", _("Household code is missing."))
        elif problem := rules.too_long(code, rules.CODE_MAX):
            bad("code", problem)
        else:
            key = (nfc(_text(row.get("village_code"))), code)
            first = self.seen.setdefault(key, line)
            if first != line:
                bad("code", _("Code “%(code)s” of village %(village)s is already on line %(first)s.",
                              code=code, village=key[0], first=first))
        return code

    @staticmethod
    def _name(row: dict, bad) -> str:
        name = nfc(_text(row.get("head_name")))
        if problem := rules.name_problem(name):
            bad("head_name", problem)
        return name

    @staticmethod
    def _phone(row: dict, bad) -> str | None:
        raw = _text(row.get("phone"))
        if isinstance(row.get("phone"), (int, float)) and len(raw) == 9:
            raw = "0" + raw  # a spreadsheet cell of numbers drops the leading zero
        if problem := rules.phone_problem(raw):
            bad("phone", problem)
            return None
        return normalise_phone(raw)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store "12" as 12.0
    return str(value).strip()


def _count(row: dict, column: str, bad, bounds: tuple[int, int], required: bool = False) -> int | None:
    raw = _text(row.get(column))
    if not raw:
        if required:
            bad(column, _("Enter the number of members."))
        return None
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        bad(column, _("“%(value)s” is not a number.", value=raw[:30]))
        return None
    if problem := rules.count_problem(number, bounds):
        bad(column, problem)
        return None
    return int(number)


def _coordinate(row: dict, column: str, bad) -> float | None:
    raw = _text(row.get(column))
    if not raw:
        return None
    try:
        return float(raw.replace(",", ".")) if isinstance(row.get(column), str) else float(row[column])
    except (TypeError, ValueError):
        bad(column, _("“%(value)s” is not a number.", value=raw[:30]))
        return None


def _point(row: dict, bad, system=None) -> tuple[float | None, float | None]:
    lat, lon = _coordinate(row, "lat", bad), _coordinate(row, "lon", bad)
    if system is not None and system.transformer is not None and lat is not None and lon is not None:
        if not system.inside(lon, lat):  # lon holds the easting (x), lat the northing (y)
            bad("lat", system.why_outside(lon, lat))
            return None, None
        lon, lat = (round(v, 7) for v in system.to_wgs84(lon, lat))
    if lat is None and lon is None:
        return None, None
    if (lat is None) != (lon is None):
        if _text(row.get("lat")) and _text(row.get("lon")):
            return None, None  # one of them was not a number: already said
        bad("lat" if lat is None else "lon", _("Latitude and longitude must be given together."))
        return None, None
    if problem := rules.point_problem(lat, lon):
        if looks_metric(lon, lat):  # metres: a VN-2000 file imported without its --crs
            problem = Reprojection(WGS84).why_outside(lon, lat)
        bad("lat", problem)
        return None, None
    return lat, lon
