"""An independent path from WGS 84 to VN-2000, for building test files: the published
7-parameter set (Decision 05/2007/QĐ-BTNMT) applied by hand as the coordinate-frame
Bursa–Wolf formula, then the plain Transverse Mercator projection of the zone. The app
itself goes the other way through a PROJ pipeline; these tests check the two agree."""
from __future__ import annotations

import io
import math
import zipfile

import shapefile
from pyproj import CRS, Geod, Transformer

A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)
SEC = math.pi / (180 * 3600)
# VN-2000 → WGS 84: translations (m), rotations (″, coordinate frame), scale (ppm).
TX, TY, TZ = -191.90441429, -39.30318279, -111.45032835
RX, RY, RZ = -0.00928836 * SEC, 0.01975479 * SEC, -0.00427372 * SEC
S = 0.252906278e-6
GEOD = Geod(ellps="WGS84")


def _ecef(lon, lat, h=0.0):
    lam, phi = math.radians(lon), math.radians(lat)
    n = A / math.sqrt(1 - E2 * math.sin(phi) ** 2)
    return ((n + h) * math.cos(phi) * math.cos(lam), (n + h) * math.cos(phi) * math.sin(lam),
            (n * (1 - E2) + h) * math.sin(phi))


def _geodetic(x, y, z):
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - E2))
    for _ in range(10):
        n = A / math.sqrt(1 - E2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n
        lat = math.atan2(z, p * (1 - E2 * n / (n + h)))
    return math.degrees(lon), math.degrees(lat)


def vn2000_to_wgs84_geographic(lon, lat):
    """Coordinate frame: X_wgs = T + (1 + s) · R · X_vn, R = [[1, rz, −ry], [−rz, 1, rx], [ry, −rx, 1]]."""
    x, y, z = _ecef(lon, lat)
    k = 1 + S
    return _geodetic(TX + k * (x + RZ * y - RY * z), TY + k * (-RZ * x + y + RX * z),
                     TZ + k * (RY * x - RX * y + z))


def wgs84_to_vn2000_geographic(lon, lat):
    """The inverse: X_vn = Rᵀ · (X_wgs − T) / (1 + s) (R is a rotation: its inverse is its transpose)."""
    x, y, z = _ecef(lon, lat)
    k = 1 + S
    dx, dy, dz = (x - TX) / k, (y - TY) / k, (z - TZ) / k
    return _geodetic(dx - RZ * dy + RY * dz, RZ * dx + dy - RX * dz, -RY * dx + RX * dy + dz)


def projection(code: int) -> Transformer:
    """The zone's Transverse Mercator alone (geographic VN-2000 → metres), no datum involved."""
    params = {p.name.lower(): p.value for p in CRS.from_epsg(code).coordinate_operation.params}
    return Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=tmerc "
        f"+lat_0=0 +lon_0={params['longitude of natural origin']} +k={params['scale factor at natural origin']} "
        f"+x_0={params['false easting']} +y_0={params['false northing']} +ellps=WGS84")


def to_zone(code: int, lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 → VN-2000 zone (easting, northing) by the independent path."""
    return projection(code).transform(*wgs84_to_vn2000_geographic(lon, lat))


def distance_m(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def zipped_shapefile(path, code: int | None, villages: list[tuple[str, str, list]], parts=(".shp", ".shx", ".dbf", ".prj"),
                     prj: str | None = None, shape_type=shapefile.POLYGON):
    """A zip of one Shapefile layer; `villages` are (code, name, rings in the file's units)."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type, encoding="utf-8")
    writer.field("CODE", "C", size=20)
    writer.field("NAME", "C", size=120)
    for vcode, name, rings in villages:
        if shape_type == shapefile.POINT:
            writer.point(*rings)
        else:
            writer.poly(rings)
        writer.record(vcode, name)
    writer.close()
    files = {".shp": shp.getvalue(), ".shx": shx.getvalue(), ".dbf": dbf.getvalue(), ".cpg": b"UTF-8"}
    if prj is not None or code is not None:
        files[".prj"] = (prj if prj is not None else CRS.from_epsg(code).to_wkt("WKT1_ESRI")).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for ext, data in files.items():
            if ext in parts or ext == ".cpg":
                archive.writestr(f"ranh_gioi_thon{ext}", data)
    return path
