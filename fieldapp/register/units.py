"""The official list of administrative units (Decision 19/2025/QĐ-TTg: 34 provinces with
2-digit codes, 3,321 communes with 5-digit codes), read from the `vietnam-provinces` package,
which follows the list and its later changes. The one place that says whether a code is
official and what its unit is called; communes and provinces in the database copy from here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import vietnam_provinces
from flask_babel import gettext as _
from vietnam_provinces import Province as _Province, Ward as _Ward

LIST_NAME = "Quyết định 19/2025/QĐ-TTg"
_COMMUNE_CODE = re.compile(r"^\d{5}$")
_PROVINCE_CODE = re.compile(r"^\d{2}$")


class UnitRefused(ValueError):
    """A code that is not (or no longer) an official unit; the message says why."""


@dataclass(frozen=True)
class OfficialProvince:
    code: str  # "51"
    name: str  # "Quảng Ngãi", "Thành phố Huế"


@dataclass(frozen=True)
class OfficialCommune:
    code: str  # "21034"
    name: str  # "Xã An Phú" (the list's name, with its kind)
    kind: str  # "xã", "phường", "đặc khu"
    province: OfficialProvince


def list_version() -> str:
    """The list as the installed package has it, for messages and report footers."""
    return f"{LIST_NAME}, {vietnam_provinces.__data_version__}"


@cache
def _provinces() -> dict[str, OfficialProvince]:
    return {f"{int(p.code):02d}": OfficialProvince(f"{int(p.code):02d}", p.name) for p in _Province.iter_all()}


@cache
def _communes() -> dict[str, OfficialCommune]:
    provinces = _provinces()
    return {f"{int(w.code):05d}": OfficialCommune(f"{int(w.code):05d}", w.name, w.division_type.value,
                                                  provinces[f"{int(w.province_code):02d}"])
            for w in _Ward.iter_all()}


def provinces() -> list[OfficialProvince]:
    return sorted(_provinces().values(), key=lambda p: p.code)


def communes_of(province_code: str) -> list[OfficialCommune]:
    return sorted((c for c in _communes().values() if c.province.code == province_code), key=lambda c: c.code)


def commune(code: str) -> OfficialCommune:
    """The official commune with this 5-digit code, else UnitRefused naming the reason."""
    code = (code or "").strip()
    if not _COMMUNE_CODE.match(code):
        raise UnitRefused(_("A commune code has 5 digits (official list %(list)s); “%(code)s” does not.",
                            code=code, list=LIST_NAME))
    found = _communes().get(code)
    if found is None:
        raise UnitRefused(_("Code %(code)s is not in the official list of communes (%(list)s): it never "
                            "existed or was retired when units were merged.", code=code, list=list_version()))
    return found


def province(code: str) -> OfficialProvince:
    """The official province with this 2-digit code, else UnitRefused naming the reason."""
    code = (code or "").strip()
    if not _PROVINCE_CODE.match(code):
        raise UnitRefused(_("A province code has 2 digits (official list %(list)s); “%(code)s” does not.",
                            code=code, list=LIST_NAME))
    found = _provinces().get(code)
    if found is None:
        raise UnitRefused(_("Code %(code)s is not one of the 34 provinces of the official list (%(list)s): "
                            "it never existed or was retired when provinces were merged.",
                            code=code, list=list_version()))
    return found
