"""Household import: check the whole file first, then write it in chunks in one transaction.

Two passes over the file keep memory bounded: the check pass remembers only the
(village, code) keys seen; the write pass reads the file again, 1,000 rows at a time, looks
those codes up, and inserts, updates or leaves each household. The caller commits once, so
any error leaves nothing written. A household is matched by (village, code), skipping
merged ones; several live matches → the oldest is updated.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _

from ..coverage import rollups
from ..extensions import db
from ..timeutil import utcnow
from ..households.models import Household
from .models import Village
from .readers import MAX_BYTES, FileRefused, read_rows
from .validate import COLUMNS, HouseholdRows, RowError, header_errors

CHUNK = 1000
PREVIEW_ROWS = 10
MAX_ERRORS = 2000  # kept for display; the count is always exact
FIELDS = ("code", "head_name", "address", "phone", "members", "youth", "lat", "lon", "route")
Progress = Callable[[str, int, int | None], None]


@dataclass
class Checked:
    rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    def add(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = MAX_ERRORS - len(self.errors)
        self.errors.extend(errors[:max(room, 0)])


@dataclass
class Summary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged}


def village_codes(commune_id: int | None) -> dict[str, int]:
    """{village code: id} in the commune (or everywhere when there is one commune)."""
    query = sa.select(Village.code, Village.id, Village.commune_id)
    if commune_id is not None:
        query = query.where(Village.commune_id == commune_id)
    rows = db.session.execute(query).all()
    if commune_id is None and len({r.commune_id for r in rows}) > 1:
        raise FileRefused(_("There are several communes: choose the commune to import into."))
    return {code: village_id for code, village_id, _c in rows}


def _rows(path: Path, kind: str, limit: int) -> tuple[list[str] | None, Iterator[tuple[int, dict]]]:
    rows = read_rows(path, kind, limit)
    first = next(rows, None)
    if first is None:
        raise FileRefused(_("The file is empty."))
    return first[1]["__header__"], rows


def check(path: Path, kind: str, villages: dict[str, int], *, limit: int = MAX_BYTES,
          max_rows: int | None = None, progress: Progress | None = None, system=None) -> Checked:
    """Read the whole file once and name every bad row; nothing is written. A file of more
    than `max_rows` households is refused as soon as the row after them is read."""
    header, rows = _rows(path, kind, limit)
    result = Checked()
    result.add(header_errors(header))
    if result.errors:
        return result
    validator = HouseholdRows(villages, geojson=kind in ("geojson", "shapefile"), system=system)
    for line, row in rows:
        if max_rows is not None and result.rows >= max_rows:
            raise FileRefused(_("The file has more than %(n)s households, the most one import takes "
                                "(IMPORT_MAX_ROWS); split it, for example one file per commune.",
                                n=f"{max_rows:,}".replace(",", ".")))
        clean, errors = validator.check(line, row)
        result.rows += 1
        result.add(errors)
        if len(result.preview) < PREVIEW_ROWS:
            result.preview.append({"line": line, **{c: _shown(row.get(c)) for c in COLUMNS}})
        if progress and result.rows % CHUNK == 0:
            progress("check", result.rows, None)
    if result.rows == 0 and not result.errors:
        result.add([RowError(2, "", _("The file has a header but no households."))])
    return result


def _shown(value) -> str:
    return "" if value is None else str(value)[:60]


def write(path: Path, kind: str, villages: dict[str, int], *, total: int | None = None,
          user_id: int | None = None, limit: int = MAX_BYTES, progress: Progress | None = None,
          system=None) -> Summary:
    """Second pass over a checked file: upsert each row; flushes, never commits."""
    _header, rows = _rows(path, kind, limit)
    validator = HouseholdRows(villages, geojson=kind in ("geojson", "shapefile"), system=system)
    clean_rows = (clean for line, row in rows for clean in [validator.check(line, row)[0]])
    summary = Summary()
    while chunk := list(islice(clean_rows, CHUNK)):
        if any(c is None for c in chunk):
            raise RuntimeError("the file changed between its check and its import")
        _write_chunk(chunk, summary, user_id)
        summary.rows += len(chunk)
        if progress:
            progress("write", summary.rows, total)
    return summary


def _write_chunk(chunk: list[dict], summary: Summary, user_id: int | None) -> None:
    existing = _existing({(c["village_id"], c["code"]) for c in chunk})
    new = []
    for values in chunk:
        household = existing.get((values["village_id"], values["code"]))
        if household is None:
            new.append(_new_row(values, user_id))
        elif any(getattr(household, f) != values[f] for f in FIELDS if f in values):
            for name in FIELDS:
                if name in values:
                    setattr(household, name, values[name])
            summary.updated += 1
        else:
            summary.unchanged += 1
    if new:
        db.session.execute(sa.insert(Household), new)
        rollups.changed(village_ids={row["village_id"] for row in new})  # bulk: the ORM did not see them
        summary.created += len(new)
    db.session.flush()
    for household in existing.values():
        db.session.expunge(household)


def _existing(keys: set[tuple[int, str]]) -> dict[tuple[int, str], Household]:
    """The households already there under the chunk's (village id, code) pairs: one lookup of
    `ix_households_village_code` per pair, not every household of the villages (a commune's
    tens of thousands, read again for each chunk)."""
    found: dict[tuple[int, str], Household] = {}
    query = (sa.select(Household)
             .where(sa.tuple_(Household.village_id, Household.code).in_(sorted(keys)),
                    Household.status != "merged")
             .order_by(Household.created_at.desc()))
    for household in db.session.scalars(query):
        found[(household.village_id, household.code)] = household  # the oldest wins
    return found


def _new_row(values: dict, user_id: int | None) -> dict:
    household = SimpleNamespace(**values)
    Household.refresh_keys(household)  # bulk inserts skip the ORM events that normally do this
    now = utcnow()
    return {**values, "id": uuid.uuid4(), "head_name": household.head_name, "address": household.address,
            "code": household.code, "search_key": household.search_key, "sort_key": household.sort_key,
            "walk_key": household.walk_key,
            "status": "active", "source": "register", "created_by_id": user_id,
            "created_at": now, "updated_at": now}
