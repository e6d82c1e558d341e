"""The sync batch: whole-batch checks, then the entries checked and written together.

A receipt (keyed by the entry id, with a hash of the entry's canonical JSON) makes a
resent entry answer `duplicate` (same content) or `id_conflict` (different content)
without writing anything. The batch claims the receipts of its new ids first, in id order
(`receipts.claim`), so a request racing with the same ids waits, then answers from the
winner's receipts, and two such requests never deadlock. A refused entry wrote nothing, so
the same user sending its id again (fixed on the phone, or after what it pointed to arrived)
is a new attempt: its receipt is taken again (`receipts.reclaim`); the review list keeps it
once (`refused`).

Then every entry is checked (refused ones are `quarantined`, for their content only) and the
visits of the batch are inserted in a few statements (`visits.store_visits`). Only when that
fails is the batch done again with a savepoint per entry, so that one bad entry never fails
its neighbours: the entry that fails is answered `retry` (no receipt; the phone sends it
again) and logged. A transient database failure (a deadlock, a full disk, a lost
connection: `faults.unavailable`) is never an answer about an entry: it is raised, and the
request answers 503 with Retry-After and keeps nothing.
"""
from __future__ import annotations

import json
import unicodedata

from flask import current_app
from flask_babel import gettext as _

from ..auth.models import User
from . import quota, receipts
from .run import BatchRun

MAX_ENTRIES = 200
MAX_BYTES = 1_000_000
KEPT = ("quarantined", "id_conflict")  # answers that keep the entry for review


class BadBatch(Exception):
    """The batch as a whole is refused: `code` is 400 or 413."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def check_shape(body) -> tuple[str, str, list[dict]]:
    """(batch_id, device_id, entries) of a well-formed batch, else BadBatch."""
    if not isinstance(body, dict):
        raise BadBatch(400, _("The batch must be a JSON object."))
    entries = body.get("entries")
    device_id = body.get("device_id")
    if not isinstance(entries, list):
        raise BadBatch(400, _("The batch needs a list of entries."))
    if len(entries) > MAX_ENTRIES:
        raise BadBatch(413, _("At most %(n)d entries per batch.", n=MAX_ENTRIES))
    if not isinstance(device_id, str) or not 0 < len(device_id) <= 80:
        raise BadBatch(400, _("The batch needs a device id (1 to 80 characters)."))
    batch_id = body.get("batch_id")
    if batch_id is not None and not (isinstance(batch_id, str) and len(batch_id) <= 40):
        raise BadBatch(400, _("The batch id must be text of at most 40 characters."))
    for position, entry in enumerate(entries, 1):
        if not _entry_shape_ok(entry):
            raise BadBatch(400, _("Entry %(n)d is malformed: it needs an id, a type, a "
                                  "sequence number and a data object.", n=position))
    return batch_id or "", device_id, entries


def _entry_shape_ok(entry) -> bool:
    return (
        isinstance(entry, dict) and isinstance(entry.get("id"), str) and len(entry["id"]) <= 80
        and isinstance(entry.get("type"), str) and isinstance(entry.get("data"), dict)
        and (entry.get("seq") is None
             or (isinstance(entry["seq"], int) and not isinstance(entry["seq"], bool)
                 and 0 <= entry["seq"] < 2**31))
    )


def _nfc(entry: dict) -> dict:
    """The entry with every string in NFC. Normalising its JSON text is the same (JSON's own
    characters are ASCII and compose with nothing) and, for the usual entry already in NFC,
    one check instead of a walk."""
    text = json.dumps(entry, ensure_ascii=False)
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return entry
    return json.loads(unicodedata.normalize("NFC", text))


def apply_batch(user: User, batch_id: str, device_id: str, entries: list[dict],
                quarantine_room: int | None = None) -> list[dict]:
    """One result per entry, in order; flushes, never commits (see the module docstring).
    An entry over QUARANTINE_ENTRY_BYTES is refused and kept only by its id, type and size;
    quota.Exceeded when more entries than `quarantine_room` would be kept for review (the
    caller rolls back)."""
    entries = [_nfc(entry) for entry in entries]
    big = {p for p, entry in enumerate(entries) if quota.oversized(entry)}
    applied = iter(BatchRun(user, batch_id, device_id,
                            [e for p, e in enumerate(entries) if p not in big]).results())
    results = [_oversized(user, device_id, entry) if p in big else next(applied)
               for p, entry in enumerate(entries)]
    if quarantine_room is not None and sum(r["status"] in KEPT for r in results) > quarantine_room:
        raise quota.Exceeded()
    return results


def _oversized(user: User, device_id: str, entry: dict) -> dict:
    kb = current_app.config["QUARANTINE_ENTRY_BYTES"] // 1024
    return receipts.quarantine(user, device_id, quota.trimmed(entry),
                               {"data": _("The entry is larger than %(n)s KB; it was not kept.", n=kb)})
