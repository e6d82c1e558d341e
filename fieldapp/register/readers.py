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
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

from flask_babel import gettext as _

from .refusal import FileRefused  # noqa: F401  (the import modules catch it from here)

MAX_BYTES = 50 * 1024 * 1024
KINDS = ("csv", "xlsx", "geojson", "shapefile")
MAX_COLUMNS = 40
MAX_LINE_CHARS = 20_000  # one CSV line; a register row is a few hundred characters
MAX_CELL_CHARS = 2_000
XLSX_MAX_ENTRIES = 500  # files inside the workbook's zip (a one-sheet workbook has about 10)
XLSX_MAX_UNPACKED = 600 * 1024 * 1024  # all of them unpacked
XLSX_MAX_RATIO = 100  # unpacked ÷ packed, per file (real sheets: 5–20)
XLSX_MAX_SHARED_STRINGS = 64 * 1024 * 1024  # openpyxl holds them all: about 3.5 bytes each in memory




def clean_filename(name: str | None) -> str:
    """An uploaded file's name made safe to store and show: the last path part, NFC, no
    control or format characters, single spaces, at most 100 characters (extension kept)."""
    base = re.split(r"[\\/]", name or "")[-1]
    text = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split()).rstrip(".")
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = text, ""
    ext = f".{ext}" if ext else ""
    return (stem[:100 - len(ext)] + ext) or "upload"


def check_upload(kind: str, data: bytes, limit: int = MAX_BYTES) -> None:
    """What can be told of an uploaded file before it is stored and queued for a worker: its
    size and, for a workbook, what it unpacks to. Its rows (bounds, IMPORT_MAX_ROWS) are
    checked by the job, which says so on the run's page."""
    _check_size(len(data), limit)
    if kind == "xlsx":
        check_xlsx(io.BytesIO(data))


def check_xlsx(source: Path | io.BytesIO) -> None:
    """Refuse a workbook that would unpack to far more than its size (a zip bomb) before
    openpyxl opens it: too many files inside, too large unpacked, or packed too tightly."""
    try:
        with zipfile.ZipFile(source) as book:
            entries = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("The file is not a valid XLSX workbook.")) from None
    unpacked = sum(e.file_size for e in entries)
    strings = sum(e.file_size for e in entries if e.filename.lower().endswith("sharedstrings.xml"))
    tight = any(e.file_size > 1_000_000 and e.file_size > XLSX_MAX_RATIO * max(e.compress_size, 1) for e in entries)
    if len(entries) > XLSX_MAX_ENTRIES or unpacked > XLSX_MAX_UNPACKED or strings > XLSX_MAX_SHARED_STRINGS or tight:
        raise FileRefused(_("The workbook unpacks to %(size)s MB, far more than a register needs (a damaged "
                            "or malicious file?). Save it again from Excel, or as CSV UTF-8.",
                            size=round(unpacked / 1048576)))


def kind_of(filename: str) -> str:
    """csv / xlsx / geojson from the file name, or FileRefused."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    kind = {"json": "geojson", "txt": "csv", "zip": "shapefile", "shp": "shapefile"}.get(suffix, suffix)
    if kind not in KINDS:
        raise FileRefused(_("Unsupported file type “.%(ext)s”: use CSV, XLSX, GeoJSON or a zipped "
                            "Shapefile (.zip).", ext=suffix))
    return kind


def check_size(path: str | os.PathLike, limit: int = MAX_BYTES) -> None:
    _check_size(os.path.getsize(path), limit)


def _check_size(size: int, limit: int) -> None:
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


def _lines(text) -> Iterator[str]:
    """The text's lines, refusing one longer than MAX_LINE_CHARS before holding it whole."""
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            raise FileRefused(_("A line of the file is longer than %(n)s characters: is it really a CSV "
                                "file of households?", n=f"{MAX_LINE_CHARS:,}".replace(",", ".")))
        yield line


def _bounded(cells, line: int):
    """The row, unless it has more than MAX_COLUMNS filled columns or an overlong value."""
    filled = max((i + 1 for i, cell in enumerate(cells) if cell not in (None, "")), default=0)
    if filled > MAX_COLUMNS:
        raise FileRefused(_("Line %(line)s has %(n)s columns; a household file has at most %(max)s.",
                            line=line, n=filled, max=MAX_COLUMNS))
    if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARS for cell in cells):
        raise FileRefused(_("Line %(line)s has a value longer than %(max)s characters.", line=line,
                            max=MAX_CELL_CHARS))
    return cells


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        line = 1
        try:
            lines = _lines(text)
            first = next(lines, "")
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = _header(_bounded(next(csv.reader([first], delimiter=delimiter), []), 1))
            if _blank(header):
                raise FileRefused(_("The file is empty."))
            yield 1, {"__header__": header}
            for line, cells in enumerate(csv.reader(lines, delimiter=delimiter), start=2):
                if not _blank(_bounded(cells, line)):
                    yield line, dict(zip(header, cells))
        except UnicodeDecodeError:
            raise FileRefused(_("The file is not UTF-8 text (near line %(line)s). In Excel choose "
                                "“Save as… CSV UTF-8”.", line=line + 1)) from None
        except csv.Error as exc:
            raise FileRefused(_("The CSV file cannot be read near line %(line)s: %(reason)s",
                                line=line + 1, reason=str(exc))) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    check_xlsx(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(_("The file is not a valid XLSX workbook.")) from None
    try:
        if len(book.sheetnames) > 1:
            raise FileRefused(_("The workbook has %(n)s sheets (%(names)s); keep only the sheet of "
                                "households.", n=len(book.sheetnames), names=", ".join(book.sheetnames)))
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = _header(_bounded(next(rows, ()), 1))
        if _blank(header):
            raise FileRefused(_("The file is empty."))
        yield 1, {"__header__": header}
        for line, cells in enumerate(rows, start=2):
            if not _blank(cells):
                yield line, dict(zip(header, _bounded(cells, line)))
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
