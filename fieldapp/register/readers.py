"""Streaming readers for register files: CSV, XLSX and GeoJSON.

Each reader yields `(line, row)` where `line` is what a person sees in a spreadsheet (the
header is line 1, the first data row line 2; for GeoJSON, the feature's number plus one so
the same wording works) and `row` maps lower-cased column names to raw values. Nothing holds
the whole file: a reader can be run twice (check, then write) over a file of any length.
A file that cannot be read at all raises `FileRefused` with a message for a person.
"""
from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from flask_babel import gettext as _

from .refusal import FileRefused  # noqa: F401  (the import modules catch it from here)

MAX_BYTES = 50 * 1024 * 1024
KINDS = ("csv", "xlsx", "geojson", "shapefile")




def kind_of(filename: str) -> str:
    """csv / xlsx / geojson from the file name, or FileRefused."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    kind = {"json": "geojson", "txt": "csv", "zip": "shapefile", "shp": "shapefile"}.get(suffix, suffix)
    if kind not in KINDS:
        raise FileRefused(_("Unsupported file type “.%(ext)s”: use CSV, XLSX, GeoJSON or a zipped "
                            "Shapefile (.zip).", ext=suffix))
    return kind


def check_size(path: str | os.PathLike, limit: int = MAX_BYTES) -> None:
    size = os.path.getsize(path)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    if size > limit:
        raise FileRefused(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.",
                            size=round(size / 1048576, 1), limit=limit // 1048576))


def read_rows(path: str | os.PathLike, kind: str, limit: int = MAX_BYTES) -> Iterator[tuple[int, dict]]:
    """(line, {column: value}) for each non-blank data row of the file."""
    check_size(path, limit)
    if kind == "shapefile":
        return _shapefile_rows(Path(path), limit)
    reader = {"csv": _csv_rows, "xlsx": _xlsx_rows, "geojson": _geojson_rows}[kind]
    return reader(Path(path))


def _header(cells) -> list[str]:
    return [str(c or "").strip().lstrip("\ufeff").lower() for c in cells]


def _blank(values) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        line = 1
        try:
            first = text.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = _header(next(csv.reader([first], delimiter=delimiter), []))
            if _blank(header):
                raise FileRefused(_("The file is empty."))
            yield 1, {"__header__": header}
            for line, cells in enumerate(csv.reader(text, delimiter=delimiter), start=2):
                if not _blank(cells):
                    yield line, dict(zip(header, cells))
        except UnicodeDecodeError:
            raise FileRefused(_("The file is not UTF-8 text (near line %(line)s). In Excel choose "
                                "“Save as… CSV UTF-8”.", line=line + 1)) from None
        except csv.Error as exc:
            raise FileRefused(_("The CSV file cannot be read near line %(line)s: %(reason)s",
                                line=line + 1, reason=str(exc))) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(_("The file is not a valid XLSX workbook.")) from None
    try:
        if len(book.sheetnames) > 1:
            raise FileRefused(_("The workbook has %(n)s sheets (%(names)s); keep only the sheet of "
                                "households.", n=len(book.sheetnames), names=", ".join(book.sheetnames)))
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = _header(next(rows, ()))
        if _blank(header):
            raise FileRefused(_("The file is empty."))
        yield 1, {"__header__": header}
        for line, cells in enumerate(rows, start=2):
            if not _blank(cells):
                yield line, dict(zip(header, cells))
    finally:
        book.close()


def _geojson_rows(path: Path) -> Iterator[tuple[int, dict]]:
    yield 1, {"__header__": None}
    for line, feature in features(path, limit=os.path.getsize(path)):
        yield line, _feature_row(feature)


def _shapefile_rows(path: Path, limit: int) -> Iterator[tuple[int, dict]]:
    from .shapefiles import Layer

    yield 1, {"__header__": None}
    for line, feature in Layer(path, limit).features(points=True):
        yield line, _feature_row(feature)


def declared_crs(path: str | os.PathLike, kind: str, limit: int = MAX_BYTES) -> str | None:
    """The coordinate system a file states: a Shapefile's .prj (as "EPSG:NNNN"), a GeoJSON
    file's (pre-RFC 7946) `crs` member; None when it states none."""
    if kind == "shapefile":
        from .shapefiles import Layer

        code = Layer(Path(path), limit).crs
        return None if code is None else f"EPSG:{code}"
    if kind != "geojson":
        return None
    import ijson

    with open(path, "rb") as raw:  # the member may come after the features: read to the end
        _skip_bom(raw)
        try:
            for prefix, event, value in ijson.parse(raw):
                if prefix == "crs.properties.name" and event == "string":
                    return value
        except ijson.JSONError:
            return None  # the feature reader names the problem
    return None


def features(path: str | os.PathLike, limit: int = MAX_BYTES) -> Iterator[tuple[int, object]]:
    """(line, feature) of a GeoJSON FeatureCollection, streamed; line = feature number + 1."""
    import ijson

    check_size(path, limit)
    with open(path, "rb") as raw:
        try:
            _skip_bom(raw)
            kind = next((value for prefix, event, value in ijson.parse(raw, use_float=True)
                         if prefix == "type"), None)
            if kind != "FeatureCollection":
                raise FileRefused(_("The GeoJSON file must be a FeatureCollection."))
            _skip_bom(raw)
            for number, feature in enumerate(ijson.items(raw, "features.item", use_float=True), start=1):
                yield number + 1, feature
        except ijson.JSONError as exc:
            raise FileRefused(_("The GeoJSON file is not valid JSON: %(reason)s", reason=str(exc)[:120])) from None
        except UnicodeDecodeError:
            raise FileRefused(_("The GeoJSON file is not UTF-8 text.")) from None


def _skip_bom(raw) -> None:
    raw.seek(0)
    if raw.read(3) != b"\xef\xbb\xbf":
        raw.seek(0)


def _feature_row(feature) -> dict:
    """A point feature as a row: its properties plus lat/lon from the geometry."""
    if not isinstance(feature, dict):
        return {"__geometry_error__": "not_feature"}
    row = {str(k).strip().lower(): v for k, v in (feature.get("properties") or {}).items()}
    geometry = feature.get("geometry")
    if geometry is None:
        return row
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if (not isinstance(geometry, dict) or geometry.get("type") != "Point" or not isinstance(coords, list)
            or len(coords) < 2):
        row["__geometry_error__"] = "not_point"
        return row
    row["lon"], row["lat"] = coords[0], coords[1]
    return row
