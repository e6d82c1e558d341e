"""Coordinate systems a register file may use: WGS 84, or VN-2000 (the land offices' system,
geographic or one of its projected zones), reprojected to WGS 84 [lon, lat] on import.

VN-2000 → WGS 84 uses the 7-parameter set published by Decision 05/2007/QĐ-BTNMT (MONRE).
Its rotations are coordinate-frame rotations: the EPSG dataset records the same numbers as
"VN-2000 to WGS 84 (2)", EPSG:6960, method 9607. PROJ's `+towgs84=` reads rotations as
position-vector, so pasting the published numbers there flips their sign (about half a metre
off in Vietnam). The pipeline below names its convention instead of relying on that order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from ..households.rules import inside_vietnam
from .refusal import FileRefused

WGS84 = 4326
VN2000_GEOGRAPHIC = 4756
VN2000_PROJECTED = (*range(9205, 9219), 5896, 5897, 5898, 5899, 3405, 3406)
ACCEPTED = (WGS84, VN2000_GEOGRAPHIC, *VN2000_PROJECTED)
# Decision 05/2007/QĐ-BTNMT: ΔX, ΔY, ΔZ (m); ωX, ωY, ωZ (arc-seconds, coordinate frame); k − 1 (ppm).
HELMERT = {"x": -191.90441429, "y": -39.30318279, "z": -111.45032835,
           "rx": -0.00928836, "ry": 0.01975479, "rz": -0.00427372, "s": 0.252906278}
DATUM_SHIFT = ("+step +proj=push +v_3 +step +proj=cart +ellps=WGS84 "
               "+step +proj=helmert " + " ".join(f"+{k}={v}" for k, v in HELMERT.items()) +
               " +convention=coordinate_frame +step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3")
CODE = re.compile(r"(?:EPSG)?\D*?(\d{4,5})\s*$", re.IGNORECASE)


class CrsRefused(FileRefused):
    """The coordinate system is not one we accept; `str(exc)` says why, for a person."""


def choose(declared: str | None, option: str | None) -> Reprojection:
    """The system of a file: the one it states (.prj, GeoJSON `crs`), else the one given with
    --crs (or on the upload form), else WGS 84. A file that states another than the one given
    is refused rather than guessed at."""
    stated = parse_code(declared) if declared else None
    given = parse_code(option) if option else None
    if stated and given and stated != given:
        raise CrsRefused(_("The file states %(stated)s but %(given)s was chosen; choose the file's own "
                           "system or leave the choice empty.", stated=label(stated), given=label(given)))
    return Reprojection(stated or given or WGS84)


def parse_code(text: str) -> int:
    """4326 from "EPSG:4326", "epsg:4326", "4326" or "urn:ogc:def:crs:EPSG::4326"; else CrsRefused."""
    text = (text or "").strip()
    if re.fullmatch(r"urn:ogc:def:crs:OGC:(1\.3|):CRS84|CRS84", text, re.IGNORECASE):
        return WGS84
    match = CODE.search(text)
    if not match or ("epsg" not in text.lower() and not text.isdigit()):
        raise CrsRefused(_("“%(crs)s” is not a coordinate system code; write it as EPSG:NNNN.", crs=text[:60]))
    return accepted(int(match.group(1)))


def accepted(code: int) -> int:
    if code not in ACCEPTED:
        raise CrsRefused(_("EPSG:%(code)s is neither WGS 84 nor VN-2000. Accepted: EPSG:4326 (WGS 84), "
                           "EPSG:4756 and the VN-2000 zones EPSG:9205–9218, 5896–5899, 3405, 3406.", code=code))
    return code


def from_wkt(wkt: str) -> int:
    """The accepted EPSG code a .prj file describes, or CrsRefused."""
    try:
        crs = CRS.from_wkt(wkt)
    except CRSError:
        raise CrsRefused(_("The .prj part cannot be read as a coordinate system.")) from None
    code = crs.to_epsg(min_confidence=70)
    if code in ACCEPTED:
        return code
    code = _vn2000_zone(crs)
    if code is None:
        raise CrsRefused(_("The .prj part describes “%(name)s”, which is neither WGS 84 nor VN-2000.",
                           name=crs.name))
    return code


def _vn2000_zone(crs: CRS) -> int | None:
    """A land office's own name for a VN-2000 zone: matched on datum and projection figures."""
    names = " ".join(n for n in (crs.name, crs.geodetic_crs and crs.geodetic_crs.name,
                                  crs.datum and crs.datum.name) if n)
    names = names.lower().replace("_", " ").replace("-", " ")
    if "2000" not in names or not ("vn" in names or "viet" in names):
        return None
    if crs.is_geographic:
        return VN2000_GEOGRAPHIC
    wanted = _tm_figures(crs)
    return next((code for code in VN2000_PROJECTED if _tm_figures(CRS.from_epsg(code)) == wanted), None)


