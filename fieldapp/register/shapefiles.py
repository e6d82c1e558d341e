"""ESRI Shapefiles (the land offices' format), zipped (or, on the command line, a .shp with its
parts beside it): .shp, .shx and .dbf, with or without a .prj (its coordinate system) and a
.cpg (the attribute table's encoding), read by pyshp.

`layer(path)` checks the parts and yields features as GeoJSON-like dicts (geometry from the
shape, properties from the attribute table with lower-cased field names), so the rest of the
import treats a Shapefile like a GeoJSON file.
"""
from __future__ import annotations

import codecs
import io
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import shapefile
from flask_babel import gettext as _, lazy_gettext as _l

from .crs import from_wkt
from .refusal import FileRefused

REQUIRED = {".shp": _l("shapes"), ".shx": _l("shape index"), ".dbf": _l("attribute table")}


class Layer:
    def __init__(self, path: Path, max_bytes: int):
        self.parts = _parts(path, max_bytes)
        self.crs = self._crs()

    def _crs(self) -> int | None:
        if ".prj" not in self.parts:
            return None
        return from_wkt(self.parts[".prj"].decode("utf-8", "replace"))

    def features(self, *, points: bool = False) -> Iterator[tuple[int, dict]]:
        """(feature number + 1, feature): the same numbering as a GeoJSON file's features."""
        encoding = self.parts.get(".cpg", b"utf-8").decode("ascii", "replace").strip() or "utf-8"
        try:
            reader = shapefile.Reader(shp=io.BytesIO(self.parts[".shp"]), shx=io.BytesIO(self.parts[".shx"]),
                                      dbf=io.BytesIO(self.parts[".dbf"]), encoding=_encoding(encoding))
            _check_type(reader, points)
            for number, item in enumerate(reader.iterShapeRecords(), start=1):
                properties = {str(k).strip().lower(): v for k, v in item.record.as_dict().items()}
                geometry = None if item.shape.shapeType == shapefile.NULL else item.shape.__geo_interface__
                yield number + 1, {"type": "Feature", "geometry": _lists(geometry), "properties": properties}
        except UnicodeDecodeError:
            raise FileRefused(_("The .dbf part is not in the encoding %(enc)s; save it as UTF-8 (with a .cpg "
                                "part saying UTF-8).", enc=encoding)) from None
        except (shapefile.ShapefileException, struct.error, ValueError, IndexError) as exc:
            raise FileRefused(_("The Shapefile cannot be read (its .shp, .shx and .dbf parts do not "
                                "match, or one is damaged): %(reason)s", reason=str(exc)[:120])) from None


def _parts(path: Path, max_bytes: int) -> dict[str, bytes]:
    if path.suffix.lower() == ".shp":
        return _beside(path, max_bytes)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FileRefused(_("The file is not a valid ZIP archive.")) from None
    with archive:
        entries = [i for i in archive.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        layers = sorted({str(PurePosixPath(i.filename).with_suffix("")) for i in entries
                         if i.filename.lower().endswith(".shp")})
        if len(layers) != 1:
            raise FileRefused(_("The ZIP archive must hold exactly one Shapefile layer (.shp); it holds "
                                "%(n)s.", n=len(layers)) + (f" ({', '.join(layers)})" if layers else ""))
        stem = layers[0].lower()
        mine = {PurePosixPath(i.filename).suffix.lower(): i for i in entries
                if str(PurePosixPath(i.filename).with_suffix("")).lower() == stem}
        missing = [ext for ext in REQUIRED if ext not in mine]
        if missing:
            raise FileRefused(_("The Shapefile %(layer)s is missing its part(s) %(parts)s; a Shapefile needs "
                                ".shp, .shx and .dbf together in the ZIP.", layer=PurePosixPath(layers[0]).name,
                                parts=", ".join(f"{ext} ({REQUIRED[ext]})" for ext in missing)))
        if sum(i.file_size for i in mine.values()) > max_bytes:
            raise FileRefused(_("The Shapefile is too large once unzipped; the limit is %(limit)s MB.",
                                limit=max_bytes // 1048576))
        return {ext: archive.read(info) for ext, info in mine.items() if ext in (*REQUIRED, ".prj", ".cpg")}


def _beside(path: Path, max_bytes: int) -> dict[str, bytes]:
    """A .shp named on the command line, its other parts beside it (any case of extension)."""
    found = {p.suffix.lower(): p for p in path.parent.glob(path.stem + ".*") if p.stem == path.stem}
    missing = [ext for ext in REQUIRED if ext not in found]
    if missing:
        raise FileRefused(_("The Shapefile %(layer)s is missing its part(s) %(parts)s; a Shapefile needs "
                            ".shp, .shx and .dbf together in the ZIP.", layer=path.stem,
                            parts=", ".join(f"{ext} ({REQUIRED[ext]})" for ext in missing)))
    if sum(p.stat().st_size for p in found.values()) > max_bytes:
        raise FileRefused(_("The Shapefile is too large once unzipped; the limit is %(limit)s MB.",
                            limit=max_bytes // 1048576))
    return {ext: p.read_bytes() for ext, p in found.items() if ext in (*REQUIRED, ".prj", ".cpg")}


def _encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FileRefused(_("The .cpg part names an unknown encoding “%(enc)s”.", enc=name[:40])) from None


def _check_type(reader, points: bool) -> None:
    kinds = (shapefile.POINT, shapefile.POINTZ, shapefile.POINTM) if points else \
        (shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM)
    if reader.shapeType not in (*kinds, shapefile.NULL):
        wanted = _("points") if points else _("polygons")
        raise FileRefused(_("The Shapefile holds %(kind)s shapes; %(wanted)s are needed.",
                            kind=reader.shapeTypeName, wanted=wanted))


def _lists(geometry):
    """pyshp's tuples as GeoJSON lists (so a closed ring compares equal point by point)."""
    if geometry is None:
        return None
    def conv(c):
        return [conv(x) for x in c] if isinstance(c, (list, tuple)) and c and isinstance(c[0], (list, tuple)) \
            else [float(v) for v in c]
    return {"type": geometry["type"], "coordinates": conv(geometry["coordinates"])}
