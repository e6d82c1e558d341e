"""Register files written the way people make them: CSV from Excel, XLSX, GeoJSON."""
from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

HEADER = ["village_code", "code", "head_name", "address", "phone", "members", "youth", "lat", "lon"]
GOOD = [
    ["T01", "N1", "Nguyễn Văn Nhập", "Số 1, ngõ 2", "0905123456", "4", "1", "15.12", "108.80"],
    ["T01", "N2", "Trần Thị Bích", "Số 3", "+84 912 345 678", "3", "0", "", ""],
    ["T02", "N1", "Lê Văn Cường", "", "", "5", "2", "15.13", "108.81"],
]


def csv_file(path, rows, header=HEADER, encoding="utf-8", delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def xlsx_file(path, rows, header=HEADER, sheets=1):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([_typed(v) for v in row])
    for n in range(1, sheets):
        book.create_sheet(f"Sheet{n + 1}")
    book.save(path)
    return path


def _typed(value: str):
    """Numbers as spreadsheets store them (members 4 → 4, lat 15.12 → 15.12)."""
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def geojson_file(path, rows):
    features = []
    for row in rows:
        props = dict(zip(HEADER[:7], row[:7]))
        geometry = {"type": "Point", "coordinates": [float(row[8]), float(row[7])]} if row[7] else None
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return path