def _tm_figures(crs: CRS) -> tuple | None:
    operation = crs.coordinate_operation
    if operation is None or "transverse mercator" not in operation.method_name.lower():
        return None
    values = {p.name.lower(): round(p.value, 6) for p in operation.params}
    return tuple(values.get(k) for k in ("longitude of natural origin", "scale factor at natural origin",
                                         "false easting", "false northing"))


def label(code: int) -> str:
    return "WGS 84 (EPSG:4326)" if code == WGS84 else f"{CRS.from_epsg(code).name} (EPSG:{code})"


@dataclass
class Reprojection:
    """Turns one accepted system's (x, y) into WGS 84 (lon, lat); explains a point that cannot
    be in Vietnam under it, naming the system that would fit when one does."""

    code: int

    @cached_property
    def transformer(self) -> Transformer | None:
        if self.code == WGS84:
            return None
        steps = [] if self.code == VN2000_GEOGRAPHIC else [f"+step +inv {_projection(self.code)}"]
        steps = ["+proj=pipeline", *steps]
        if self.code == VN2000_GEOGRAPHIC:
            steps.append("+step +proj=unitconvert +xy_in=deg +xy_out=rad")
        steps += [DATUM_SHIFT, "+step +proj=unitconvert +xy_in=rad +xy_out=deg"]
        return Transformer.from_pipeline(" ".join(steps))

    def to_wgs84(self, x: float, y: float) -> tuple[float, float]:
        if self.transformer is None:
            return float(x), float(y)
        lon, lat = self.transformer.transform(float(x), float(y))
        return lon, lat

    @property
    def projected(self) -> bool:
        return self.code in VN2000_PROJECTED

    def inside(self, x: float, y: float) -> bool:
        lon, lat = self.to_wgs84(x, y)
        return inside_vietnam(lat, lon)

    def why_outside(self, x: float, y: float) -> str:
        """Why (x, y) is not in Vietnam under this system, and what would fit."""
        where = _("(%(x)s, %(y)s) cannot be in Vietnam in %(crs)s", x=_num(x), y=_num(y), crs=label(self.code))
        if self.projected and inside_vietnam(y, x):
            hint = _("these look like WGS 84 degrees: choose EPSG:4326")
        elif not self.projected and looks_metric(x, y):
            hint = _("these look like VN-2000 metres: choose the province's zone, e.g. --crs EPSG:9210 "
                     "(EPSG:9205–9218, 5896–5899, 3405, 3406)")
        elif not self.projected and inside_vietnam(x, y):
            hint = _("longitude and latitude look swapped")
        elif self.projected and looks_metric(y, x):
            hint = _("X and Y look swapped (northing first, as on Vietnamese cadastral maps)")
        else:
            return where + "."
        return f"{where}: {hint}."


def looks_metric(x: float, y: float) -> bool:
    """Easting and northing of a VN-2000 zone anywhere in Vietnam (with a wide margin)."""
    return 0 < x < 1_200_000 and 600_000 < y < 2_700_000


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.2f}"


def _projection(code: int) -> str:
    params = {p.name.lower(): p.value for p in CRS.from_epsg(code).coordinate_operation.params}
    return ("+proj=tmerc +lat_0={lat} +lon_0={lon} +k={k} +x_0={fe} +y_0={fn} +ellps=WGS84".format(
        lat=params["latitude of natural origin"], lon=params["longitude of natural origin"],
        k=params["scale factor at natural origin"], fe=params["false easting"], fn=params["false northing"]))
